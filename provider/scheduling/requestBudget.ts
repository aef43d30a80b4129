import { formatDuration } from "../inputs/duration";
import { ExplainedError } from "../messages/failureMessage";
import { sleep } from "./sleep";
import { TokenBucket } from "./tokenBucket";
import { processRegistry, scopeKey } from "../runtime/processState";

/**
 * EC2 throttles API calls per account and region with token buckets (bucket size, refill per second),
 * from "Request throttling for the Amazon EC2 API". The provider keeps its own calls inside the same
 * shape, so a burst of hundreds of creates in one `pulumi up` queues here instead of turning into a
 * storm of RequestLimitExceeded.
 */
export const EC2_BUCKETS = Object.freeze({
  CreateSnapshot: { capacity: 100, refillPerSecond: 5 },
  CreateSnapshots: { capacity: 100, refillPerSecond: 5 },
  // Not in the throttling page's table of snapshot calls; budgeted like CreateSnapshot (unverified).
  CopySnapshot: { capacity: 100, refillPerSecond: 5 },
  // Not in the page's table either; budgeted like the tag calls (unverified).
  ModifySnapshotAttribute: { capacity: 100, refillPerSecond: 10 },
  DeleteSnapshot: { capacity: 100, refillPerSecond: 5 },
  // The lock and tier calls are in no table of the throttling page; budgeted like CreateSnapshot (unverified).
  protect: { capacity: 100, refillPerSecond: 5 },
  // The volume calls of a restore are in no table of the throttling page either; budgeted like CreateSnapshot (unverified).
  volume: { capacity: 100, refillPerSecond: 5 },
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  // DescribeSnapshots has the smaller bucket of unfiltered describes; the provider always filters, but
  // budgets as if it did not, to leave room for everything else the account runs.
  DescribeSnapshots: { capacity: 50, refillPerSecond: 10 },
  describe: { capacity: 100, refillPerSecond: 20 },
}) satisfies Readonly<Record<string, { capacity: number; refillPerSecond: number }>>;

const RATE_SCALE_ENV = "EBS_SNAPSHOTS_REQUEST_RATE_SCALE";
/**
 * The share of each EC2 bucket the provider allows itself: the account's other clients draw on the same
 * buckets, and a request queued in the SDK's socket pool reaches EC2 later than its token was taken.
 */
const HEADROOM = 0.9;

/**
 * Every EC2 action the provider sends, and the bucket EC2 counts it in. Typed, so that a new call with
 * no bucket fails to compile instead of falling silently into another bucket.
 */
const ACTION_BUCKETS = {
  CreateSnapshot: "CreateSnapshot",
  CreateSnapshots: "CreateSnapshots",
  CopySnapshot: "CopySnapshot",
  ModifySnapshotAttribute: "ModifySnapshotAttribute",
  DeleteSnapshot: "DeleteSnapshot",
  CreateTags: "CreateTags",
  DeleteTags: "DeleteTags",
  DescribeSnapshots: "DescribeSnapshots",
  DescribeSnapshotAttribute: "describe",
  DescribeVolumes: "describe",
  DescribeInstances: "describe",
  DescribeImages: "describe",
  LockSnapshot: "protect",
  UnlockSnapshot: "protect",
  ModifySnapshotTier: "protect",
  RestoreSnapshotTier: "protect",
  DescribeLockedSnapshots: "describe",
  DescribeSnapshotTierStatus: "describe",
  CreateVolume: "volume",
  AttachVolume: "volume",
  DetachVolume: "volume",
  DeleteVolume: "volume",
  ModifyVolume: "volume",
  EnableFastSnapshotRestores: "volume",
  DisableFastSnapshotRestores: "volume",
  DescribeVolumeStatus: "describe",
  DescribeVolumesModifications: "describe",
  DescribeFastSnapshotRestores: "describe",
} as const satisfies Record<string, keyof typeof EC2_BUCKETS>;

export type Ec2Action = keyof typeof ACTION_BUCKETS;

const buckets = processRegistry<TokenBucket>("requestBudgets");

function rateScale(): number {
  const raw = process.env[RATE_SCALE_ENV];
  const value = raw === undefined || raw === "" ? 1 : Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new ExplainedError(`${RATE_SCALE_ENV} must be a positive number, got "${raw}"`, `correct or unset ${RATE_SCALE_ENV}`);
  }
  return value;
}

/**
 * Waits until the account's budget for this action in this region allows one more request.
 * `EBS_SNAPSHOTS_REQUEST_RATE_SCALE` multiplies every refill rate (a time-scaled emulator uses it).
 */
export async function acquireRequestBudget(region: string, action: Ec2Action, signal?: AbortSignal, onWait?: (line: string, waitMs: number) => void): Promise<void> {
  const name = ACTION_BUCKETS[action];
  const scale = rateScale();
  const key = scopeKey(region, name, scale);
  let bucket = buckets.get(key);
  if (bucket === undefined) {
    const shape = EC2_BUCKETS[name];
    bucket = new TokenBucket(Math.floor(shape.capacity * HEADROOM), shape.refillPerSecond * HEADROOM * scale);
    buckets.set(key, bucket);
  }
  const wait = bucket.reserve();
  if (wait > 0) {
    const shape = EC2_BUCKETS[name];
    onWait?.(
      `waiting ${formatDuration(wait)} to send ${action}: the provider keeps within EC2's request budget for it ` +
        `(bursts of ${shape.capacity}, then ${shape.refillPerSecond} per second, per account and region)`,
      wait,
    );
    await sleep(wait, signal);
  }
}
