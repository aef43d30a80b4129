/**
 * One reliability scenario: seed moto, inject faults through the proxy, run `pulumi up` / refresh /
 * destroy steps through a Deployment on a dynamic-provider host (killing and replacing the host when the
 * scenario asks), then compare every snapshot and every volume the emulator holds with every snapshot
 * and volume id the state records, destroy, and check that nothing is left. The outcome becomes a row of
 * the reliability report.
 *
 * "The emulator" is moto read directly (allSnapshots and allVolumes on world.ec2), past any fault the
 * proxy injects. "State" is what the host returned, as the Deployment records it: Snapshot ids,
 * SnapshotSet members (outputs.snapshotIds and outputs.snapshots), VolumeSet volumes (outputs.volumeIds
 * and outputs.volumes), and the same for resources awaiting deletion.
 *
 * Volumes: the provider makes them only through a VolumeSet, always through the proxy and always with
 * its create-token tag, so a volume that carries the tag or that the proxy saw created is the
 * provider's. Every other volume (a seeded instance's root and data volumes, a restore's target
 * instance) is the test's own: each step first notes those as foreign, and the provider must never
 * delete or record them.
 */
import * as assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { AssertionError } from "node:assert";
import { DescribeVolumesCommand, type EC2Client, type Volume } from "@aws-sdk/client-ec2";
import { Deployment, type DeploymentState, type ProgramResource, type ResourceState, type Step, type UpOptions } from "../../harness/deployment";
import { failureShapeProblems, labelOfUrn } from "./failureShape";
import type { EngineWorld } from "../../harness/engineWorld";
import type { AttachFault, AttachSelector, FaultHandle, FaultRule, RecordedRequest, RuleHandle, SnapshotHold } from "../../harness/faultProxy";
import { HostCallError, type JsonValue, type ProviderHost } from "../../harness/providerHost";
import { KILL_WINDOW_MS, killWhen } from "./hostKill";
import { TOKEN_TAG } from "./reliabilityInputs";
import { recordScenario } from "./reliabilityRecorder";
import type { ResourceKind, ScenarioRow } from "./reliabilityReport";
import { allSnapshots } from "../../harness/seed";

export const TYPE_TOKENS: Readonly<Record<ResourceKind, string>> = {
  Snapshot: "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot",
  SnapshotSet: "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet",
  VolumeSet: "pulumi-nodejs:dynamic/ebs-snapshots:VolumeSet",
};

export function urnOf(resource: ResourceKind, name: string): string {
  return `urn:pulumi:stack::project::${TYPE_TOKENS[resource]}::${name}`;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : [];
}

/** The one step of a deployment of one resource. */
export function onlyStep(steps: Step[]): Step {
  assert.equal(steps.length, 1, `expected one step, got ${JSON.stringify(steps.map((s) => [s.op, s.ok]))}`);
  return steps[0];
}

/** A step as [operation, ok, error message], for exact assertions. */
export function stepOutcome(step: Step): [string, boolean, string | undefined] {
  return [step.op, step.ok, step.error?.message];
}

/** The state a scenario's deployment records for one resource; fails the test when there is none. */
export function recordedResource(s: Scenario, resource: ResourceKind, name: string): ResourceState {
  const recorded = s.deployment.state.resources[urnOf(resource, name)];
  assert.ok(recorded, `state records no ${resource} "${name}"`);
  return recorded;
}

/** The snapshot ids one recorded resource stands for; a VolumeSet owns none (its snapshots are its sources, someone else's). */
export function snapshotIdsOf(resource: ResourceState): string[] {
  if (resource.type === TYPE_TOKENS.Snapshot) {
    const snapshotId = resource.outputs.snapshotId;
    return [resource.id, ...(typeof snapshotId === "string" ? [snapshotId] : [])].filter((id) => id !== "");
  }
  if (resource.type === TYPE_TOKENS.SnapshotSet) {
    const members = Array.isArray(resource.outputs.snapshots) ? resource.outputs.snapshots : [];
    const memberIds = members.flatMap((member) =>
      member !== null && typeof member === "object" && !Array.isArray(member) && typeof member.snapshotId === "string" ? [member.snapshotId] : [],
    );
    return [...strings(resource.outputs.snapshotIds), ...memberIds];
  }
  if (resource.type === TYPE_TOKENS.VolumeSet) {
    return [];
  }
  throw new Error(`state records a resource of type ${resource.type}, which the reliability suite does not know`);
}

