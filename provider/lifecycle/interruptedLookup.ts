import type { Snapshot } from "@aws-sdk/client-ec2";
import { inFlightFilter, inFlightFor } from "./creationMarker";
import { Deadline, lastFailureOf } from "./deadline";
import { formatDuration } from "../inputs/duration";
import type { Ec2 } from "../ec2/ec2";
import { writeLine } from "../messages/log";
import { processRegistry } from "../runtime/processState";

/**
 * Every create first asks whether an earlier create of the same resource was interrupted before it
 * could record its snapshots. Only creates in flight or interrupted carry an in-flight token, so one
 * DescribeSnapshots lists them all for the region, whatever resource they belong to, and that one answer
 * serves every create of the deployment: a snapshot of resource R can only come from a create of R, and
 * the engine runs at most one create of R per deployment, in this process, after this answer (a stack's
 * lock keeps two deployments of it apart). The answer is renewed after a minute, and a create looks again
 * at what it would resume before resuming it, so an old answer can never resume the wrong snapshot, only
 * miss one made since, which nothing in a deployment does.
 */
const ANSWER_TTL_MS = 60_000;

/**
 * The question is worth a share of the hook's time, not the create itself: under throttling that
 * outlasts this bound the create goes ahead, as it did before creates could be resumed.
 */
const SHARE_OF_DEADLINE = 0.25;
const MAX_WAIT_MS = 30_000;

interface Answer {
  askedAt: number;
  inFlight: Promise<Snapshot[]>;
}

const answers = processRegistry<Answer>("interruptedLookups");

/**
 * The snapshots that earlier creates of this resource (`key`) made and never recorded, oldest first,
 * as last listed; none if EC2 could not say within the bound, with one line saying so.
 */
export async function interruptedCreates(ec2: Ec2, key: string, label: string): Promise<Snapshot[]> {
  // A share of what is left, so it always ends before the hook's own deadline.
  const bound = Deadline.after(Math.min(MAX_WAIT_MS, ec2.deadline.remainingMs() * SHARE_OF_DEADLINE), `the search for an interrupted create of ${label}`);
  try {
    const listed = await Promise.race([inFlightSnapshots(ec2.withDeadline(bound)), abandoned(bound)]);
    return listed.filter((snapshot) => inFlightFor(snapshot, key));
  } catch (error) {
    ec2.deadline.throwIfExpired();
    // Out of time, the last thing EC2 answered says why; no answer at all has no code.
    const { code, httpStatus } = lastFailureOf(error);
    const answered = httpStatus !== undefined && typeof code === "string" ? `EC2 ${code}` : "no answer from EC2";
    writeLine(`${label}: could not check for an earlier create of it that was interrupted (${answered} within ${formatDuration(bound.timeoutMs)}); taking a new snapshot`);
    return [];
  } finally {
    bound.dispose();
  }
}

/** Rejects when this hook's bound passes: an answer shared with other hooks may outlive it. */
function abandoned(bound: Deadline): Promise<never> {
  return new Promise((_, reject) => {
    if (bound.expired) {
      reject(bound.signal.reason);
    }
    bound.signal.addEventListener("abort", () => reject(bound.signal.reason), { once: true });
  });
}

/** Every in-flight snapshot of the region, one call per minute at most, shared by every hook asking meanwhile. */
function inFlightSnapshots(ec2: Ec2): Promise<Snapshot[]> {
  const now = Date.now();
  const cached = answers.get(ec2.region);
  if (cached !== undefined && now - cached.askedAt < ANSWER_TTL_MS) {
    return cached.inFlight;
  }
  const inFlight = ec2
    .findSnapshots([inFlightFilter()], "snapshots of creates not recorded yet")
    .then((found) => found.sort((a, b) => (a.StartTime?.getTime() ?? 0) - (b.StartTime?.getTime() ?? 0)));
  const answer = { askedAt: now, inFlight };
  answers.set(ec2.region, answer);
  // A failed answer is not kept: the next create asks again.
  inFlight.catch(() => {
    if (answers.get(ec2.region) === answer) {
      answers.delete(ec2.region);
    }
  });
  return inFlight;
}
