import type { Snapshot, SnapshotTierStatus } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../ec2/ec2";
import { formatDuration } from "../inputs/duration";
import { containsUnknown } from "../inputs/unknown";
import { ExplainedError } from "../messages/failureMessage";
import { writeLine } from "../messages/log";
import { waitForTiering, WaitTimeoutError } from "../scheduling/poller";
import type { CheckFailure } from "../inputs/validate";
import type { Deadline } from "./deadline";

/** What the program asks of the tier; undefined leaves it as it is. */
export type WantedTier = { tier: "archive" } | { tier: "standard"; restore: { temporaryDays: number } | { permanent: true } } | undefined;

/** The recorded tier facts the diff reads (the resource's outputs). */
export interface TierRecord {
  storageTier?: unknown;
  lastTieringOperationStatus?: unknown;
}

/**
 * Rules between the tier inputs and others: EC2 archives only completed snapshots, so an archive needs
 * the wait; and `restore` says how to leave the archive, which only `standard` does.
 */
export function tierInputProblems(props: Readonly<Record<string, unknown>>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (props.storageTier === "archive" && props.waitForCompletion === false) {
    failures.push({
      property: "storageTier",
      reason: 'storageTier "archive" needs waitForCompletion true: EC2 archives only completed snapshots, so the provider waits for completion before archiving',
    });
  }
  const restoreGiven = props.restore !== null && typeof props.restore === "object" && Object.keys(props.restore).length > 0;
  if (restoreGiven && props.storageTier === "archive") {
    failures.push({
      property: "restore",
      reason: 'restore applies when storageTier is "standard" (it says how to bring an archived snapshot back); remove it, or set storageTier "standard"',
    });
  }
  return failures;
}

/** EC2 bills an archived snapshot for at least 90 days. */
const ARCHIVE_MINIMUM_MS = 90 * 86_400_000;

export function wantedTier(storageTier: unknown, restore: unknown): WantedTier {
  if (storageTier === "archive") {
    return { tier: "archive" };
  }
  if (storageTier !== "standard") {
    return undefined;
  }
  const given = restore !== null && typeof restore === "object" && !containsUnknown(restore) ? (restore as { temporaryDays?: unknown }) : {};
  return { tier: "standard", restore: typeof given.temporaryDays === "number" ? { temporaryDays: given.temporaryDays } : { permanent: true } };
}

/**
 * True when the recorded tier already is what the program asks for, so that no update is due. A restore
 * in progress is what a `standard` program asks for (it takes days; no perpetual diff meanwhile), and a
 * temporary restore that ended was what was asked, until `restore` itself changes. An archive cut off by
 * a deadline is not: the next update waits for it again.
 */
export function tierSatisfied(recorded: TierRecord, wanted: WantedTier, restoreChanged: boolean): boolean {
  if (wanted === undefined) {
    return true;
  }
  const tier = recorded.storageTier;
  const status = typeof recorded.lastTieringOperationStatus === "string" ? recorded.lastTieringOperationStatus : "";
  if (wanted.tier === "archive") {
    return status.startsWith("temporary-restore") || (tier === "archive" && status !== "archival-in-progress" && status !== "archival-failed");
  }
  if (status === "" || status === "archival-failed" || status === "permanent-restore-completed") {
    return tier !== "archive";
  }
  if (status === "archival-completed" || status === "archival-in-progress") {
    return false;
  }
  if (status.endsWith("-restore-failed")) {
    return restoreChanged ? false : tier !== "archive";
  }
  const permanentWanted = "permanent" in wanted.restore;
  if (status.startsWith("temporary-restore")) {
    return !permanentWanted && !restoreChanged;
  }
  // A permanent restore in progress.
  return permanentWanted;
}

const ids = (members: readonly Snapshot[]): string[] => members.map((m) => m.SnapshotId ?? "").filter((id) => id !== "");

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One line on the 90-day minimum, when leaving the archive (or the snapshot) now still costs it; else undefined. */
export function archiveMinimumLine(snapshotId: string, status: { archivedAt?: number }, leaving: "deleting" | "restoring", now = Date.now()): string | undefined {
  if (status.archivedAt === undefined || status.archivedAt + ARCHIVE_MINIMUM_MS <= now) {
    return undefined;
  }
  return `snapshot ${snapshotId} was archived on ${day(status.archivedAt)}; EC2 bills an archived snapshot (a full copy of it) for at least 90 days, so ${leaving} it now still costs its archive storage until ${day(status.archivedAt + ARCHIVE_MINIMUM_MS)}`;
}

function archivedAt(status: SnapshotTierStatus | undefined): number | undefined {
  return (status?.ArchivalCompleteTime ?? status?.LastTieringStartTime)?.getTime();
}

/**
 * Moves completed members to the archive tier and waits, in the shared DescribeSnapshotTierStatus round,
 * until the archiving is done, saying its progress. `seen` receives every status as it comes, so that a
 * deadline passed meanwhile records what was last seen as partial state; the next update waits again.
 */
