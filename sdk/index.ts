export { Snapshot, type SnapshotArgs } from "./snapshot";
export type { ProductCode, SnapshotSetMember, SnapshotState, Timeouts, TimeoutsArgs } from "./types";
