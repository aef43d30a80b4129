import type { Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2, Pace } from "../ec2/ec2";
import type { MemberFacts } from "./memberFacts";
import type { DiffResult } from "../inputs/diff";
import type { ResourceSpec } from "../inputs/spec";
import type { CheckFailure } from "../inputs/validate";
import type { TagChanges, TagMap } from "../inputs/tags";
import type { Explained } from "../messages/failureMessage";
import type { Settings } from "../runtime/settings";
import type { Timeouts } from "../types";
import type { CreationMarker } from "./creationMarker";
import type { Deadline } from "./deadline";
import type { MemberDeleteFailure } from "./memberDeletes";
import type { Props } from "./hookTypes";
import type { RecordedState } from "./recordedState";

/** The inputs every resource has; the lifecycle reads only these. */
export interface CommonInputs {
  description?: string;
  region?: string;
  tags?: Record<string, string>;
  waitForCompletion?: boolean;
  timeouts?: Timeouts;
  /** Every resource may be shared and locked; checked by the input rules, resolved by sharing.ts and locking.ts. */
  sharing?: unknown;
  lock?: unknown;
  /** Only the resources of one snapshot have these (tiering.ts). */
  storageTier?: unknown;
  restore?: unknown;
  __logicalName?: string;
}

// Its own file, so that recordedState.ts can name it without importing this one back.
export type { MemberFacts } from "./memberFacts";

/** What a create is about, decided before anything is sent. */
export interface CreatePlan {
  /** The volumes the create snapshots, each with its pending-snapshot limit. */
  volumes: readonly { volumeId: string; limit: number }[];
  /** Device names known before the create (a set's attachments). */
  deviceNames: ReadonlyMap<string, string>;
  /** What will be encrypted, when known before the create, so that public sharing is refused before anything is made. */
  encrypted?: readonly { subject: string; kmsKeyId?: string }[];
}

/** One hook run of one resource: everything the resource's own parts may need, instead of a parameter list. */
export interface HookRun<I> {
  inputs: I;
  /** `Snapshot "db"`: how messages name the resource. */
  label: string;
  ec2: Ec2;
  settings: Settings;
  deadline: Deadline;
}

/** The request(s) EC2 accepted, and whether an answer was lost on the way (then strays are swept). */
export interface Created {
  members: Snapshot[];
  uncertain: boolean;
}

/** The wording that differs between a resource of one snapshot and one of many. */
export interface ResourceText<I> {
  /** The next step after a failure that left the resource's snapshots recorded. */
  resumeNext: string;
  /** Announces a create resumed from snapshots an interrupted create left unrecorded. */
  resuming(members: readonly Snapshot[], inputs: I): string;
  /** What happened when the deadline passed with members still pending. */
  stillPending(pending: readonly Snapshot[], all: readonly Snapshot[], after: string): string;
  /** What exists after that. */
  recordedPending: string;
  /** What happened when members ended in `error`. */
  failed(failed: readonly Snapshot[], inputs: I): string;
  recordedFailed: string;
  /** The next step for a resource recorded as failed: the next `pulumi up` replaces it. */
  replaceNext: string;
  /** After a failure, deleting the failed snapshots failed for some: what, what exists, what next. */
  cleanupFailed(what: string, remaining: readonly string[], all: readonly string[], errors: readonly MemberDeleteFailure[]): { what: string; outcome: string; next: string };
  /** After a failure, every snapshot was deleted. */
  cleanedUp(all: readonly string[]): { outcome: string; next: string };
  /** An update found none of the recorded snapshots. */
  gone(ids: readonly string[]): Explained;
  /** A delete that left some snapshots. */
  deleteFailed(
    remaining: readonly string[],
    all: readonly string[],
    errors: readonly MemberDeleteFailure[],
    defaults: { outcome: string; next: string },
  ): { what: string; outcome: string; next: string };
}

/**
 * One resource, as the shared lifecycle (lifecycle.ts) runs it: only what differs between resources.
 * `I` is its inputs, `O` its outputs (state), `P` what its create decides before sending anything.
 */
export interface ResourceModel<I extends CommonInputs, O extends object, P extends CreatePlan = CreatePlan> {
  /** The type token's last part and the SDK class: "Snapshot". */
  type: string;
  /** What messages call it: "snapshot", "set". */
  noun: string;
  /** One snapshot, or several made by one request. */
  multi: boolean;
  /** Its inputs and outputs, described once: validation, the diff rules and inputsOf come from it. */
  spec: ResourceSpec;
  /** The input that names what is snapshotted (`volumeId`, `instanceId`); fixed for the resource's life. */
  identity: keyof I & string;
  /** What the create is about, for messages: "volume vol-…". */
  subject(inputs: I): string;
  /** Rules that relate several inputs, beyond each input's own (check). */
  checkInputs?(props: Props): CheckFailure[];
  /** The least default deadline of create and update (a time-based copy's promised duration). */
  atLeastMs?(inputs: I): number;
  /** The tags the create sends; the program's by default. */
  createTags?(inputs: I, plan: P): TagMap;
  /** Diff rules beyond the input tables, read from the recorded state. */
  diffState?(olds: RecordedState, news: Props, result: DiffResult): DiffResult;
  /** Looks up what the create is about and refuses what EC2 would refuse or ignore. */
  plan(run: HookRun<I>): Promise<P>;
  /** Whether a snapshot an interrupted create left is one this create would make. */
  resumable(snapshot: Snapshot, inputs: I): boolean;
  send(run: HookRun<I>, plan: P, marker: CreationMarker, pace: Pace): Promise<Created>;
  /** Whether EC2's create answer lacks fields the outputs need, so that the members are described once more. */
  describeAfterCreate: boolean;
  /** The resource's id: the snapshot's own, or one derived from the create's marker. */
  idOf(marker: CreationMarker, members: readonly Snapshot[]): string;
  /** The ids of the snapshots a state records. */
  recordedIds(id: string, state: RecordedState): string[];
  /**
   * For `pulumi import`: the state the provider would have recorded for a resource of this id made
   * outside it, from the id and what EC2 says (read uses it when it has no inputs at all). Without it,
   * the id alone names the snapshot.
   */
  importState?(id: string, ec2: Ec2): Promise<Props>;
  factsFromState(state: RecordedState): MemberFacts;
  outputs(inputs: I, members: readonly Snapshot[], facts: MemberFacts, region: string, missing?: readonly string[]): O;
  /** The tag calls that give the members `desired`; `previous` is what the resource managed before. */
  tagChanges(members: readonly Snapshot[], desired: TagMap, previous: TagMap, inputs: I): TagChanges;
  text: ResourceText<I>;
}
