import type { SnapshotHold } from "./snapshotLifecycle";

/**
 * A hold on one snapshot, counted in `holds`, so that two holds on it keep it held until both are
 * released; releasing the same hold twice counts once.
 */
export function countedHold(holds: Map<string, number>, snapshotId: string): SnapshotHold {
  holds.set(snapshotId, (holds.get(snapshotId) ?? 0) + 1);
  let released = false;
  return {
    snapshotIds: [snapshotId],
    release: () => {
      const held = holds.get(snapshotId) ?? 0;
      if (!released && held > 0) {
        holds.set(snapshotId, held - 1);
      }
      released = true;
    },
  };
}
