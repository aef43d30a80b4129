import type { Snapshot } from "@aws-sdk/client-ec2";
import { formatDuration } from "../inputs/duration";
import { describeFailure, failureText } from "../messages/failureMessage";
import { AFTER_CANCEL, Deadline } from "./deadline";
import { deleteMembers } from "./memberDeletes";
import { CleanedUpError, PartialStateError } from "./partialState";
import type { CommonInputs, CreatePlan, HookRun, MemberFacts, ResourceModel } from "./resourceModel";
import { timeoutMs } from "./timeouts";
import { waitForMembers, type WaitOutcome } from "./waitOutcome";

/** What a failed snapshot means for the hook: on create it is deleted (it still counts against the volume's limit), on update it stays recorded as failed. */
export type OnError = "delete" | "record";

interface Settling<I extends CommonInputs, O extends object> {
  model: ResourceModel<I, O, CreatePlan>;
  run: HookRun<I>;
  id: string;
  facts: MemberFacts;
  onError: OnError;
  createdAt: number;
  /** Runs before a failed create's snapshots are deleted (their lock would forbid it). */
  beforeCleanup?: () => Promise<void>;
}

/**
 * Waits for the resource's snapshots when asked to, and maps the outcome, in this one place, to the
 * members to record or to the right failure: partial state when the deadline passes (the next
 * `pulumi up` resumes waiting), or a failed set deleted or recorded as failed.
 */
export async function settle<I extends CommonInputs, O extends object>(settling: Settling<I, O>, members: readonly Snapshot[]): Promise<Snapshot[]> {
  const { run } = settling;
  const outcome = await waitForMembers(run.ec2, members, { wait: run.inputs.waitForCompletion !== false, createdAt: settling.createdAt, label: run.label });
  return outcomeToMembers(settling, outcome);
}

async function outcomeToMembers<I extends CommonInputs, O extends object>(settling: Settling<I, O>, outcome: WaitOutcome): Promise<Snapshot[]> {
  const { model, run, id, facts } = settling;
  const { inputs, label, ec2 } = run;
  const record = (members: readonly Snapshot[], missing?: readonly string[]): O => model.outputs(inputs, members, facts, ec2.region, missing);
  switch (outcome.kind) {
    case "settled":
      return outcome.members;
    case "pending":
      throw new PartialStateError(
        id,
        record(outcome.members),
        failureText(
          label,
          model.text.stillPending(outcome.pending, outcome.members, outcome.cancelled ? "the deployment was cancelled by the Pulumi engine" : formatDuration(outcome.timeoutMs)),
          model.text.recordedPending,
          outcome.cancelled ? AFTER_CANCEL : `run \`pulumi up\` again, or raise ${outcome.timeoutName ?? "the timeout"} to wait longer in one run`,
        ),
      );
    case "vanished":
      if (!model.multi) {
        throw outcome.error;
      }
      throw new PartialStateError(
        id,
        record(outcome.members, outcome.vanished),
        describeFailure(label, outcome.error, `the rest of the ${model.noun} is recorded in the stack`, "run `pulumi refresh`, then `pulumi up`"),
      );
    case "failed": {
      const what = model.text.failed(outcome.failed, inputs);
      if (settling.onError === "delete") {
        await deleteFailed(settling, outcome.members, what);
      }
      throw new PartialStateError(id, record(outcome.members), failureText(label, what, model.text.recordedFailed, model.text.replaceNext));
    }
  }
}

/** All or nothing: deletes every snapshot of a failed create, and records the ones that could not be deleted. */
async function deleteFailed<I extends CommonInputs, O extends object>(settling: Settling<I, O>, members: readonly Snapshot[], what: string): Promise<never> {
  const { model, run, id, facts } = settling;
  const ids = members.map((m) => m.SnapshotId ?? "");
  const cleanup = Deadline.after(timeoutMs(run.inputs.timeouts, "delete"), `delete of the failed ${model.noun} ${id}`);
  try {
    await settling.beforeCleanup?.();
    const { remaining, errors } = await deleteMembers(run.ec2.withDeadline(cleanup), ids, settling.beforeCleanup !== undefined);
    if (remaining.length > 0) {
      const said = model.text.cleanupFailed(what, remaining, ids, errors);
      throw new PartialStateError(
        id,
        // Deleted members are missing: the resource is no longer whole, so its next diff replaces it.
        model.outputs(
          run.inputs,
          members.filter((m) => remaining.includes(m.SnapshotId ?? "")),
          facts,
          run.ec2.region,
          ids.filter((sid) => !remaining.includes(sid)),
        ),
        failureText(run.label, said.what, said.outcome, said.next),
      );
    }
  } finally {
    cleanup.dispose();
  }
  const said = model.text.cleanedUp(ids);
  throw new CleanedUpError(failureText(run.label, what, said.outcome, said.next));
}