/** Every snapshot id a checkpoint records, resources and pending deletes alike, sorted. */
export function recordedSnapshotIds(state: DeploymentState): string[] {
  return [...new Set([...Object.values(state.resources), ...state.pendingDeletes].flatMap(snapshotIdsOf))].sort();
}

/** The volume ids one recorded resource stands for: a VolumeSet's list and each of its volumes' entries. */
export function volumeIdsOf(resource: ResourceState): string[] {
  if (resource.type !== TYPE_TOKENS.VolumeSet) {
    return [];
  }
  const volumes = Array.isArray(resource.outputs.volumes) ? resource.outputs.volumes : [];
  const entryIds = volumes.flatMap((volume) =>
    volume !== null && typeof volume === "object" && !Array.isArray(volume) && typeof volume.volumeId === "string" && volume.volumeId !== "" ? [volume.volumeId] : [],
  );
  return [...strings(resource.outputs.volumeIds), ...entryIds];
}

/** Every volume id a checkpoint records, resources and pending deletes alike, sorted. */
export function recordedVolumeIds(state: DeploymentState): string[] {
  return [...new Set([...Object.values(state.resources), ...state.pendingDeletes].flatMap(volumeIdsOf))].sort();
}

/** Every volume in the emulator (moto read directly, past the proxy). */
export async function allVolumes(ec2: EC2Client): Promise<Volume[]> {
  const volumes: Volume[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ec2.send(new DescribeVolumesCommand(nextToken !== undefined ? { NextToken: nextToken } : {}));
    volumes.push(...(out.Volumes ?? []));
    nextToken = out.NextToken;
  } while (nextToken !== undefined && nextToken !== "");
  return volumes;
}

/** True when the provider made the volume: it carries the create-token tag, or the proxy saw its CreateVolume (tests make theirs on moto directly). */
export function madeByProvider(world: EngineWorld, volume: Volume): boolean {
  return (volume.Tags ?? []).some((tag) => tag.Key === TOKEN_TAG) || world.proxy.snapshotOfVolume(volume.VolumeId ?? "") !== undefined;
}

/** What the scenario knows about the emulator beyond the state: what the test itself made and deleted outside Pulumi. */
export interface LedgerKnowledge {
  /** Snapshots and volumes the test made outside Pulumi (and the volumes noted as foreign before each step). */
  foreign: ReadonlySet<string>;
  /** Volumes the test deleted outside Pulumi: gone, but not lost by the provider. */
  deletedOutside: ReadonlySet<string>;
}

export interface LedgerCheck {
  /** Every snapshot of this account and every volume in the emulator. */
  emulator: string[];
  /** What of the emulator is the provider's: snapshots not made by the test, volumes the provider made. */
  owned: string[];
  /** Every snapshot and volume id the state records. */
  recorded: string[];
  /** The provider's, in the emulator, recorded by no state. */
  leaked: string[];
  /** Recorded by state, gone from the emulator, and not deleted by the test outside Pulumi. */
  lost: string[];
  /** Snapshots and volumes the test made outside Pulumi (or seeded) that are gone, and not by the test's own hand. */
  foreignMissing: string[];
}

/**
 * Compares the emulator with the state. Snapshots: as ever (every snapshot is the provider's unless the
 * test made it). Volumes: only those the provider made can leak; one that state records and the
 * emulator lacks is lost unless the test deleted it outside Pulumi; a foreign one gone was deleted.
 */
