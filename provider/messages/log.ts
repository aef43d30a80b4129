import type { Snapshot } from "@aws-sdk/client-ec2";
import { formatDuration } from "../inputs/duration";
import { currentCall } from "../runtime/callContext";

/** Waits shorter than this pass without a line: a retry, a budget wait or a turn of a moment is not news. */
export const ANNOUNCE_AFTER_MS = 1_000;

/**
 * Lines for the person running `pulumi up`. The plugin face sends them to the engine's log, attributed
 * to the resource (callContext.ts). The dynamic-provider host has no engine connection for
 * `pulumi.log`, but the CLI passes the host's stderr lines through, so there they go to stderr.
 */
export function writeLine(line: string): void {
  const log = currentCall()?.log;
  if (log !== undefined) {
    log(line);
    return;
  }
  process.stderr.write(`${line}\n`);
}

/** "Snapshot \"db\"", or just the kind when the name is not known. */
export function resourceLabel(kind: string, name: unknown): string {
  return typeof name === "string" && name !== "" ? `${kind} "${name}"` : kind;
}

export function warn(label: string, message: string): void {
  writeLine(`warning: ${label}: ${message}`);
}

/** One concise progress line: which snapshot, how far, for how long, and when the next look is. */
export function progressLine(label: string, snapshotId: string, progress: string | undefined, elapsedMs: number, nextPollMs: number): string {
  return `${label}: ${snapshotId} ${progress ?? "0%"} pending, ${formatDuration(elapsedMs)} elapsed, next check in ${formatDuration(nextPollMs)}`;
}

/** Writes the progress line of a snapshot that is still pending (called only when something changed). */
export function reportPending(label: string, snapshot: Snapshot | undefined, waitStartedAt: number, nextPollMs: number): void {
  if (snapshot?.SnapshotId !== undefined && (snapshot.State === undefined || snapshot.State === "pending")) {
    const started = snapshot.StartTime?.getTime() ?? waitStartedAt;
    writeLine(progressLine(label, snapshot.SnapshotId, snapshot.Progress, Date.now() - started, nextPollMs));
  }
}

/** A moment as a person reads it in a log line: UTC, to the second. */
export function clockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}
