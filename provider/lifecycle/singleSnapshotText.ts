import type { ResourceText } from "./resourceModel";

/** The wording every resource of one snapshot shares (Snapshot, SnapshotCopy); `replaceNext` is its own. */
export function singleSnapshotText<I>(
  replaceNext: string,
): Pick<ResourceText<I>, "resumeNext" | "recordedPending" | "recordedFailed" | "replaceNext" | "cleanupFailed" | "deleteFailed"> {
  return {
    resumeNext: "run `pulumi up` again to resume it",
    recordedPending: "it is recorded in the stack, and the next `pulumi up` resumes waiting",
    recordedFailed: "it is recorded in the stack as failed",
    replaceNext,
    cleanupFailed: (what, [id], _all, [{ why }]) => ({
      what: `${what}, and deleting it failed too: ${why.what.replace(`snapshot ${id} `, "it ")}`,
      outcome: "it is recorded in the stack as failed",
      next: why.next ?? replaceNext,
    }),
    deleteFailed: (_remaining, _all, [{ why }], defaults) => ({ what: why.what, outcome: defaults.outcome, next: why.next ?? defaults.next }),
  };
}
