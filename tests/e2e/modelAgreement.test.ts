import * as assert from "node:assert/strict";
import { DeleteSnapshotCommand } from "@aws-sdk/client-ec2";
import { Snapshot, SnapshotSet, type SnapshotArgs, type SnapshotSetArgs } from "../../sdk";
import { CliWorld, type CliRun, type CliStack, type ExportedResource } from "../support/cliWorld";
import { Deployment, type Step } from "../../harness/deployment";
import { hostEnv } from "../../harness/engineWorld";
import type { SnapshotHold } from "../../harness/faultProxy";
import { registerResources } from "../../harness/program";
import { ProviderHost } from "../../harness/providerHost";
import { allSnapshots, REGION, seedInstance, seedVolume } from "../../harness/seed";

/**
 * harness/deployment.ts is a model of the engine's step semantics, kept for what the real CLI
 * cannot do: kill a provider host in the middle of a hook (tests/reliability), and run the fault matrix
 * in minutes. This suite runs the same scenarios through the model and through the real Pulumi CLI, on
 * the same volumes one after the other, and requires the same steps and the same recorded state after
 * every command. Pending snapshots and snapshots ending in error come from the fault proxy.
 */

type Declared = { kind: "Snapshot"; args: SnapshotArgs } | { kind: "SnapshotSet"; args: SnapshotSetArgs };

interface Command {
  run: "up" | "refresh" | "destroy";
  /** The program's resources for `up`, by name. */
  program?: Record<string, Declared>;
  /** What happens in EC2 before the command. */
  before?: (context: ScenarioContext) => Promise<void> | void;
}

interface ScenarioContext {
  world: CliWorld;
  volumes: string[];
  instanceId: string;
  holds: SnapshotHold[];
  /** The snapshot ids the engine under test records now, by resource name. */
  recordedIds(): Promise<Record<string, string>>;
}

interface Scenario {
  name: string;
  commands(volumes: string[], instanceId: string): Command[];
}

/** What both engines are compared on, after every command. */
interface Observed {
  /** Sorted: the CLI runs independent resources in parallel, so their order is not part of the contract. */
  steps: string[];
  state: unknown;
}

const VOLATILE_OUTPUTS = new Set(["startTime", "completionTime", "__provider"]);

/** State with the parts that differ between two runs taken out: snapshot ids by order of appearance, times, the URN's stack name. */
function normalized(resources: { name: string; type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown>; initErrors?: string[] }[]): unknown {
  const names = new Map<string, string>();
  const rename = (text: string): string =>
    text.replace(/snap-[0-9a-f]{17}|snapset-[0-9a-f-]{36}/g, (id) => {
      if (!names.has(id)) {
        names.set(id, `${id.startsWith("snapset-") ? "set" : "snap"}#${names.size + 1}`);
      }
      return names.get(id) ?? id;
    });
  const clean = (value: unknown): unknown => {
    if (typeof value === "string") {
      return rename(value);
    }
    if (Array.isArray(value)) {
      return value.map(clean);
    }
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => !VOLATILE_OUTPUTS.has(key) && key !== "__urn")
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([key, v]) => [key, clean(v)]),
      );
    }
    return value;
  };
  return [...resources]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((r) => ({ name: r.name, type: r.type, inputs: clean(r.inputs), outputs: clean(r.outputs), initErrors: (r.initErrors ?? []).map(rename) }));
}

/** One engine's view of a step: its op on one resource, and whether it failed. */
function stepLabel(name: string, op: string, ok: boolean): string {
  return `${name}:${op}${ok ? "" : ":failed"}`;
}

/** The CLI reports a replacement as replace, create-replacement and delete-replaced; the model as one replace. */
function cliSteps(run: CliRun): string[] {
  const replaced = new Set(run.steps.filter((s) => s.op === "replace").map((s) => s.urn));
  return run.steps
    .filter((s) => !(replaced.has(s.urn) && (s.op === "create-replacement" || s.op === "delete-replaced")))
    .map((s) => stepLabel(s.name, s.op, !s.failed && (run.ok || !failedUrn(run, s.urn))));
}

