import * as assert from "node:assert/strict";
import { Snapshot, SnapshotSet } from "../../sdk";
import type { DeploymentState, Step } from "../../harness/deployment";
import { EngineWorld } from "../../harness/engineWorld";
import type { JsonValue, ProviderFace } from "../../harness/providerHost";
import { allSnapshots, seedInstance, seedVolume } from "../../harness/seed";

/** What one command of the program did, as the engine and EC2 saw it. */
interface Phase {
  command: string;
  steps: [urn: string, op: string, ok: boolean, error: string | undefined][];
  /** The checkpoint after the command, without the dynamic face's bookkeeping inputs and outputs. */
  state: DeploymentState;
  /** Every request that reached the proxy during the command, in order. */
  requests: { action: string; params: Record<string, string> }[];
}

/** The program's resources, in the order it declares them. */
const PROGRAM_ORDER = ["data", "fleet"];

/** The inputs and outputs only the dynamic face records: the serialized provider and the SDK's bookkeeping. */
const DYNAMIC_BOOKKEEPING = ["__provider", "__logicalName", "__urn"];

/**
 * The ids and values that legitimately differ between two runs (and two faces), each replaced by what it
 * is and the order in which it first appears, so that the same id stays the same placeholder throughout:
 * EC2 ids, create tokens (a UUID, in-flight prefixed with a key derived from the resource's URN, whose
 * type differs between the faces), times, and the faces' type tokens.
 */
function normalised<T>(value: T): T {
  const seen = new Map<string, string>();
  const placeholder = (kind: string, id: string): string => {
    const key = `${kind}:${id}`;
    if (!seen.has(key)) {
      seen.set(key, `<${kind}#${[...seen.keys()].filter((k) => k.startsWith(`${kind}:`)).length + 1}>`);
    }
    return seen.get(key) ?? "";
  };
  const text = JSON.stringify(value)
    .replace(/pulumi-nodejs:dynamic\/ebs-snapshots:|ebs-snapshots:index:/g, "<package>:")
    .replace(/\b[0-9a-f]{16}\.(?=[0-9a-f]{8}-)/g, "<resource key>.")
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, (id) => placeholder("token", id))
    .replace(/\b(snap|vol|i)-[0-9a-f]{17}\b/g, (id, kind: string) => placeholder(kind, id))
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b/g, "<time>");
  return JSON.parse(text) as T;
}

function withoutBookkeeping(state: DeploymentState): DeploymentState {
  const strip = (values: Record<string, JsonValue>): Record<string, JsonValue> => Object.fromEntries(Object.entries(values).filter(([key]) => !DYNAMIC_BOOKKEEPING.includes(key)));
  return {
    resources: Object.fromEntries(Object.entries(state.resources).map(([urn, r]) => [urn, { ...r, inputs: strip(r.inputs), outputs: strip(r.outputs) }])),
    pendingDeletes: state.pendingDeletes.map((r) => ({ ...r, inputs: strip(r.inputs), outputs: strip(r.outputs) })),
  };
}

/**
 * One program, a Snapshot with tags and a SnapshotSet of an instance, created, then its tags changed,
 * then destroyed, through the SDK's dynamic-provider host and through the resource-provider plugin,
 * each in its own process against the same world (moto behind the fault proxy, no faults injected:
 * the proxy only records the requests). The two faces serve one core, so they must record the same
 * state and send EC2 the same requests, up to ids, tokens and times, and up to what only the dynamic
 * face records (the serialized `__provider` and the SDK's `__logicalName`).
 */