export async function archive(
  ec2: Ec2,
  label: string,
  members: readonly Snapshot[],
  deadline: Deadline,
  seen: (statuses: ReadonlyMap<string, SnapshotTierStatus>) => void,
): Promise<Map<string, SnapshotTierStatus>> {
  const notCompleted = members.filter((m) => m.State !== "completed");
  if (notCompleted.length > 0) {
    throw new ExplainedError(
      `snapshot ${notCompleted.map((m) => m.SnapshotId).join(", ")} is ${notCompleted[0].State ?? "pending"}, and EC2 archives only completed snapshots`,
      "leave waitForCompletion true (the default) so that the snapshot completes first, then run `pulumi up` again",
    );
  }
  const before = await ec2.tierStatuses(ids(members));
  for (const id of ids(members)) {
    const status = before.get(id);
    const op = status?.LastTieringOperationStatus;
    if (op !== "archival-in-progress" && !(status?.StorageTier === "archive" && op !== "archival-failed")) {
      await ec2.archiveSnapshot(id);
      before.delete(id);
    }
  }
  seen(before);
  let lastProgress = "";
  try {
    const done = await waitForTiering(ec2, ids(members), {
      deadline,
      initial: before,
      onProgress: ({ snapshots }) => {
        seen(snapshots);
        const progress = [...snapshots.values()].map((s) => `${s.SnapshotId} ${s.LastTieringProgress ?? 0}%`).join(", ");
        if (progress !== lastProgress) {
          lastProgress = progress;
          writeLine(`${label}: archiving ${progress}`);
        }
      },
    });
    seen(done);
    const failed = [...done.values()].filter((s) => s.LastTieringOperationStatus === "archival-failed");
    if (failed.length > 0) {
      throw new ExplainedError(
        `archiving ${failed.map((s) => s.SnapshotId).join(", ")} failed (EC2 archival-failed${failed[0].LastTieringOperationStatusDetail ? `: ${failed[0].LastTieringOperationStatusDetail}` : ""})`,
        "the snapshot stays in the standard tier; run `pulumi up` again to retry the archive",
      );
    }
    return done;
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) {
      throw error;
    }
    const last = [...(error.lastSeen as ReadonlyMap<string, SnapshotTierStatus>).values()];
    seen(error.lastSeen as ReadonlyMap<string, SnapshotTierStatus>);
    const progress = last.map((s) => `${s.SnapshotId} ${s.LastTieringProgress ?? 0}%`).join(", ") || ids(members).join(", ");
    throw new ExplainedError(
      `archiving is still in progress (${progress}) after ${formatDuration(deadline.timeoutMs)}`,
      `run \`pulumi up\` again: it waits for the archive to finish; or raise ${deadline.timeoutName ?? "the timeout"} to wait longer in one run`,
    );
  }
}

/** Starts the wanted restore of every member not yet restored so (no waiting: EC2 takes 24 to 72 hours); returns the statuses after. */
export async function restore(
  ec2: Ec2,
  label: string,
  members: readonly Snapshot[],
  wanted: Exclude<WantedTier, undefined | { tier: "archive" }>,
  restoreChanged: boolean,
): Promise<Map<string, SnapshotTierStatus>> {
  const statuses = await ec2.tierStatuses(ids(members));
  let restored = false;
  for (const id of ids(members)) {
    const status = statuses.get(id);
    if (tierSatisfied({ storageTier: status?.StorageTier, lastTieringOperationStatus: status?.LastTieringOperationStatus }, wanted, restoreChanged)) {
      continue;
    }
    await ec2.restoreSnapshot(id, wanted.restore);
    restored = true;
    const permanently = "permanent" in wanted.restore;
    const period = "temporaryDays" in wanted.restore ? `for ${wanted.restore.temporaryDays} days` : "for good";
    writeLine(`${label}: restoring ${id} from the archive ${period}; EC2 takes 24 to 72 hours, shown in lastTieringOperationStatus`);
    const line = permanently ? archiveMinimumLine(id, { archivedAt: archivedAt(status) }, "restoring") : undefined;
    if (line !== undefined) {
      writeLine(`${label}: ${line}`);
    }
  }
  // Read again only when a restore changed what EC2 reports.
  return restored ? ec2.tierStatuses(ids(members)) : statuses;
}

/** The tier outputs of a resource of one snapshot. */
export function tierOutputs(status: SnapshotTierStatus | undefined): Record<string, string | number> {
  if (status === undefined) {
    return {};
  }
  return Object.fromEntries(
    Object.entries({
      storageTier: status.StorageTier,
      lastTieringOperationStatus: status.LastTieringOperationStatus,
      lastTieringProgress: status.LastTieringProgress,
      archivalCompleteTime: status.ArchivalCompleteTime?.toISOString(),
      restoreExpiryTime: status.RestoreExpiryTime?.toISOString(),
    }).filter((entry): entry is [string, string | number] => entry[1] !== undefined),
  );
}

/** The 90-day line for deleting a snapshot whose state says it was archived. */
export function deleteCostLine(snapshotId: string, props: Readonly<Record<string, unknown>>): string | undefined {
  const archived = props.storageTier === "archive" || props.lastTieringOperationStatus === "archival-completed";
  const at = typeof props.archivalCompleteTime === "string" ? Date.parse(props.archivalCompleteTime) : Number.NaN;
  return archived && !Number.isNaN(at) ? archiveMinimumLine(snapshotId, { archivedAt: at }, "deleting") : undefined;
}
