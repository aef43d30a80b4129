import * as assert from "node:assert/strict";
import { Snapshot, SnapshotSet, VolumeSet } from "../../sdk";
import { TEST_CREDENTIALS } from "../../harness/engineWorld";
import type { RegisteredResource } from "../../harness/program";
import { HostCallError, type JsonObject } from "../../harness/providerHost";
import { applyChanges, badInputTable, generatedBadInputs, INPUT_SEED, namesProperty, unknownSentinelInputs, VALID, type BadInput, type Change } from "../support/reliabilityInputs";
import { recordBadInputs, recordUnknownsAccepted } from "../support/reliabilityRecorder";
import type { BadInputRow, ResourceKind } from "../support/reliabilityReport";
import { ReliabilityWorld } from "../support/reliabilityWorld";

/** Generated bad inputs per resource. */
const GENERATED = 130;
/** A failure longer than this floods the `pulumi up` output instead of explaining. */
const MAX_FAILURE_CHARS = 1_000;
/** The length of the huge strings among the bad inputs. */
const HUGE = 300_000;

/**
 * Bad inputs for every resource (Snapshot, SnapshotSet, VolumeSet), hand-written and generated (fast-check, fixed seed), sent through a
 * real dynamic-provider host's Check as the engine sends them (after the SDK serialized a valid program,
 * with the one property made wrong). Each must come back as a CheckFailure naming the property (or a
 * path under it); anything Check accepts must fail in Create, naming the property, before any EC2 call.
 * The proxy's request log must stay empty throughout.
 */