describe("The dynamic face and the plugin face agree", function () {
  let world: EngineWorld;

  before(async function () {
    world = await EngineWorld.start();
  });

  after(async function () {
    await world?.stop();
  });

  afterEach(async function () {
    world.proxy.clearFaults();
    await world.stopHosts();
  });

  async function run(face: ProviderFace): Promise<{ phases: Phase[]; raw: DeploymentState[]; left: string[] }> {
    // A volume and an instance (root and one data volume) of this run's own, so the runs see the same world.
    const volumeId = await seedVolume(world.ec2);
    const instance = await seedInstance(world.ec2, [{}]);
    const volumes = [volumeId, instance.rootVolumeId, ...instance.dataVolumes.map((v) => v.volumeId)];
    const deployment = await world.deployment(undefined, { face });
    // registerResources lists registrations as they complete, which is not always the order the program
    // made them in (each class serializes its provider asynchronously); steps run in list order, so
    // both runs take them in the program's order.
    const program = async (snapshotTags: Record<string, string>, setTags: Record<string, string>) =>
      (
        await world.register(
          () => {
            new Snapshot("data", { volumeId, description: "nightly", tags: snapshotTags });
            new SnapshotSet("fleet", { instanceId: instance.instanceId, tags: setTags });
          },
          { face },
        )
      ).sort((a, b) => PROGRAM_ORDER.indexOf(a.name) - PROGRAM_ORDER.indexOf(b.name));
    const phases: Phase[] = [];
    const raw: DeploymentState[] = [];
    const record = async (command: string, work: () => Promise<Step[]>): Promise<void> => {
      world.proxy.clearRequests();
      const steps = await work();
      raw.push(deployment.state);
      phases.push({
        command,
        steps: steps.map((s) => [s.urn, s.op, s.ok, s.error?.message]),
        state: withoutBookkeeping(deployment.state),
        requests: world.proxy.requests.map((r) => ({ action: r.action, params: { ...r.params } })),
      });
    };
    await record("up", async () => deployment.up(await program({ team: "storage", env: "test" }, { team: "web" })));
    await record("up (tags changed)", async () => deployment.up(await program({ team: "platform" }, { team: "db", tier: "gold" })));
    await record("destroy", () => deployment.destroy());
    const left = (await allSnapshots(world.ec2)).filter((s) => volumes.includes(s.VolumeId ?? "")).map((s) => s.SnapshotId ?? "");
    return { phases, raw, left };
  }

  it("records the same state and sends EC2 the same requests for create, tag update and destroy", async function () {
    const dynamic = await run("dynamic");
    const plugin = await run("plugin");

    // each face did the whole program: created both, updated both in place, deleted both, left nothing
    for (const result of [dynamic, plugin]) {
      assert.deepEqual(
        result.phases.map((p) => [p.command, p.steps.map(([, op, ok, error]) => [op, ok, error])]),
        [
          [
            "up",
            [
              ["create", true, undefined],
              ["create", true, undefined],
            ],
          ],
          [
            "up (tags changed)",
            [
              ["update", true, undefined],
              ["update", true, undefined],
            ],
          ],
          [
            "destroy",
            [
              ["delete", true, undefined],
              ["delete", true, undefined],
            ],
          ],
        ],
      );
      assert.deepEqual(result.left, []);
    }
    // what differs by design: the dynamic face records its serialized provider, the plugin records none of it
    const [dynamicCreated, pluginCreated] = [dynamic.raw[0], plugin.raw[0]].map((state) => Object.values(state.resources));
    assert.ok(dynamicCreated.every((r) => typeof r.outputs.__provider === "string" && typeof r.inputs.__provider === "string"));
    assert.ok(pluginCreated.every((r) => DYNAMIC_BOOKKEEPING.every((key) => !(key in r.outputs) && !(key in r.inputs))));
    assert.deepEqual(pluginCreated.map((r) => r.type).sort(), ["ebs-snapshots:index:Snapshot", "ebs-snapshots:index:SnapshotSet"]);
    assert.deepEqual(dynamicCreated.map((r) => r.type).sort(), ["pulumi-nodejs:dynamic/ebs-snapshots:Snapshot", "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet"]);

    // and the rest is the same: state after each command, and the changes EC2 was asked for, in order, with
    // their parameters. Reads are compared by kind only: the two resources' hooks run side by side, and how
    // many of their reads share one batched call depends on when each arrives.
    const [d, p] = [normalised(dynamic.phases), normalised(plugin.phases)];
    const changes = (phase: Phase): Phase["requests"] => phase.requests.filter((r) => !r.action.startsWith("Describe"));
    const readKinds = (phase: Phase): string[] => [...new Set(phase.requests.filter((r) => r.action.startsWith("Describe")).map((r) => r.action))].sort();
    assert.deepEqual(p.map(changes), d.map(changes));
    assert.deepEqual(p.map(readKinds), d.map(readKinds));
    assert.deepEqual(
      p.map((phase) => phase.state),
      d.map((phase) => phase.state),
    );
    assert.deepEqual(
      p.map((phase) => phase.steps),
      d.map((phase) => phase.steps),
    );
  });
});
