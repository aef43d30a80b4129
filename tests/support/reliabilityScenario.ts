/**
 * One reliability scenario: seed moto, inject faults through the proxy, run `pulumi up` / refresh /
 * destroy steps through a Deployment on a dynamic-provider host (killing and replacing the host when the
 * scenario asks), then compare every snapshot the emulator holds with every snapshot id the state
 * records, destroy, and check that nothing is left. The outcome becomes a row of the reliability report.
 *
 * "The emulator" is moto read directly (allSnapshots on world.ec2), past any fault the proxy injects.
 * "State" is what the host returned, as the Deployment records it: Snapshot ids, SnapshotSet members
 * (outputs.snapshotIds and outputs.snapshots), and the same for resources awaiting deletion.
 */
import * as assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { AssertionError } from "node:assert";
import { Deployment, type DeploymentState, type ProgramResource, type ResourceState, type Step, type UpOptions } from "../../harness/deployment";
import { failureShapeProblems, labelOfUrn } from "./failureShape";
import type { EngineWorld } from "../../harness/engineWorld";
import type { FaultHandle, FaultRule, RuleHandle, SnapshotHold } from "../../harness/faultProxy";
import { HostCallError, type JsonValue, type ProviderHost } from "../../harness/providerHost";
import { killWhen } from "./hostKill";
import { recordScenario } from "./reliabilityRecorder";
import type { ResourceKind, ScenarioRow } from "./reliabilityReport";
import { allSnapshots } from "../../harness/seed";

export const TYPE_TOKENS: Readonly<Record<ResourceKind, string>> = {
  Snapshot: "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot",
  SnapshotSet: "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet",
};

export function urnOf(resource: ResourceKind, name: string): string {
  return `urn:pulumi:stack::project::${TYPE_TOKENS[resource]}::${name}`;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string" && item !== "") : [];
}

/** The snapshot ids one recorded resource stands for. */
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
  throw new Error(`state records a resource of type ${resource.type}, which the reliability suite does not know`);
}

/** Every snapshot id a checkpoint records, resources and pending deletes alike, sorted. */
export function recordedSnapshotIds(state: DeploymentState): string[] {
  return [...new Set([...Object.values(state.resources), ...state.pendingDeletes].flatMap(snapshotIdsOf))].sort();
}

export interface LedgerCheck {
  /** Every snapshot of this account in the emulator. */
  emulator: string[];
  recorded: string[];
  /** In the emulator, recorded by no state, and not made by the test outside Pulumi. */
  leaked: string[];
  /** Recorded by state, gone from the emulator. */
  lost: string[];
  /** Snapshots the test made outside Pulumi that are gone. */
  foreignMissing: string[];
}

/** Compares the emulator with the state; `foreign` are the snapshots the test itself made outside Pulumi. */
export async function checkLedger(world: EngineWorld, state: DeploymentState, foreign: ReadonlySet<string>): Promise<LedgerCheck> {
  const emulator = (await allSnapshots(world.ec2))
    .map((snapshot) => snapshot.SnapshotId ?? "")
    .filter((id) => id !== "")
    .sort();
  const recorded = recordedSnapshotIds(state);
  return {
    emulator,
    recorded,
    leaked: emulator.filter((id) => !foreign.has(id) && !recorded.includes(id)),
    lost: recorded.filter((id) => !emulator.includes(id)),
    foreignMissing: [...foreign].filter((id) => !emulator.includes(id)).sort(),
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
  /** Snapshots the test made outside Pulumi: the provider must never delete or adopt them. */
  readonly foreign = new Set<string>();
  /** Every step error, for the secrets scan and the report. */
  readonly errors: Error[] = [];
  /** Every step error with the resource it is about, for the shape audit. */
  readonly failures: { urn: string; error: Error }[] = [];
  /** The checkpoint after every command, for the secrets scan. */
  readonly states: DeploymentState[] = [];
  private readonly stepLog: string[] = [];
  private readonly faultHandles: { label: string; handle: FaultHandle }[] = [];
  private readonly rules: LifecycleRule[] = [];
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

  /** A change made outside Pulumi, straight to moto; counts as one fault. */
  async outOfBand(label: string, change: () => Promise<void>): Promise<void> {
    await change();
    this.incidents.push(`out-of-band:${label}`);
  }

  async up(resources: ProgramResource[], options?: UpOptions): Promise<Step[]> {
    return this.note("up", await this.deployment.up(resources, options));
  }

  async refresh(): Promise<Step[]> {
    return this.note("refresh", await this.deployment.refresh());
  }

  async destroy(): Promise<Step[]> {
    return this.note("destroy", await this.deployment.destroy());
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

  /** Takes every fault and lifecycle rule back and releases held snapshots (snapshots already in `error` stay so). */
  quiesce(): void {
    this.faultHandles.forEach(({ handle }) => handle.remove());
    this.rules.forEach((rule) => rule.remove());
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

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs one scenario from a clean emulator and proxy, records its row in the report, and throws if the
 * scenario's own assertions failed, if any snapshot leaked or was lost, if a snapshot made outside
 * Pulumi was deleted, or if destroy left anything behind.
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
  const atEnd = await checkLedger(world, scenario.deployment.state, scenario.foreign);
  if (spec.destroyUnderFaults !== true) {
    scenario.quiesce();
  }
  if (scenario.host.exit !== undefined) {
    // The scenario ended with its host killed: destroy from the recorded state in a new process.
    await scenario.continueOnFreshHost();
  }
  const destroyed = await scenario.destroy();
  const afterDestroy = await checkLedger(world, scenario.deployment.state, scenario.foreign);
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
  const left = afterDestroy.emulator.filter((id) => !scenario.foreign.has(id));
  if (leaked.length > 0) {
    problems.push(`leaked (in the emulator, in no state): ${leaked.join(", ")}`);
  }
  if (atEnd.lost.length > 0) {
    problems.push(`lost (in state, not in the emulator): ${atEnd.lost.join(", ")}`);
  }
  if (foreignDeleted.length > 0) {
    problems.push(`deleted snapshots made outside Pulumi: ${foreignDeleted.join(", ")}`);
  }
  if (adopted.length > 0) {
    problems.push(`recorded snapshots made outside Pulumi as its own: ${adopted.join(", ")}`);
  }
  if (destroyFailures.length > 0) {
    problems.push(`destroy failed: ${destroyFailures.map((step) => `${step.urn}: ${step.error?.message ?? "?"}`).join("; ")}`);
  }
  if (left.length > 0) {
    problems.push(`destroy left snapshots in the emulator: ${left.join(", ")}`);
  }
  for (const { urn, error } of scenario.failures) {
    // A killed host answers nothing; the engine, not the provider, words that failure.
    if (error instanceof HostCallError && error.code === grpc.status.UNAVAILABLE) {
      continue;
    }
    const shape = failureShapeProblems(error.message, labelOfUrn(urn));
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