function failedUrn(run: CliRun, urn: string): boolean {
  return run.steps.some((s) => s.urn === urn && s.failed);
}

const SCENARIOS: Scenario[] = [
  {
    name: "Snapshot: create, no change, tag change, volume change, deleted outside Pulumi, refresh, up, destroy",
    commands: (volumes) => [
      { run: "up", program: { data: { kind: "Snapshot", args: { volumeId: volumes[0], tags: { Team: "storage" } } } } },
      { run: "up", program: { data: { kind: "Snapshot", args: { volumeId: volumes[0], tags: { Team: "storage" } } } } },
      { run: "up", program: { data: { kind: "Snapshot", args: { volumeId: volumes[0], tags: { Team: "platform" } } } } },
      { run: "up", program: { data: { kind: "Snapshot", args: { volumeId: volumes[1], tags: { Team: "platform" } } } } },
      {
        run: "refresh",
        async before(context) {
          const { data } = await context.recordedIds();
          await context.world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: data }));
        },
      },
      { run: "up", program: { data: { kind: "Snapshot", args: { volumeId: volumes[1], tags: { Team: "platform" } } } } },
      { run: "destroy" },
    ],
  },
  {
    name: "Snapshot: pending at the create deadline (init errors), then resumed by the next up",
    commands: (volumes) => [
      {
        run: "up",
        program: { slow: { kind: "Snapshot", args: { volumeId: volumes[0], timeouts: { create: "3s" } } } },
        before: (context) => void context.holds.push(context.world.proxy.holdNewSnapshots()),
      },
      {
        run: "up",
        program: { slow: { kind: "Snapshot", args: { volumeId: volumes[0], timeouts: { create: "3s" } } } },
        before: (context) => context.holds.forEach((hold) => hold.release()),
      },
      { run: "destroy" },
    ],
  },
  {
    name: "Snapshot ending in error beside one that completes: one create fails and is cleaned up, the other is recorded",
    commands: (volumes) => [
      {
        run: "up",
        program: {
          broken: { kind: "Snapshot", args: { volumeId: volumes[0] } },
          fine: { kind: "Snapshot", args: { volumeId: volumes[1] } },
        },
        before: (context) =>
          void context.world.proxy.progressNewSnapshots({ pendingDescribes: 1, volumeIds: [volumes[0]], end: { state: "error", message: "The volume is unreadable." } }),
      },
      { run: "destroy" },
    ],
  },
  {
    name: "SnapshotSet: create, tag change in place, refresh, destroy",
    commands: (_volumes, instanceId) => [
      { run: "up", program: { server: { kind: "SnapshotSet", args: { instanceId, tags: { Backup: "nightly" } } } } },
      { run: "up", program: { server: { kind: "SnapshotSet", args: { instanceId, tags: { Backup: "weekly" } } } } },
      { run: "refresh" },
      { run: "destroy" },
    ],
  },
];