export async function checkLedger(world: EngineWorld, state: DeploymentState, known: LedgerKnowledge): Promise<LedgerCheck> {
  const { foreign, deletedOutside } = known;
  const snapshots = (await allSnapshots(world.ec2))
    .map((snapshot) => snapshot.SnapshotId ?? "")
    .filter((id) => id !== "")
    .sort();
  const volumes = (await allVolumes(world.ec2)).filter((volume) => (volume.VolumeId ?? "") !== "");
  const volumeIds = volumes.map((volume) => volume.VolumeId ?? "").sort();
  const providerVolumes = volumes
    .filter((volume) => madeByProvider(world, volume) && !foreign.has(volume.VolumeId ?? ""))
    .map((volume) => volume.VolumeId ?? "")
    .sort();
  const recordedSnapshots = recordedSnapshotIds(state);
  const recordedVolumes = recordedVolumeIds(state);
  const emulator = [...snapshots, ...volumeIds];
  const owned = [...snapshots.filter((id) => !foreign.has(id)), ...providerVolumes];
  const recorded = [...recordedSnapshots, ...recordedVolumes];
  return {
    emulator,
    owned,
    recorded,
    leaked: owned.filter((id) => !recorded.includes(id)),
    lost: [...recordedSnapshots.filter((id) => !snapshots.includes(id)), ...recordedVolumes.filter((id) => !volumeIds.includes(id) && !deletedOutside.has(id))],
    foreignMissing: [...foreign].filter((id) => !emulator.includes(id) && !deletedOutside.has(id)).sort(),
  };
}

/** The hosts a suite file owns; scenarios borrow them. */
export interface ScenarioHosts {
  /** The host most steps run on: one process serving many deployments, as a long `pulumi up` would. */
  shared: ProviderHost;
  /** A new, configured host process that has served nothing yet. */
  fresh(): Promise<ProviderHost>;
  /** Credential values that must never appear anywhere the scenario can see. */
  secrets: readonly string[];
}

/**
 * A rule of the proxy's snapshot model. Progress plans (pending, error) and visibility delays each follow
 * the proxy's precedence: a new snapshot gets the latest matching rule of its group registered before it
 * was made. `from` and `until` are positions in the proxy's request log (registration, removal).
 */
interface LifecycleRule {
  group: "progress" | "visibility";
  label: "pending" | "lifecycle:error" | "lifecycle:invisible";
  volumeIds: readonly string[];
  from: number;
  until?: number;
  remove(): void;
}

/**
 * A rule of the proxy's volume model that is a fault (a volume ending in `error`, a refused attach),
 * counted by the requests it took between its registration and its removal (positions in the request log).
 */
interface VolumeRule {
  label: string;
  from: number;
  until?: number;
  /** True for a request in the rule's window that the rule acted on. */
  hit(request: RecordedRequest): boolean;
  remove(): void;
}

const SNAPSHOT_ID = /\bsnap-[0-9a-f]{8,17}\b/g;

/** Where a host's output stood when a scenario started using it, so that only its own lines are scanned. */
interface HostMark {
  host: ProviderHost;
  stdout: number;
  stderr: number;
}

/** What a scenario's steps use: the current deployment, and counted ways of injecting faults. */
export class Scenario {
  deployment: Deployment;
  /**
   * Snapshots and volumes the test made outside Pulumi: the provider must never delete or adopt them.
   * Every volume the provider did not make is added before each step.
   */
  readonly foreign = new Set<string>();
  /** Volumes the test deleted outside Pulumi (in an outOfBand change): gone, but not lost. */
  readonly deletedOutside = new Set<string>();
  /** Every step error, for the secrets scan and the report. */
  readonly errors: Error[] = [];
  /** Every step error with the resource it is about, for the shape audit. */
  readonly failures: { urn: string; error: Error }[] = [];
  /** The checkpoint after every command, for the secrets scan. */
  readonly states: DeploymentState[] = [];
  private readonly stepLog: string[] = [];
  private readonly faultHandles: { label: string; handle: FaultHandle }[] = [];
  private readonly rules: LifecycleRule[] = [];
  private readonly volumeRules: VolumeRule[] = [];
  private readonly holds: SnapshotHold[] = [];
  private readonly incidents: string[] = [];
  private readonly hostMarks: HostMark[] = [];
  private killCount = 0;

