import type { Props } from "./hookTypes";

/**
 * An error that tells the Pulumi engine the snapshot exists even though the operation failed. The
 * dynamic-provider host turns `id`, `properties` and `reasons` into ErrorResourceInitFailed, so the
 * engine records the resource (and the next `pulumi up` resumes it) instead of forgetting and leaking it.
 */
export class PartialStateError extends Error {
  override readonly name = "PartialStateError";
  readonly reasons: string[];

  constructor(
    readonly id: string,
    readonly properties: object,
    message: string,
  ) {
    super(message);
    this.reasons = [message];
  }
}

/** A failure after which nothing the hook created exists any more (it was deleted): nothing to record. */
export class CleanedUpError extends Error {
  override readonly name = "CleanedUpError";
}

/**
 * Runs a create or update so that a partial state it reports carries `__provider`. The host adds it to
 * the outputs of a successful call only, yet the engine records partial-state properties as outputs
 * all the same, and refresh and delete load the provider from them.
 */
export async function recordingProvider<T>(props: Props, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PartialStateError && props.__provider !== undefined) {
      throw new PartialStateError(error.id, { ...error.properties, __provider: props.__provider }, error.message);
    }
    throw error;
  }
}

/**
 * Once a create has made something, every later failure must record it rather than lose it: any error
 * that is not already partial state or a completed cleanup becomes partial state with `properties`.
 */
export async function recordOnFailure<T>(id: string, properties: () => object, describe: (error: unknown) => string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PartialStateError || error instanceof CleanedUpError) {
      throw error;
    }
    throw new PartialStateError(id, properties(), describe(error));
  }
}
