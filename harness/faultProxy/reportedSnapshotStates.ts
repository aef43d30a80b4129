import { childElement, childElements, childText, type XmlDocument, type XmlElement } from "../xmlTree";

export interface ReportedState {
  snapshotId: string;
  state: string;
}

/** The snapshot states in an answer the proxy is about to send, after its lifecycle rewrite. */
export function statesInAnswer(action: string, document: XmlDocument): ReportedState[] {
  const stateOf = (item: XmlElement, field: string): ReportedState[] => {
    const snapshotId = childText(item, "snapshotId");
    const state = childText(item, field);
    return snapshotId === undefined || state === undefined ? [] : [{ snapshotId, state }];
  };
  const items = (): XmlElement[] => {
    const set = childElement(document.root, "snapshotSet");
    return set === undefined ? [] : childElements(set, "item");
  };
  switch (action) {
    case "CreateSnapshot":
      return stateOf(document.root, "status");
    case "CreateSnapshots":
      // A SnapshotInfo says `state` where a full Snapshot says `status`.
      return items().flatMap((item) => stateOf(item, "state"));
    case "DescribeSnapshots":
      return items().flatMap((item) => stateOf(item, "status"));
    default:
      return [];
  }
}

/**
 * The state the proxy last answered for each snapshot. Snapshot Lock and the archive tier judge a
 * snapshot by what the client was told (pending or completed): the lifecycle model decides a state
 * only while it answers a DescribeSnapshots (each answer advances a progress plan), so asking it again
 * on behalf of LockSnapshot would change what later describes say. A snapshot the proxy never
 * answered for is judged by moto's state instead.
 */
export class ReportedSnapshotStates {
  private readonly states = new Map<string, string>();

  report(snapshotId: string, state: string): void {
    this.states.set(snapshotId, state);
  }

  stateOf(snapshotId: string): string | undefined {
    return this.states.get(snapshotId);
  }

  forget(snapshotId: string): void {
    this.states.delete(snapshotId);
  }

  clear(): void {
    this.states.clear();
  }
}
