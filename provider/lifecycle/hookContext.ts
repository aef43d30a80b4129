import { Deadline } from "./deadline";
import { Ec2 } from "../ec2/ec2";
import { describeFailure, OUTCOME } from "../messages/failureMessage";
import { CleanedUpError, PartialStateError } from "./partialState";
import { currentCall } from "../runtime/callContext";
import { readSettings, type Settings } from "../runtime/settings";
import { timeoutMs } from "./timeouts";
import type { Timeouts } from "../types";

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
  /** The least default deadline this resource needs (see timeoutMs). */
  atLeastMs?: number;
  /** What exists afterwards when the work fails without saying so itself. */
  outcome: string;
  /** What to do next when the error does not know better. */
  next: string;
}

export type HookKind = "create" | "refresh" | "update" | "delete";

/** What each kind of hook leaves behind when it fails without saying more, and what to do then. */
const HOOK_DEFAULTS: Readonly<Record<HookKind, { timeout: keyof Timeouts; outcome: (noun: string) => string; next: string }>> = {
  create: { timeout: "create", outcome: () => OUTCOME.nothingCreated, next: "run `pulumi up` again" },
  refresh: { timeout: "update", outcome: () => OUTCOME.refreshUnchanged, next: "run `pulumi refresh` again" },
  update: { timeout: "update", outcome: (noun) => `the ${noun} stays recorded in the stack`, next: "run `pulumi up` again" },
  delete: { timeout: "delete", outcome: (noun) => `the ${noun} was not deleted and stays in the stack`, next: "run the delete again" },
};

/**
 * The spec of one hook run: `subject` is what the operation is about ("volume vol-1", a snapshot id),
 * `noun` what the resource is called in messages ("snapshot", "set").
 */
export function hookSpec(kind: HookKind, resource: { label: string; noun: string; subject: string; timeouts: unknown; region: string | undefined; atLeastMs?: number }): HookSpec {
  const defaults = HOOK_DEFAULTS[kind];
  return {
    label: resource.label,
    operation: `${kind} (${resource.subject})`,
    timeouts: resource.timeouts,
    timeout: defaults.timeout,
    region: resource.region,
    ...(resource.atLeastMs !== undefined ? { atLeastMs: resource.atLeastMs } : {}),
    outcome: defaults.outcome(resource.noun),
    next: defaults.next,
  };
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
 * The deadline of one hook run. The engine's `customTimeouts` (which only the plugin face receives) win
 * over the resource's `timeouts` input: they are Pulumi's own option, set on the resource where the
 * program declares it, and the engine waits no longer than they say. Without them, `timeouts` applies,
 * then the default.
 */
function hookDeadline(spec: HookSpec): Deadline {
  const call = currentCall();
  if (call?.timeoutMs !== undefined) {
    return Deadline.after(call.timeoutMs, spec.operation, `customTimeouts.${spec.timeout}`, call.cancel);
  }
  return Deadline.after(timeoutMs(spec.timeouts, spec.timeout, spec.atLeastMs), spec.operation, `timeouts.${spec.timeout}`, call?.cancel);
}

/**
 * Runs one hook's work with its settings, its own deadline and an EC2 connection in the right region;
 * the deadline is released however the work ends, and every error names the resource once.
 */
export async function runHook<T>(spec: HookSpec, work: (context: HookContext) => Promise<T>): Promise<T> {
  const deadline = hookDeadline(spec);
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
