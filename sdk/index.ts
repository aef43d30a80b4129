export { Snapshot, type SnapshotArgs } from "./snapshot";
export { SnapshotSet, type SnapshotSetArgs } from "./snapshotSet";
export type { ProductCode, SnapshotSetMember, SnapshotState, Timeouts, TimeoutsArgs } from "./types";
