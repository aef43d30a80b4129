import { Deadline } from "./deadline";
import { Ec2 } from "./ec2";
import { describeFailure } from "./failureMessage";
import { CleanedUpError, PartialStateError } from "./partialState";
import { readSettings, type Settings } from "./settings";
import { timeoutMs } from "./timeouts";
import type { Timeouts } from "./types";

export interface HookContext {
  ec2: Ec2;
  settings: Settings;
  deadline: Deadline;
}

/** One hook run: what it is about, how long it may take, and what to tell the user if it fails. */
export interface HookSpec {
  /** The resource, as messages name it: `Snapshot "db"`. */
  label: string;
  /** What the hook does, without the resource's name: "create (volume vol-1)". */
  operation: string;
  /** The resource's `timeouts` input and which of its entries bounds this hook. */
  timeouts: unknown;
  timeout: keyof Timeouts;
  region: string | undefined;
  /** What exists afterwards when the work fails without saying so itself. */
  outcome: string;
  /** What to do next when the error does not know better. */
  next: string;
}

/**
 * Gives an error the one shape (see failureMessage.ts) unless the hook already gave it one: errors
 * composed by the hook start with the resource's name, and only those are left alone.
 */
function shaped(spec: HookSpec, error: unknown): unknown {
  if (error instanceof Error && error.message.startsWith(`${spec.label}: `)) {
    return error;
  }
  const message = describeFailure(spec.label, error, spec.outcome, spec.next);
  if (error instanceof PartialStateError) {
    return new PartialStateError(error.id, error.properties, message);
  }
  if (error instanceof CleanedUpError) {
    return new CleanedUpError(message, { cause: error });
  }
  return new Error(message, { cause: error });
}

/**
 * Runs one hook's work with its settings, its own deadline and an EC2 connection in the right region;
 * the deadline is released however the work ends, and every error names the resource once.
 */
export async function runHook<T>(spec: HookSpec, work: (context: HookContext) => Promise<T>): Promise<T> {
  const deadline = Deadline.after(timeoutMs(spec.timeouts, spec.timeout), spec.operation, `timeouts.${spec.timeout}`);
  try {
    const settings = readSettings();
    const ec2 = await Ec2.connect(settings, deadline, spec.region, spec.label);
    return await work({ ec2, settings, deadline });
  } catch (error) {
    throw shaped(spec, error);
  } finally {
    deadline.dispose();
  }
}
