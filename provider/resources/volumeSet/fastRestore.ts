import type { Ec2 } from "../../ec2/ec2";
import type { Deadline } from "../../lifecycle/deadline";
import { ExplainedError, whatOf } from "../../messages/failureMessage";
import { warn, writeLine } from "../../messages/log";
import { fastRestoreKey, waitForFastRestores } from "../../scheduling/poller";
import { afterwards } from "./afterwards";

/** States in which fast snapshot restore is on, or on its way: someone else's, left alone. */
const ON = new Set(["enabling", "optimizing", "enabled"]);

/** Fast snapshot restore this restore turned on: only these are turned off again. */
export interface FastRestore {
  zone: string;
  snapshotIds: string[];
}

/**
 * Turns fast snapshot restore on for the snapshots in the zone and waits until it is `enabled`, so
 * that the volumes are created fully initialized. Snapshots that already have it (someone else's
 * choice) are used as they are and never turned off by this restore.
 */
export async function enableFastRestore(ec2: Ec2, label: string, snapshotIds: readonly string[], zone: string, deadline: Deadline): Promise<FastRestore> {
  const before = await ec2.fastSnapshotRestoreStates(snapshotIds, zone);
  const ours = snapshotIds.filter((id) => !ON.has(before.get(id)?.State ?? ""));
  const restore: FastRestore = { zone, snapshotIds: ours };
  if (ours.length === 0) {
    writeLine(`${label}: fast snapshot restore is already enabled for every snapshot in ${zone}; it is used as it is and left enabled`);
    return restore;
  }
  writeLine(
    `${label}: enabling fast snapshot restore for ${ours.length === 1 ? "1 snapshot" : `${ours.length} snapshots`} in ${zone}; ` +
      "AWS bills it per snapshot and zone for each minute it is enabled, with a one-hour minimum, so it is disabled again as soon as the volumes are created",
  );
  try {
    const refused = await ec2.fastSnapshotRestores("enable", ours, zone);
    if (refused.length > 0) {
      throw new ExplainedError(
        `EC2 refused to enable fast snapshot restore: ${refused.map((r) => `${r.snapshotId}: ${r.code}${r.message ? ` (${r.message})` : ""}`).join("; ")}`,
        "restore without initialization.fastSnapshotRestore, or fix the cause EC2 names, then run `pulumi up` again",
      );
    }
    const states = await waitForFastRestores(
      ec2,
      ours.map((id) => fastRestoreKey(id, zone)),
      { deadline, stopOnError: true },
    );
    const failed = ours.filter((id) => states.get(fastRestoreKey(id, zone))?.State !== "enabled");
    if (failed.length > 0) {
      throw new ExplainedError(
        `fast snapshot restore did not become enabled for ${failed.map((id) => `${id} (${states.get(fastRestoreKey(id, zone))?.StateTransitionReason ?? "no reason given"})`).join(", ")}`,
        "run `pulumi up` again, or restore without initialization.fastSnapshotRestore",
      );
    }
  } catch (error) {
    // Whatever went wrong, EC2 may have enabled some of it (an answer lost, a wait cut off): it is billed until disabled.
    await disableFastRestore(ec2, label, restore);
    throw error;
  }
  return restore;
}

/**
 * Turns off the fast snapshot restore this restore turned on, however it ended; with its own time, past
 * the hook's deadline. If EC2 refuses, one line says how to turn it off by hand, since it is billed.
 */
export async function disableFastRestore(ec2: Ec2, label: string, restore: FastRestore): Promise<void> {
  if (restore.snapshotIds.length === 0) {
    return;
  }
  const manual = `aws ec2 disable-fast-snapshot-restores --availability-zones ${restore.zone} --source-snapshot-ids ${restore.snapshotIds.join(" ")} --region ${ec2.region}`;
  try {
    const refused = await afterwards(ec2, "disabling fast snapshot restore", (own) => own.fastSnapshotRestores("disable", restore.snapshotIds, restore.zone));
    if (refused.length === 0) {
      writeLine(`${label}: fast snapshot restore disabled again for ${restore.snapshotIds.join(", ")} in ${restore.zone}`);
      return;
    }
    warn(
      label,
      `EC2 refused to disable fast snapshot restore (${refused.map((r) => `${r.snapshotId}: ${r.code}`).join("; ")}); it is billed while enabled, so disable it with: ${manual}`,
    );
  } catch (error) {
    warn(label, `disabling fast snapshot restore failed (${whatOf(error)}); it is billed while enabled, so disable it with: ${manual}`);
  }
}
