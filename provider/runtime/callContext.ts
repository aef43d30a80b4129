import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What a face knows about one call that the hooks' arguments do not carry: the engine's
 * `customTimeouts` for it, the engine's cancel, and where lines about the resource go. The plugin face
 * sets it around each hook (provider/faces/plugin); the dynamic face sets nothing, and every hook then
 * behaves as it always has (its own `timeouts`, no cancel, lines on stderr).
 *
 * It travels with the call through every await (AsyncLocalStorage), so no hook, model or EC2 call
 * needs another parameter, and no face-specific type reaches the core.
 */
export interface CallContext {
  /** The engine's timeout for this operation (customTimeouts), in milliseconds. */
  timeoutMs?: number;
  /** Aborted when the engine cancels the deployment (the first Ctrl-C). */
  cancel?: AbortSignal;
  /** Where lines about this call's resource go, instead of stderr. */
  log?: (line: string) => void;
}

const storage = new AsyncLocalStorage<CallContext>();

/** Runs one hook call with its context. */
export function withCallContext<T>(context: CallContext, work: () => Promise<T>): Promise<T> {
  return storage.run(context, work);
}

/** The context of the call running now, if a face set one. */
export function currentCall(): CallContext | undefined {
  return storage.getStore();
}

/**
 * The function, bound to the context of the call running now: work that one call hands to a loop
 * shared by several (the poller's rounds) still speaks for the call that handed it over.
 */
export function boundToCall<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return AsyncLocalStorage.bind(fn);
}
