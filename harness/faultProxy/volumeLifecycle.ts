import type { RuleHandle } from "./ruleHandle";

/** Restricts a rule to volumes created from one snapshot; every new volume when omitted. */
export interface VolumeSelector {
  snapshotId?: string;
}

/**
 * New volumes report `creating` in their CreateVolume answer and in the next `describes` DescribeVolumes
 * answers that include them (default 2), then moto's state. moto makes every volume `available` at once.
 */
export interface CreatingPlan {
  describes?: number;
  selector?: VolumeSelector;
}

/** The state the proxy reports instead of moto's; undefined keeps moto's (`available` / `in-use`). */
export type CreationState = "creating" | "error" | undefined;

interface TrackedVolume {
  snapshotId?: string;
  /** DescribeVolumes answers that still report `creating`. */
  creatingLeft: number;
  /** Set for a volume that ends in `error` once its `creating` answers are spent. */
  failure?: string;
  deleted: boolean;
}

interface Capture<T> {
  selector: VolumeSelector;
  value: T;
}

const DEFAULT_CREATING_DESCRIBES = 2;
// "The volume could not be created": EC2 gives no reason for `error` in DescribeVolumes.
const DEFAULT_FAILURE = "The volume could not be created (failure injected by the fault proxy).";

function selects(selector: VolumeSelector, snapshotId: string | undefined): boolean {
  return selector.snapshotId === undefined || selector.snapshotId === snapshotId;
}

/**
 * Volumes created through the proxy: the snapshot each was created from, and the creation states the
 * proxy reports instead of moto's instant `available`. Precedence: a failure rule, then a creating plan.
 *
 * EC2 (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-describing-volumes.html) reports a new
 * volume `creating` until it is `available`; a volume whose creation failed goes to `error` and stays
 * there until deleted. moto skips `creating` and has no `error`.
 */
export class VolumeLifecycle {
  private readonly tracked = new Map<string, TrackedVolume>();
  private plans: Array<Capture<number>> = [];
  private failures: Array<Capture<string>> = [];

  creatingVolumes(plan: CreatingPlan = {}): RuleHandle {
    const describes = plan.describes ?? DEFAULT_CREATING_DESCRIBES;
    if (!Number.isInteger(describes) || describes < 0) {
      throw new RangeError(`describes must be a non-negative integer, got ${describes}`);
    }
    const capture: Capture<number> = { selector: { ...plan.selector }, value: describes };
    this.plans.push(capture);
    return { remove: () => (this.plans = this.plans.filter((entry) => entry !== capture)) };
  }

  failNewVolumes(selector: VolumeSelector, message: string = DEFAULT_FAILURE): RuleHandle {
    const capture: Capture<string> = { selector: { ...selector }, value: message };
    this.failures.push(capture);
    return { remove: () => (this.failures = this.failures.filter((entry) => entry !== capture)) };
  }

  /** A volume moto just created for a CreateVolume that passed through the proxy; attaches the rules for new volumes. */
  learnCreated(volumeId: string, snapshotId: string | undefined): void {
    const plan = [...this.plans].reverse().find((entry) => selects(entry.selector, snapshotId));
    const failure = [...this.failures].reverse().find((entry) => selects(entry.selector, snapshotId));
    // A failing volume is `creating` for at least one answer: EC2 never reports `error` straight away.
    const creatingLeft = Math.max(plan?.value ?? 0, failure === undefined ? 0 : 1);
    this.tracked.set(volumeId, {
      ...(snapshotId !== undefined ? { snapshotId } : {}),
      creatingLeft,
      ...(failure !== undefined ? { failure: failure.value } : {}),
      deleted: false,
    });
  }

  /** The state for the volume's CreateVolume answer (creating is never a describe). */
  createdState(volumeId: string): CreationState {
    const tracked = this.tracked.get(volumeId);
    return tracked !== undefined && tracked.creatingLeft > 0 ? "creating" : undefined;
  }

  /** The state for one DescribeVolumes answer that includes the volume; spends one `creating` answer. */
  describedState(volumeId: string): CreationState {
    const tracked = this.tracked.get(volumeId);
    if (tracked === undefined || tracked.deleted) {
      return undefined;
    }
    if (tracked.creatingLeft > 0) {
      tracked.creatingLeft -= 1;
      return "creating";
    }
    return tracked.failure !== undefined ? "error" : undefined;
  }

  /** The state the volume is in now, without counting as a describe (for refusals and replayed answers). */
  currentState(volumeId: string): CreationState {
    const tracked = this.tracked.get(volumeId);
    if (tracked === undefined || tracked.deleted) {
      return undefined;
    }
    if (tracked.creatingLeft > 0) {
      return "creating";
    }
    return tracked.failure !== undefined ? "error" : undefined;
  }

  /** The failure message of a volume that is (or will end) in `error`. */
  failureOf(volumeId: string): string | undefined {
    return this.tracked.get(volumeId)?.failure;
  }

  snapshotOf(volumeId: string): string | undefined {
    return this.tracked.get(volumeId)?.snapshotId;
  }

  /** Volumes created from the snapshot through the proxy, in creation order, deleted ones included. */
  volumesFrom(snapshotId: string): string[] {
    return [...this.tracked.entries()].filter(([, tracked]) => tracked.snapshotId === snapshotId).map(([volumeId]) => volumeId);
  }

  /** The volume was deleted through the proxy: it keeps its snapshot, and loses its states. */
  deleted(volumeId: string): void {
    const tracked = this.tracked.get(volumeId);
    if (tracked !== undefined) {
      tracked.deleted = true;
      tracked.creatingLeft = 0;
    }
  }

  clear(): void {
    this.tracked.clear();
    this.plans = [];
    this.failures = [];
  }
}
