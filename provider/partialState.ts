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
