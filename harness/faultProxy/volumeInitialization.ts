import { Ec2Refusal } from "./ec2Refusal";
import { integerParam } from "./ec2QueryParams";
import type { RuleHandle } from "./ruleHandle";

/**
 * Volume initialization (https://docs.aws.amazon.com/ebs/latest/userguide/initalize-volume.html), which
 * moto lacks: a volume created from a snapshot downloads its blocks after creation, at the default rate
 * or at the Provisioned Rate for Volume Initialization given to CreateVolume (100 to 300 MiB/s, only
 * with a SnapshotId). A volume created from a snapshot that has fast snapshot restore `enabled` in the
 * volume's zone is fully initialized at creation, unless a rate was given, which then wins. Empty
 * volumes need no initialization.
 *
 * Here initialization runs over DescribeVolumeStatus answers that include the volume (it does not start
 * while the volume is `creating`): the k-th of `describes` answers reports `initializing` with progress
 * floor(k * 100 / (describes + 1)) (3 gives 25, 50, 75), the next one `completed` with 100.
 */

export interface InitializationPlan {
  /** DescribeVolumeStatus answers reporting `initializing` before `completed`; default 3. */
  describes?: number;
}

export type InitializationType = "default" | "provisioned-rate";

/** What DescribeVolumeStatus reports of a volume's initialization. */
export interface InitializationView {
  state: "initializing" | "completed";
  /** Only for volumes created from a snapshot, as on EC2. */
  details?: {
    initializationType: InitializationType;
    progress: number;
    /** Only for a provisioned rate, as on EC2. */
    estimatedTimeToCompleteInSeconds?: number;
  };
}

/** The parts of a volume its initialization depends on. */
export interface InitializingVolume {
  volumeId: string;
  snapshotId?: string;
  /** GiB, for the time left at a provisioned rate. */
  size?: number;
}

interface Tracked {
  rate?: number;
  fastRestored: boolean;
  describes: number;
  seen: number;
}

const DEFAULT_DESCRIBES = 3;
const MIB_PER_GIB = 1024;

/** CreateVolume's VolumeInitializationRate, refused as EC2 refuses it (moto accepts any value, and without a snapshot). */
export function initializationRateParam(params: Readonly<Record<string, string>>): number | undefined {
  const rate = integerParam(params, "VolumeInitializationRate", 100, 300);
  if (rate !== undefined && (params["SnapshotId"] ?? "") === "") {
    throw new Ec2Refusal("InvalidParameterCombination", "VolumeInitializationRate is supported only for volumes created from a snapshot (SnapshotId).");
  }
  return rate;
}

export class VolumeInitialization {
  private readonly tracked = new Map<string, Tracked>();
  private plans: Array<{ describes: number }> = [];

  /** Volumes created from now on take `describes` DescribeVolumeStatus answers to initialize; removing the plan restores the previous one. */
  initializationPlan(plan: InitializationPlan = {}): RuleHandle {
    const describes = plan.describes ?? DEFAULT_DESCRIBES;
    if (!Number.isInteger(describes) || describes < 0) {
      throw new RangeError(`describes must be a non-negative integer, got ${describes}`);
    }
    const registered = { describes };
    this.plans.push(registered);
    return { remove: () => (this.plans = this.plans.filter((entry) => entry !== registered)) };
  }

  /** A volume created through the proxy; `fastRestoreEnabled` says whether its snapshot had FSR enabled in its zone. */
  learn(volumeId: string, created: { snapshotId?: string; rate?: number; fastRestoreEnabled: boolean }): void {
    const fastRestored = created.snapshotId !== undefined && created.fastRestoreEnabled && created.rate === undefined;
    this.tracked.set(volumeId, {
      ...(created.rate !== undefined ? { rate: created.rate } : {}),
      fastRestored,
      describes: (this.plans.at(-1) ?? { describes: DEFAULT_DESCRIBES }).describes,
      seen: 0,
    });
  }

  rateOf(volumeId: string): number | undefined {
    return this.tracked.get(volumeId)?.rate;
  }

  fastRestored(volumeId: string): boolean {
    return this.tracked.get(volumeId)?.fastRestored ?? false;
  }

  /**
   * The volume's initialization as one DescribeVolumeStatus answer reports it; `advance` (false while the
   * volume is creating) moves it one step. A volume from a snapshot the proxy did not see created is
   * taken as initialized long ago.
   */
  describe(volume: InitializingVolume, advance: boolean): InitializationView {
    if (volume.snapshotId === undefined) {
      return { state: "completed" };
    }
    const tracked = this.tracked.get(volume.volumeId);
    const initializationType: InitializationType = tracked?.rate !== undefined ? "provisioned-rate" : "default";
    if (tracked === undefined || tracked.fastRestored) {
      return { state: "completed", details: { initializationType, progress: 100 } };
    }
    if (advance && tracked.seen <= tracked.describes) {
      tracked.seen += 1;
    }
    const initializing = tracked.seen <= tracked.describes;
    const progress = initializing ? Math.floor((tracked.seen * 100) / (tracked.describes + 1)) : 100;
    const details: NonNullable<InitializationView["details"]> = { initializationType, progress };
    if (tracked.rate !== undefined) {
      // What is left of the volume's blocks at the provisioned rate.
      details.estimatedTimeToCompleteInSeconds = Math.ceil(((volume.size ?? 0) * MIB_PER_GIB * (100 - progress)) / 100 / tracked.rate);
    }
    return { state: initializing ? "initializing" : "completed", details };
  }

  clear(): void {
    this.tracked.clear();
    this.plans = [];
  }
}
