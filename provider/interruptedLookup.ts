import type { Snapshot } from "@aws-sdk/client-ec2";
import { inFlightFor, interruptedFilter } from "./creationMarker";
import { Deadline, DeadlineExceededError } from "./deadline";
import { IDS_PER_FILTER, type Ec2 } from "./ec2";
import { classifyError } from "./ec2Errors";
import { formatDuration } from "./duration";
import { writeLine } from "./log";

/**
 * Every create first asks whether an earlier create of the same resource was interrupted before it
 * could record its snapshots. Creates start together (the engine runs them in parallel, in one provider
 * process), so their questions are gathered for a moment and asked in one DescribeSnapshots per region:
 * a deployment of a hundred snapshots costs one call, not a hundred, and EC2's DescribeSnapshots budget
 * is left to the poller.
 */
const GATHER_MS = 50;

/**
 * The question is worth a share of the hook's time, not the create itself: under throttling that
 * outlasts this bound the create goes ahead, as it did before creates could be resumed.
 */
const SHARE_OF_DEADLINE = 0.25;
const MAX_WAIT_MS = 30_000;

/**
 * The snapshots that earlier creates of this resource (`key`) made and never recorded, oldest first;
 * none if EC2 could not say within the bound, with one line saying so.
 */
export async function interruptedCreates(ec2: Ec2, key: string, label: string): Promise<Snapshot[]> {
  // A share of what is left, so it always ends before the hook's own deadline.
  const bound = Deadline.after(Math.min(MAX_WAIT_MS, ec2.deadline.remainingMs() * SHARE_OF_DEADLINE), `the search for an interrupted create of ${label}`);
  try {
    return await askInterrupted(ec2.withDeadline(bound), key);
  } catch (error) {
    ec2.deadline.throwIfExpired();
    // Out of time, the last thing EC2 answered says why; no answer at all has no code.
    const { code, httpStatus } = classifyError(error instanceof DeadlineExceededError ? error.lastError : error);
    const answered = httpStatus !== undefined && typeof code === "string" ? `EC2 ${code}` : "no answer from EC2";
    writeLine(`${label}: could not check for an earlier create of it that was interrupted (${answered} within ${formatDuration(bound.timeoutMs)}); taking a new snapshot`);
    return [];
  } finally {
    bound.dispose();
  }
}

interface Question {
  key: string;
  ec2: Ec2;
  answer: (found: Snapshot[] | Error) => void;
}

const waiting = new Map<string, Question[]>();

/** The snapshots whose in-flight token names this resource key, oldest first. */
function askInterrupted(ec2: Ec2, key: string): Promise<Snapshot[]> {
  return new Promise((resolve, reject) => {
    const signal = ec2.deadline.signal;
    // The batch may outlive this hook's deadline; the hook does not wait for it past that.
    const abandon = (): void => reject(signal.reason);
    if (signal.aborted) {
      abandon();
      return;
    }
    signal.addEventListener("abort", abandon, { once: true });
    const answer = (found: Snapshot[] | Error): void => {
      signal.removeEventListener("abort", abandon);
      if (found instanceof Error) {
        reject(found);
      } else {
        resolve(found);
      }
    };
    const queue = waiting.get(ec2.region);
    if (queue === undefined) {
      waiting.set(ec2.region, [{ key, ec2, answer }]);
      setTimeout(() => void flush(ec2.region), GATHER_MS);
    } else {
      queue.push({ key, ec2, answer });
    }
  });
}

async function flush(region: string): Promise<void> {
  const questions = waiting.get(region) ?? [];
  waiting.delete(region);
  for (let i = 0; i < questions.length; i += IDS_PER_FILTER) {
    const batch = questions.slice(i, i + IDS_PER_FILTER);
    // Asked under the deadline furthest away, so that one hook's short deadline does not fail the others'.
    const [longest] = [...batch].sort((a, b) => b.ec2.deadline.at - a.ec2.deadline.at);
    const keys = [...new Set(batch.map((q) => q.key))];
    try {
      const found = await longest.ec2.findSnapshots([interruptedFilter(keys)], `the unrecorded creates of ${keys.length} resource(s)`);
      const oldestFirst = found.sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0));
      batch.forEach((question) => question.answer(oldestFirst.filter((snapshot) => inFlightFor(snapshot, question.key))));
    } catch (error) {
      batch.forEach((question) => question.answer(error instanceof Error ? error : new Error(String(error))));
    }
  }
}