  constructor(
    readonly world: EngineWorld,
    private readonly hosts: ScenarioHosts,
  ) {
    this.deployment = new Deployment(hosts.shared);
    this.mark(hosts.shared);
  }

  get host(): ProviderHost {
    return this.deployment.host;
  }

  get kills(): number {
    return this.killCount;
  }

  get steps(): string {
    return this.stepLog.join(" ");
  }

  /** A proxy fault; every request it hits counts as a fault injected. */
  inject(rule: FaultRule): FaultHandle {
    const handle = this.world.proxy.inject(rule);
    const label = rule.kind === "error" ? `error:${rule.code}` : rule.kind === "reset" ? `reset:${rule.phase}` : `delay:${rule.ms}ms`;
    const actions = rule.action === undefined ? "*" : typeof rule.action === "string" ? rule.action : rule.action.join("|");
    this.faultHandles.push({ label: `${label}@${actions}`, handle });
    return handle;
  }

  /** New snapshots of these volumes pend for a few polls and complete: EC2's normal behaviour, not a fault. */
  pending(volumeIds: readonly string[], pendingDescribes: number): RuleHandle {
    return this.lifecycle("progress", "pending", volumeIds, this.world.proxy.progressNewSnapshots({ pendingDescribes, volumeIds }));
  }

  /** New snapshots of these volumes pend, then end in `error` with this message (proxy): one fault per snapshot it applies to. */
  endInError(volumeIds: readonly string[], message: string, pendingDescribes = 1): RuleHandle {
    const handle = this.world.proxy.progressNewSnapshots({ pendingDescribes, volumeIds, end: { state: "error", message } });
    return this.lifecycle("progress", "lifecycle:error", volumeIds, handle);
  }

  /** New snapshots of these volumes are missing from their first DescribeSnapshots lookups (proxy): one fault per snapshot it applies to. */
  hide(volumeIds: readonly string[], lookups: number): RuleHandle {
    return this.lifecycle("visibility", "lifecycle:invisible", volumeIds, this.world.proxy.hideNewSnapshots({ lookups, volumeIds }));
  }

  /** New snapshots of these volumes stay pending until released (proxy): one fault per snapshot held. */
  hold(volumeIds: readonly string[]): SnapshotHold {
    const hold = this.world.proxy.holdNewSnapshots({ volumeIds });
    this.holds.push(hold);
    return hold;
  }

  /**
   * New volumes made from this snapshot report `creating` once, then `error` until deleted (proxy): one
   * fault per volume it applies to (each CreateVolume of that snapshot that reached EC2 while it was registered).
   */
  failVolumes(snapshotId: string, message?: string): RuleHandle {
    const handle = this.world.proxy.failNewVolumes({ snapshotId }, message);
    return this.volumeRule("lifecycle:volume-error", handle, (request) => request.action === "CreateVolume" && request.forwarded && request.params["SnapshotId"] === snapshotId);
  }

  /** AttachVolume of the selected volumes answered with EC2's error and not forwarded (proxy): one fault per attach it refused. */
  refuseAttach(selector: AttachSelector, fault: AttachFault = {}): RuleHandle {
    const handle = this.world.proxy.refuseAttach(selector, fault);
    const code = fault.code ?? "IncorrectState";
    return this.volumeRule(`refused-attach:${code}`, handle, (request) => {
      const volumeId = request.params["VolumeId"] ?? "";
      const selected =
        (selector.volumeId === undefined || selector.volumeId === volumeId) &&
        (selector.snapshotId === undefined || this.world.proxy.snapshotOfVolume(volumeId) === selector.snapshotId);
      return request.action === "AttachVolume" && request.fault === `refused:${code}` && selected;
    });
  }