describe("the model engine agrees with the real Pulumi CLI", function () {
  this.timeout(600_000);
  let world: CliWorld;
  let volumes: string[];
  let instanceId: string;

  before(async function () {
    world = await CliWorld.start();
  });

  after(async function () {
    await world?.stop();
  });

  beforeEach(async function () {
    await world.moto.reset();
    world.proxy.reset();
    volumes = [await seedVolume(world.ec2), await seedVolume(world.ec2)];
    instanceId = (await seedInstance(world.ec2)).instanceId;
  });

  async function throughModel(scenario: Scenario): Promise<Observed[]> {
    const host = await ProviderHost.start({ env: hostEnv(world.proxy.endpoint) });
    const holds: SnapshotHold[] = [];
    try {
      await host.configure({ "aws:region": REGION });
      const deployment = new Deployment(host);
      const observed: Observed[] = [];
      const nameOf = (urn: string): string => urn.split("::").pop() ?? urn;
      const context: ScenarioContext = {
        world,
        volumes,
        instanceId,
        holds,
        recordedIds: async () => Object.fromEntries(Object.entries(deployment.state.resources).map(([urn, r]) => [nameOf(urn), r.id])),
      };
      for (const command of scenario.commands(volumes, instanceId)) {
        await command.before?.(context);
        let steps: Step[];
        if (command.run === "up") {
          const declared = command.program ?? {};
          const resources = await registerResources(() => {
            for (const [name, resource] of Object.entries(declared)) {
              if (resource.kind === "Snapshot") {
                new Snapshot(name, resource.args);
              } else {
                new SnapshotSet(name, resource.args);
              }
            }
          });
          steps = await deployment.up(resources);
        } else {
          steps = command.run === "refresh" ? await deployment.refresh() : await deployment.destroy();
        }
        observed.push({
          steps: steps.map((s) => stepLabel(nameOf(s.urn), s.op, s.ok)).sort(),
          state: normalized(
            Object.entries(deployment.state.resources).map(([urn, r]) => ({
              name: nameOf(urn),
              type: r.type,
              inputs: r.inputs,
              outputs: r.outputs,
              ...(r.initErrors ? { initErrors: r.initErrors } : {}),
            })),
          ),
        });
      }
      return observed;
    } finally {
      holds.forEach((hold) => hold.release());
      await host.stop();
    }
  }

  async function throughCli(scenario: Scenario, project: string): Promise<Observed[]> {
    let declared: Record<string, Declared> = {};
    const stack: CliStack = await world.newStack({
      project,
      program: async () => {
        for (const [name, resource] of Object.entries(declared)) {
          if (resource.kind === "Snapshot") {
            new world.sdk.Snapshot(name, resource.args);
          } else {
            new world.sdk.SnapshotSet(name, resource.args);
          }
        }
      },
    });
    const holds: SnapshotHold[] = [];
    const recorded = async (): Promise<ExportedResource[]> => [...(await stack.snapshots()).values()];
    const context: ScenarioContext = {
      world,
      volumes,
      instanceId,
      holds,
      recordedIds: async () => Object.fromEntries((await recorded()).map((r) => [r.urn.split("::").pop() ?? "", r.id ?? ""])),
    };
    const observed: Observed[] = [];
    try {
      for (const command of scenario.commands(volumes, instanceId)) {
        await command.before?.(context);
        let run: CliRun;
        if (command.run === "up") {
          declared = command.program ?? {};
          run = await stack.up();
        } else {
          run = command.run === "refresh" ? await stack.refresh() : await stack.destroy();
        }
        observed.push({
          steps: cliSteps(run).sort(),
          state: normalized(
            (await recorded()).map((r) => ({
              name: r.urn.split("::").pop() ?? "",
              type: r.type,
              inputs: r.inputs ?? {},
              outputs: r.outputs ?? {},
              ...(r.initErrors ? { initErrors: r.initErrors } : {}),
            })),
          ),
        });
      }
      return observed;
    } finally {
      holds.forEach((hold) => hold.release());
    }
  }

  for (const [index, scenario] of SCENARIOS.entries()) {
    it(scenario.name, async function () {
      // given the same volumes, first under the model, then (with EC2 emptied of snapshots) under the CLI
      const model = await throughModel(scenario);
      assert.deepEqual(
        (await allSnapshots(world.ec2)).map((s) => s.SnapshotId),
        [],
        "the model's run left snapshots behind",
      );
      world.proxy.reset();
      const real = await throughCli(scenario, `agreement-${index}`);
      assert.deepEqual(
        (await allSnapshots(world.ec2)).map((s) => s.SnapshotId),
        [],
        "the CLI's run left snapshots behind",
      );

      // then every command took the same steps and left the same recorded state
      const commands = scenario.commands(volumes, instanceId).map((c) => c.run);
      assert.deepEqual(
        real.map((o, i) => ({ command: `${i + 1}. ${commands[i]}`, ...o })),
        model.map((o, i) => ({ command: `${i + 1}. ${commands[i]}`, ...o })),
      );
    });
  }
});
