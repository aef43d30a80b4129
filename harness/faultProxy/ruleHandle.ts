/** What every registration on the fault proxy returns: a way to take it back. */
export interface RuleHandle {
  /** Stops the rule from applying to anything that happens from now on. Idempotent. */
  remove(): void;
}