  /** A change made outside Pulumi, straight to moto; counts as one fault. Volumes it deletes are noted as deleted by the test. */
  async outOfBand(label: string, change: () => Promise<void>): Promise<void> {
    const before = await this.noteForeignVolumes();
    await change();
    const after = new Set((await allVolumes(this.world.ec2)).map((volume) => volume.VolumeId ?? ""));
    before.filter((id) => !after.has(id)).forEach((id) => this.deletedOutside.add(id));
    this.incidents.push(`out-of-band:${label}`);
  }

  async up(resources: ProgramResource[], options?: UpOptions): Promise<Step[]> {
    await this.noteForeignVolumes();
    return this.note("up", await this.deployment.up(resources, options));
  }

  async refresh(): Promise<Step[]> {
    await this.noteForeignVolumes();
    return this.note("refresh", await this.deployment.refresh());
  }

  async destroy(): Promise<Step[]> {
    await this.noteForeignVolumes();
    return this.note("destroy", await this.deployment.destroy());
  }

  /**
   * killWhen for a wait on volumes: DescribeVolumes answers are held KILL_WINDOW_MS too (a counted
   * slow-answer fault), so the wait cannot finish between the progress line and the kill.
   */
  async killWhenVolumes(line: RegExp, work: () => Promise<Step[]>): Promise<Step[]> {
    const slowPolls = this.inject({ kind: "delay", action: "DescribeVolumes", ms: KILL_WINDOW_MS, times: Number.POSITIVE_INFINITY });
    try {
      return await this.killWhen(line, work);
    } finally {
      slowPolls.remove();
    }
  }

  /** hostKill.ts's killWhen on this scenario's host, its slow-answer fault counted, its kill recorded. */
  killWhen(line: RegExp, work: () => Promise<Step[]>): Promise<Step[]> {
    return killWhen(
      this.host,
      (rule) => this.inject(rule),
      line,
      work,
      () => {
        this.killCount += 1;
        this.incidents.push("host-kill");
      },
    );
  }

