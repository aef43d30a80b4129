import type { ProductCode, SnapshotSetMember } from "../types";
import type { Props } from "./hookTypes";
import type { MemberFacts } from "./memberFacts";

/**
 * What a hook receives as `olds` or `props`: the state some version of this provider wrote. Every
 * reader tolerates what an earlier version may have left (a missing field, a field of another type),
 * so that no hook casts a property and trusts it.
 */
export class RecordedState {
  constructor(readonly props: Props) {}

  string(key: string): string | undefined {
    const value = this.props[key];
    return typeof value === "string" ? value : undefined;
  }

  strings(key: string): string[] {
    const value = this.props[key];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : [];
  }

  /** The resource's name in the program, as the SDK recorded it. */
  get logicalName(): unknown {
    return this.props.__logicalName;
  }

  get urn(): unknown {
    return this.props.__urn;
  }

  /** The region the snapshots were made in, when the state records it. */
  get region(): string | undefined {
    return this.string("region");
  }

  /** The `timeouts` input as recorded; its entries are checked where they are used. */
  get timeouts(): unknown {
    return this.props.timeouts;
  }

  get state(): unknown {
    return this.props.state;
  }

  /** A set's members; none for a single snapshot or a state that has none. */
  get members(): SnapshotSetMember[] {
    const value = this.props.snapshots;
    return Array.isArray(value)
      ? value.filter((m): m is SnapshotSetMember => m !== null && typeof m === "object" && typeof (m as { snapshotId?: unknown }).snapshotId === "string")
      : [];
  }

  /** A single snapshot's product codes, when recorded (they never change, so they are not fetched again). */
  get productCodes(): ProductCode[] | undefined {
    const value = this.props.productCodes;
    return Array.isArray(value) ? (value as ProductCode[]) : undefined;
  }

  /** What a resource of one snapshot recorded of it: its product codes, under its id. */
  singleSnapshotFacts(): MemberFacts {
    const id = this.string("snapshotId");
    const codes = this.productCodes;
    return { deviceNames: new Map(), productCodes: new Map(id !== undefined && codes !== undefined ? [[id, codes]] : []) };
  }

  /** Members recorded earlier that EC2 no longer has. */
  get missingSnapshotIds(): string[] {
    return this.strings("missingSnapshotIds");
  }
}