describe("Reliability: bad inputs are refused before any EC2 call", function () {
  let rw: ReliabilityWorld;
  const valid = new Map<ResourceKind, RegisteredResource>();

  before(async function () {
    rw = await ReliabilityWorld.start({ freshHosts: 0, slowHost: false, secrets: Object.values(TEST_CREDENTIALS) });
    const [snapshot] = await rw.world.register(() => {
      new Snapshot("bad", { volumeId: "vol-0123456789abcdef0" });
    });
    const [set] = await rw.world.register(() => {
      new SnapshotSet("bad", { instanceId: "i-0123456789abcdef0" });
    });
    const [restore] = await rw.world.register(() => {
      new VolumeSet("bad", { snapshots: [{ snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf" }], availabilityZone: "us-east-1a" });
    });
    valid.set("Snapshot", snapshot);
    valid.set("SnapshotSet", set);
    valid.set("VolumeSet", restore);
  });

  after(async function () {
    await rw?.stop();
  });

  /** A valid program's inputs as the engine sends them: the serialized provider, the name, every input. */
  function validInputs(resource: ResourceKind): JsonObject {
    const registered = valid.get(resource);
    assert.ok(registered);
    return { ...registered.inputs, ...VALID[resource] };
  }

  /** Sends one bad input through Check (and Create, if Check lets it through) and says how it was refused. */
  async function send(input: BadInput, source: BadInputRow["source"]): Promise<BadInputRow> {
    const resource = valid.get(input.resource);
    assert.ok(resource);
    const news = applyChanges(validInputs(input.resource), input.changes);
    rw.world.proxy.clearRequests();
    const row = (refused: boolean, by: BadInputRow["by"], property?: string, reason?: string): BadInputRow => ({
      resource: input.resource,
      source,
      label: input.label,
      expected: input.expected,
      refused: refused && rw.world.proxy.requests.length === 0,
      by,
      ...(property !== undefined ? { property: property.length > 200 ? `${property.slice(0, 199)}…` : property } : {}),
      ...(reason !== undefined ? { reason: reason.length > 300 ? `${reason.slice(0, 299)}…` : reason } : {}),
      ec2Calls: rw.world.proxy.requests.length,
    });
    const checked = await rw.shared.check(resource.urn, {}, news);
    const named = checked.failures.find((failure) => namesProperty(failure.property, input.expected));
    if (named !== undefined) {
      return row(named.reason.trim() !== "", "check", named.property, named.reason);
    }
    if (checked.failures.length > 0) {
      const [first] = checked.failures;
      return row(false, "none", first.property, `Check named ${checked.failures.map((f) => f.property).join(", ")} instead: ${first.reason}`);
    }
    try {
      const created = await rw.shared.create(resource.urn, checked.inputs);
      return row(false, "none", undefined, `Check accepted it and Create made ${created.id}`);
    } catch (error) {
      const message = error instanceof HostCallError ? error.message : String(error);
      return row(message.includes(input.expected), message.includes(input.expected) ? "create" : "none", undefined, message);
    }
  }

  async function sendAll(inputs: readonly BadInput[], source: BadInputRow["source"]): Promise<BadInputRow[]> {
    const rows: BadInputRow[] = [];
    for (const input of inputs) {
      rows.push(await send(input, source));
    }
    recordBadInputs(rows);
    return rows;
  }

  function notRefused(rows: readonly BadInputRow[]): string[] {
    return rows.filter((r) => !r.refused).map((r) => `${r.label} (expected ${r.expected}; ${r.by}; ${r.ec2Calls} EC2 calls): ${r.reason ?? ""}`);
  }

  for (const resource of ["Snapshot", "SnapshotSet", "VolumeSet"] as const) {
    it(`refuses every hand-written bad input of ${resource} in Check, naming the property, with no EC2 call`, async function () {
      const table = badInputTable(resource);
      const rows = await sendAll(table, "table");
      assert.deepEqual(notRefused(rows), []);
      assert.deepEqual(
        rows.map((r) => [r.by, r.ec2Calls]),
        table.map(() => ["check", 0]),
      );
    });

    it(`refuses ${GENERATED} generated bad inputs of ${resource} (fast-check, seed ${INPUT_SEED}) in Check, naming the property, with no EC2 call`, async function () {
      const inputs = generatedBadInputs(resource, GENERATED);
      assert.equal(new Set(inputs.map((i) => JSON.stringify(i.changes))).size > GENERATED * 0.9, true, "the generator repeats itself");
      const rows = await sendAll(inputs, "property");
      assert.deepEqual(notRefused(rows), []);
      assert.deepEqual(
        rows.map((r) => r.ec2Calls),
        inputs.map(() => 0),
      );
    });

    it(`accepts unknown sentinels in otherwise valid inputs of ${resource} (a preview's unknowns are not bad inputs)`, async function () {
      const resourceInputs = valid.get(resource);
      assert.ok(resourceInputs);
      const cases = unknownSentinelInputs(resource);
      const refused: string[] = [];
      rw.world.proxy.clearRequests();
      for (const { label, changes } of cases) {
        const checked = await rw.shared.check(resourceInputs.urn, {}, applyChanges(validInputs(resource), changes));
        if (checked.failures.length > 0) {
          refused.push(`${label}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
        }
      }
      recordUnknownsAccepted(cases.length, cases.length - refused.length);
      assert.deepEqual(refused, []);
      assert.deepEqual(rw.world.proxy.requests, []);
    });
  }

  it(`keeps each failure under ${MAX_FAILURE_CHARS} characters when the bad input is ${HUGE.toLocaleString("en")} characters long`, async function () {
    const huge = "h".repeat(HUGE);
    const cases: [ResourceKind, string, Record<string, Change>][] = [
      ["Snapshot", "a huge volume id", { volumeId: { set: `vol-${huge}` } }],
      ["Snapshot", "a huge description", { description: { set: huge } }],
      ["Snapshot", "a huge tag value", { tags: { set: { team: huge } } }],
      ["Snapshot", "a huge tag key", { tags: { set: { [huge]: "v" } } }],
      ["Snapshot", "a huge property name", { [huge]: { set: 1 } }],
      ["Snapshot", "a huge key in timeouts", { timeouts: { set: { [huge]: "10m" } } }],
      ["SnapshotSet", "a huge instance id", { instanceId: { set: `i-${huge}` } }],
      ["SnapshotSet", "a huge excluded volume id", { excludeDataVolumeIds: { set: [`vol-${huge}`] } }],
      ["VolumeSet", "a huge snapshot id", { snapshots: { set: [{ snapshotId: `snap-${huge}`, deviceName: "/dev/sdf" }] } }],
      ["VolumeSet", "a huge device name", { snapshots: { set: [{ snapshotId: "snap-0123456789abcdef0", deviceName: `/dev/${huge}!` }] } }],
      ["VolumeSet", "a huge key in an entry", { snapshots: { set: [{ snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf", [huge]: 1 }] } }],
      ["VolumeSet", "a huge availability zone", { availabilityZone: { set: `us-east-1${huge}1` } }],
      ["VolumeSet", "a huge KMS key", { kmsKeyId: { set: `alias/${huge}!` } }],
      ["VolumeSet", "a huge instance to attach to", { attach: { set: { instanceId: `i-${huge}` } } }],
    ];
    const tooLong: string[] = [];
    rw.world.proxy.clearRequests();
    for (const [resource, label, changes] of cases) {
      const registered = valid.get(resource);
      assert.ok(registered);
      const checked = await rw.shared.check(registered.urn, {}, applyChanges(validInputs(resource), changes));
      assert.notDeepEqual(checked.failures, [], `${label} was accepted`);
      for (const failure of checked.failures) {
        const chars = failure.property.length + failure.reason.length;
        if (chars > MAX_FAILURE_CHARS) {
          tooLong.push(`${resource}, ${label}: property of ${failure.property.length} characters, reason of ${failure.reason.length}`);
        }
      }
    }
    assert.deepEqual(tooLong, []);
    assert.deepEqual(rw.world.proxy.requests, []);
  });
});