  /**
   * Runs `work` and SIGKILLs the host as soon as the proxy has received a request for `action` from it
   * (the scenario holds that request's answer with a delay fault, so it is in flight at the kill).
   */
  async killWhenRequested(action: string, work: () => Promise<Step[]>): Promise<Step[]> {
    const host = this.host;
    const from = this.world.proxy.requests.length;
    let finished = false;
    const running = work().finally(() => {
      finished = true;
    });
    while (!this.world.proxy.requests.slice(from).some((request) => request.action === action)) {
      if (finished) {
        throw new AssertionError({ message: `the steps finished without sending ${action}; nothing was interrupted` });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await host.kill();
    this.killCount += 1;
    this.incidents.push("host-kill");
    return running;
  }

  /** Carries on from the recorded state, round-tripped through JSON, in a new host process. */
  async continueOnFreshHost(): Promise<ProviderHost> {
    const state = JSON.parse(JSON.stringify(this.deployment.state)) as DeploymentState;
    const host = await this.hosts.fresh();
    this.mark(host);
    this.deployment = new Deployment(host, state);
    return host;
  }

  /** Carries on from the recorded state on another host (one started with other settings). */
  useHost(host: ProviderHost): void {
    this.mark(host);
    this.deployment = new Deployment(host, this.deployment.state);
  }

  /** Takes every fault and lifecycle rule back and releases held snapshots (snapshots and volumes already in `error` stay so). */
  quiesce(): void {
    this.faultHandles.forEach(({ handle }) => handle.remove());
    this.rules.forEach((rule) => rule.remove());
    this.volumeRules.forEach((rule) => rule.remove());
    this.holds.forEach((hold) => hold.release());
  }

  /** The faults that actually hit, and their labels with counts. */
  async faultsInjected(): Promise<{ total: number; labels: string[] }> {
    const counts = new Map<string, number>();
    const add = (label: string, n: number): void => {
      if (n > 0) {
        counts.set(label, (counts.get(label) ?? 0) + n);
      }
    };
    this.faultHandles.forEach(({ label, handle }) => add(label, handle.hits));
    this.holds.forEach((hold) => add("lifecycle:held", hold.snapshotIds.length));
    for (const rule of await this.appliedRules()) {
      if (rule.label !== "pending") {
        add(rule.label, 1);
      }
    }
    const requests = this.world.proxy.requests;
    for (const rule of this.volumeRules) {
      add(rule.label, requests.slice(rule.from, rule.until ?? requests.length).filter((request) => rule.hit(request)).length);
    }
    this.incidents.forEach((label) => add(label, 1));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return { total, labels: [...counts.entries()].map(([label, n]) => `${label}×${n}`) };
  }

  /** Occurrences of any secret in the state after each command, the host lines and every error message. */
  secretsFound(): number {
    const texts: string[] = [
      ...this.states.map((state) => JSON.stringify(state)),
      ...this.hostMarks.flatMap((mark) => [...mark.host.stdout.slice(mark.stdout), ...mark.host.stderr.slice(mark.stderr)]),
      ...this.errors.flatMap((error) => [
        error.message,
        error.stack ?? "",
        ...(error instanceof HostCallError && error.initFailed !== undefined ? [JSON.stringify(error.initFailed)] : []),
      ]),
    ];
    let found = 0;
    for (const secret of this.hosts.secrets) {
      for (const text of texts) {
        found += text.split(secret).length - 1;
      }
    }
    return found;
  }

  /** Notes every volume in the emulator that the provider did not make as foreign (the test's own); returns every volume id. */
  private async noteForeignVolumes(): Promise<string[]> {
    const volumes = await allVolumes(this.world.ec2);
    for (const volume of volumes) {
      if (volume.VolumeId !== undefined && !madeByProvider(this.world, volume)) {
        this.foreign.add(volume.VolumeId);
      }
    }
    return volumes.map((volume) => volume.VolumeId ?? "").filter((id) => id !== "");
  }

  private volumeRule(label: string, handle: RuleHandle, hit: (request: RecordedRequest) => boolean): RuleHandle {
    const rule: VolumeRule = {
      label,
      from: this.world.proxy.requests.length,
      hit,
      remove: () => {
        rule.until ??= this.world.proxy.requests.length;
        handle.remove();
      },
    };
    this.volumeRules.push(rule);
    return { remove: () => rule.remove() };
  }

  private lifecycle(group: LifecycleRule["group"], label: LifecycleRule["label"], volumeIds: readonly string[], handle: RuleHandle): RuleHandle {
    const rule: LifecycleRule = {
      group,
      label,
      volumeIds,
      from: this.world.proxy.requests.length,
      remove: () => {
        rule.until ??= this.world.proxy.requests.length;
        handle.remove();
      },
    };
    this.rules.push(rule);
    return { remove: () => rule.remove() };
  }

  /**
   * For each snapshot the scenario made through the proxy, the rule of each group that applied to it.
   * A snapshot is born just before the first request that names it (or, if none ever did, after every
   * request: it is in the emulator only); snapshots made outside Pulumi are not the proxy's to change.
   */
  private async appliedRules(): Promise<LifecycleRule[]> {
    const births = new Map<string, number>();
    this.world.proxy.requests.forEach((request, index) => {
      for (const value of Object.values(request.params)) {
        for (const match of value.matchAll(SNAPSHOT_ID)) {
          if (!births.has(match[0])) {
            births.set(match[0], index);
          }
        }
      }
    });
    for (const snapshot of await allSnapshots(this.world.ec2)) {
      if (snapshot.SnapshotId !== undefined && !births.has(snapshot.SnapshotId)) {
        births.set(snapshot.SnapshotId, Number.POSITIVE_INFINITY);
      }
    }
    const applied: LifecycleRule[] = [];
    for (const [snapshotId, born] of births) {
      const volumeId = this.world.proxy.volumeOf(snapshotId);
      if (this.foreign.has(snapshotId) || volumeId === undefined) {
        continue;
      }
      for (const group of ["progress", "visibility"] as const) {
        const rule = this.rules.filter((r) => r.group === group && r.volumeIds.includes(volumeId) && r.from < born && (r.until === undefined || r.until >= born)).pop();
        if (rule !== undefined) {
          applied.push(rule);
        }
      }
    }
    return applied;
  }

  private note(command: string, steps: Step[]): Step[] {
    this.stepLog.push(`${command}[${steps.map((step) => `${step.op}:${step.ok ? "ok" : "fail"}`).join(",")}]`);
    steps.forEach((step) => {
      if (step.error !== undefined) {
        this.errors.push(step.error);
        this.failures.push({ urn: step.urn, error: step.error });
      }
    });
    this.states.push(this.deployment.state);
    return steps;
  }

  private mark(host: ProviderHost): void {
    if (!this.hostMarks.some((mark) => mark.host === host)) {
      this.hostMarks.push({ host, stdout: host.stdout.length, stderr: host.stderr.length });
    }
  }
}

export interface ScenarioSpec {
  name: string;
  resource: ResourceKind;
  /** The steps and the scenario's own assertions about them. */
  run(scenario: Scenario): Promise<void>;
  /** Keep the scenario's faults in place through the final destroy (they are taken back before it otherwise). */
  destroyUnderFaults?: boolean;
  /** Assertions that need the destroy done (for example, faults that hit DeleteSnapshot). */
  afterDestroy?(scenario: Scenario): Promise<void> | void;
}

/**
 * What a volume set's errors say exists afterwards, in words about volumes: the shape audit's outcome
 * words (failureShape.ts) are about snapshots.
 */
const VOLUME_OUTCOMES = [/\bno volume was created\b/i, /\bwere detached and deleted, so nothing of it is left\b/, /\bthe set is recorded in the stack\b/];
const NO_OUTCOME = "says nothing of what exists afterwards";
/** A next step that failureShape.ts's list of verbs lacks, though imperative: "Fix the cause, then run `pulumi up` again." */
const VOLUME_NEXT = /(?<=\.)\s+Fix the cause, then run `pulumi (up|destroy)` again\.$|(?<=\.)\s+Fix the cause, then run the delete again\.$/;

/** The shape audit of failureShape.ts, with a volume set's outcome words and its "Fix ..." next step accepted too. */
function shapeProblems(message: string, label: string): string[] {
  const problems = failureShapeProblems(message, label);
  if (!label.startsWith("VolumeSet ")) {
    return problems;
  }
  return problems.filter(
    (p) => !(p === NO_OUTCOME && VOLUME_OUTCOMES.some((pattern) => pattern.test(message))) && !(p.startsWith("does not end with a next step") && VOLUME_NEXT.test(message)),
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs one scenario from a clean emulator and proxy, records its row in the report, and throws if the
 * scenario's own assertions failed, if any snapshot or volume leaked or was lost, if a snapshot or
 * volume made outside Pulumi was deleted or recorded, or if destroy left anything behind.
 */
export async function runScenario(world: EngineWorld, hosts: ScenarioHosts, suite: string, spec: ScenarioSpec): Promise<ScenarioRow> {
  const started = Date.now();
  await world.moto.reset();
  world.proxy.reset();
  const scenario = new Scenario(world, hosts);
  const problems: string[] = [];
  let failure: unknown;
  try {
    await spec.run(scenario);
  } catch (error) {
    failure = error;
  }
  const atEnd = await checkLedger(world, scenario.deployment.state, scenario);
  if (spec.destroyUnderFaults !== true) {
    scenario.quiesce();
  }
  if (scenario.host.exit !== undefined) {
    // The scenario ended with its host killed: destroy from the recorded state in a new process.
    await scenario.continueOnFreshHost();
  }
  const destroyed = await scenario.destroy();
  const afterDestroy = await checkLedger(world, scenario.deployment.state, scenario);
  const faults = await scenario.faultsInjected();
  scenario.quiesce();
  if (failure === undefined && spec.afterDestroy !== undefined) {
    try {
      await spec.afterDestroy(scenario);
    } catch (error) {
      failure = error;
    }
  }
  const leaked = [...new Set([...atEnd.leaked, ...afterDestroy.leaked])].sort();
  const foreignDeleted = [...new Set([...atEnd.foreignMissing, ...afterDestroy.foreignMissing])].sort();
  const adopted = atEnd.recorded.filter((id) => scenario.foreign.has(id));
  const destroyFailures = destroyed.filter((step) => !step.ok);
  const left = afterDestroy.owned;
  if (leaked.length > 0) {
    problems.push(`leaked (in the emulator, in no state): ${leaked.join(", ")}`);
  }
  if (atEnd.lost.length > 0) {
    problems.push(`lost (in state, not in the emulator): ${atEnd.lost.join(", ")}`);
  }
  if (foreignDeleted.length > 0) {
    problems.push(`deleted snapshots or volumes made outside Pulumi: ${foreignDeleted.join(", ")}`);
  }
  if (adopted.length > 0) {
    problems.push(`recorded snapshots or volumes made outside Pulumi as its own: ${adopted.join(", ")}`);
  }
  if (destroyFailures.length > 0) {
    problems.push(`destroy failed: ${destroyFailures.map((step) => `${step.urn}: ${step.error?.message ?? "?"}`).join("; ")}`);
  }
  if (left.length > 0) {
    problems.push(`destroy left snapshots or volumes in the emulator: ${left.join(", ")}`);
  }
  for (const { urn, error } of scenario.failures) {
    // A killed host answers nothing; the engine, not the provider, words that failure.
    if (error instanceof HostCallError && error.code === grpc.status.UNAVAILABLE) {
      continue;
    }
    const shape = shapeProblems(error.message, labelOfUrn(urn));
    if (shape.length > 0) {
      problems.push(`error of ${labelOfUrn(urn)} ${shape.join(", ")}: ${error.message}`);
    }
  }
  const secretsFound = scenario.secretsFound();
  if (secretsFound > 0) {
    problems.push(`${secretsFound} credential value(s) found in state, host output or error messages`);
  }
  const failureText = [failure === undefined ? undefined : describeError(failure), ...problems].filter((t): t is string => t !== undefined).join("\n");
  const row: ScenarioRow = {
    suite,
    name: spec.name,
    resource: spec.resource,
    faults: faults.total,
    faultLabels: faults.labels,
    hostKills: scenario.kills,
    leaked,
    lost: atEnd.lost,
    foreignDeleted,
    secretsFound,
    steps: scenario.steps,
    messages: scenario.errors.map((error) => (error.message.length > 600 ? `${error.message.slice(0, 599)}…` : error.message)),
    passed: failureText === "",
    ...(failureText !== "" ? { failure: failureText } : {}),
    durationMs: Date.now() - started,
  };
  recordScenario(row);
  if (process.env.RELIABILITY_DEBUG !== undefined && !row.passed) {
    // The request log of a failed scenario, for reports: action, snapshot ids named, fault, status.
    for (const request of world.proxy.requests) {
      const named = Object.entries(request.params)
        .filter(([key]) => key !== "Action" && key !== "Version")
        .map(([key, value]) => `${key}=${value.length > 40 ? `${value.slice(0, 40)}…` : value}`)
        .join(" ");
      process.stderr.write(`  ${request.action} ${request.fault ?? ""} ${request.status} ${named}\n`);
    }
    process.stderr.write(`  messages: ${JSON.stringify(row.messages, null, 2)}\n`);
  }
  if (problems.length > 0) {
    throw new AssertionError({ message: `${spec.name}:\n  - ${problems.join("\n  - ")}${failure === undefined ? "" : `\n  and the scenario failed: ${describeError(failure)}`}` });
  }
  if (failure !== undefined) {
    throw failure;
  }
  return row;
}
