import * as assert from "node:assert/strict";
import { AttachVolumeCommand, CreateTagsCommand, DeleteSnapshotCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import * as pulumi from "@pulumi/pulumi";
import { SnapshotSet, type SnapshotSetArgs } from "../../sdk";
import { Deployment, type ResourceState, type StepOp } from "../../harness/deployment";
import { EngineWorld } from "../../harness/engineWorld";
import type { RecordedRequest } from "../../harness/faultProxy";
import { registerResources } from "../../harness/program";
import { HostCallError, UNKNOWN, type ProviderHost } from "../../harness/providerHost";
import { snapshotPolls } from "../../harness/snapshotPolls";
import { allSnapshots, KMS_KEY_ARN, seedInstance, seedVolume, tagsOf, type SeededInstance } from "../../harness/seed";

const URN = "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet::web";
const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SET_ID = /^snapset-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Outcome {
  op: StepOp;
  ok: boolean;
  error?: Error;
  resource?: ResourceState;
}

/** One member of a SnapshotSet's recorded state, as the tests read it. */
interface Member {
  snapshotId: string;
  volumeId: string;
  deviceName?: string;
  volumeSize?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  state: string;
  stateMessage?: string;
  progress?: number;
  startTime?: string;
  tags: Record<string, string>;
  productCodes: unknown[];
}

/** Values of a flattened Query list parameter (`prefix.1`, `prefix.2`, ...), in order. */
function listParam(params: Readonly<Record<string, string>>, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i += 1) {
    values.push(params[`${prefix}.${i}`]);
  }
  return values;
}

/** The snapshot ids one DescribeSnapshots request asks for (by `snapshot-id` filter or `SnapshotId.N`), sorted. */
function describedIds(request: RecordedRequest): string[] {
  const ids = listParam(request.params, "SnapshotId");
  for (let i = 1; request.params[`Filter.${i}.Name`] !== undefined; i += 1) {
    if (request.params[`Filter.${i}.Name`] === "snapshot-id") {
      ids.push(...listParam(request.params, `Filter.${i}.Value`));
    }
  }
  return ids.sort();
}

/** A request's parameters without the envelope every request carries. */
function paramsOf(request: RecordedRequest): Record<string, string> {
  const { Action: _action, Version: _version, ...rest } = request.params;
  return rest;
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

/**
 * SnapshotSet through the SDK's dynamic-provider host, as `pulumi up` drives it, against moto. The
 * instance is real in moto: a root volume and three data volumes, two of them encrypted. Facts moto
 * cannot produce come from the fault proxy and are marked "(proxy)": pending states and progress, a
 * member in `error`, EC2 error answers (throttling, snapshot limits, InvalidSnapshot.InUse), and the
 * KMS key of a snapshot. moto ignores `ExcludeDataVolumeIds` and `CopyTagsFromSource`, so for those
 * the tests assert the request the proxy saw.
 */
describe("SnapshotSet through the dynamic-provider host", function () {
  let world: EngineWorld;
  let host: ProviderHost;
  let instance: SeededInstance;

  before(async function () {
    world = await EngineWorld.start();
    // One host for the suite, as one `pulumi up` runs every dynamic resource in one host process.
    host = await world.startHost();
    instance = await seedInstance(world.ec2, [{}, { encrypted: true }, { encrypted: true, size: 30 }]);
  });

  after(async function () {
    await world?.stop();
  });

  beforeEach(async function () {
    for (const snapshot of await allSnapshots(world.ec2)) {
      await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot.SnapshotId }));
    }
    world.proxy.reset();
  });

  /** Every volume of the suite's instance, root first, as [volumeId, device, size in GiB, encrypted]. */
  function instanceVolumes(): [string, string, number, boolean][] {
    return [
      [instance.rootVolumeId, instance.rootDevice, 8, false],
      [instance.dataVolumes[0].volumeId, instance.dataVolumes[0].device, 10, false],
      [instance.dataVolumes[1].volumeId, instance.dataVolumes[1].device, 11, true],
      [instance.dataVolumes[2].volumeId, instance.dataVolumes[2].device, 30, true],
    ];
  }

  function program(args: SnapshotSetArgs): () => void {
    return () => {
      new SnapshotSet("web", { ...args });
    };
  }

  async function up(deployment: Deployment, args: SnapshotSetArgs): Promise<Outcome> {
    const [step, ...rest] = await deployment.up(await world.register(program(args)));
    assert.deepEqual(rest, []);
    const resource = deployment.state.resources[URN];
    return { op: step.op, ok: step.ok, ...(step.error ? { error: step.error } : {}), ...(resource ? { resource } : {}) };
  }

  async function created(args: SnapshotSetArgs): Promise<{ deployment: Deployment; resource: ResourceState }> {
    const deployment = new Deployment(host);
    const outcome = await up(deployment, args);
    assert.equal(outcome.ok, true, String(outcome.error));
    assert.ok(outcome.resource);
    return { deployment, resource: outcome.resource };
  }

  function hostError(outcome: Outcome): HostCallError {
    assert.ok(outcome.error instanceof HostCallError, `expected a host error, got ${String(outcome.error)}`);
    return outcome.error;
  }

  function membersOf(resource: ResourceState | undefined): Member[] {
    assert.ok(resource);
    return resource.outputs.snapshots as unknown as Member[];
  }

  function idsOf(resource: ResourceState | undefined): string[] {
    assert.ok(resource);
    return resource.outputs.snapshotIds as string[];
  }

  /** Snapshots moto holds, by id, with their user tags (the create token left out). */
  async function motoSnapshots(): Promise<Map<string, { volumeId: string; tags: Record<string, string> }>> {
    const snapshots = await allSnapshots(world.ec2);
    return new Map(
      snapshots.map((s) => {
        const { [TOKEN_TAG]: _token, ...tags } = tagsOf(s);
        return [s.SnapshotId ?? "", { volumeId: s.VolumeId ?? "", tags }];
      }),
    );
  }

  async function motoSnapshotIds(): Promise<string[]> {
    return sorted([...(await motoSnapshots()).keys()]);
  }

  describe("check", function () {
    const MANY = Array.from({ length: 41 }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`);
    const cases: [kind: string, args: SnapshotSetArgs, failures: { property: string; reason: string }[]][] = [
      ["a malformed instance id", { instanceId: "i-123" }, [{ property: "instanceId", reason: 'instanceId must be an EC2 instance id such as i-0123456789abcdef0, got "i-123"' }]],
      [
        "a malformed excluded volume id",
        { instanceId: "i-0123456789abcdef0", excludeDataVolumeIds: ["vol-0123456789abcdef0", "volume-1"] },
        [{ property: "excludeDataVolumeIds[1]", reason: 'excludeDataVolumeIds[1] must be an EBS volume id such as vol-0123456789abcdef0, got "volume-1"' }],
      ],
      [
        "more than 40 excluded volumes",
        { instanceId: "i-0123456789abcdef0", excludeDataVolumeIds: MANY },
        [{ property: "excludeDataVolumeIds", reason: "excludeDataVolumeIds lists 41 volumes; EC2 allows at most 40" }],
      ],
      [
        "an excluded volume listed twice",
        { instanceId: "i-0123456789abcdef0", excludeDataVolumeIds: ["vol-0123456789abcdef0", "vol-0fedcba9876543210", "vol-0123456789abcdef0"] },
        [{ property: "excludeDataVolumeIds[2]", reason: "vol-0123456789abcdef0 is listed twice in excludeDataVolumeIds" }],
      ],
      [
        "a tag key reserved for AWS",
        { instanceId: "i-0123456789abcdef0", tags: { "aws:owner": "me" } },
        [{ property: 'tags["aws:owner"]', reason: 'tag keys starting with "aws:" are reserved for AWS' }],
      ],
      [
        "the provider's create-token tag key",
        { instanceId: "i-0123456789abcdef0", tags: { [TOKEN_TAG]: "mine" } },
        [{ property: `tags["${TOKEN_TAG}"]`, reason: `tag key ${TOKEN_TAG} is reserved for the provider's create token` }],
      ],
      [
        "more than 50 tags",
        { instanceId: "i-0123456789abcdef0", tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
        [{ property: 'tags["k9"]', reason: "tags has 51 tags; EC2 allows at most 50 per snapshot" }],
      ],
      [
        "a tag key too long and a tag value too long",
        { instanceId: "i-0123456789abcdef0", tags: { ["k".repeat(129)]: "v", team: "v".repeat(257) } },
        [
          { property: `tags["${"k".repeat(129)}"]`, reason: "tag key is 129 characters; EC2 allows at most 128" },
          { property: 'tags["team"]', reason: "tag value is 257 characters; EC2 allows at most 256" },
        ],
      ],
    ];
    for (const [kind, args, failures] of cases) {
      it(`rejects ${kind}, naming the property`, async function () {
        const [resource] = await world.register(program(args));
        const checked = await host.check(URN, {}, resource.inputs);
        assert.deepEqual(checked.failures, failures);
      });
    }

    it("rejects a set without an instance", async function () {
      const [resource] = await world.register(program({ instanceId: "i-0123456789abcdef0" }));
      const { instanceId: _dropped, ...withoutInstance } = resource.inputs;
      const checked = await host.check(URN, {}, withoutInstance);
      assert.deepEqual(checked.failures, [{ property: "instanceId", reason: "instanceId is required" }]);
    });

    it("lets unknown values through during preview and calls EC2 for nothing", async function () {
      // given a program whose instance, one exclusion and one tag value are not known yet
      const unknownString = (): pulumi.Output<string> => pulumi.output(pulumi.unknown) as pulumi.Output<string>;
      const resources = await registerResources(program({ instanceId: unknownString(), excludeDataVolumeIds: [unknownString()], tags: { team: unknownString() } }), {
        preview: true,
      });
      assert.equal(resources[0].inputs.instanceId, UNKNOWN);
      // when it is previewed
      const checked = await host.check(URN, {}, resources[0].inputs);
      const steps = await new Deployment(host).up(resources, { preview: true });
      // then check accepts it and nothing reaches EC2
      assert.deepEqual(checked.failures, []);
      assert.deepEqual(steps, [{ urn: URN, op: "create", ok: true }]);
      assert.deepEqual(world.proxy.requests, []);
    });
  });

  describe("create", function () {
    it("snapshots every volume of the instance in one CreateSnapshots call and records each member", async function () {
      // given the KMS key of the encrypted volumes' snapshots (proxy: moto does not copy it)
      for (const volume of instance.dataVolumes.filter((v) => v.encrypted)) {
        world.proxy.enrich(volume.volumeId, { kmsKeyId: KMS_KEY_ARN });
      }

      // when the whole instance is snapshotted
      const { resource } = await created({ instanceId: instance.instanceId, tags: { team: "web" } });

      // then one CreateSnapshots call covered the instance, tagged with the set's tags and a create token
      // naming the resource while in flight (a key from its URN, then the request's id)
      const [request, ...others] = world.proxy.requestsFor("CreateSnapshots");
      assert.deepEqual(others, []);
      const token = request.params["TagSpecification.1.Tag.2.Value"];
      assert.match(token, /^[0-9a-f]{16}\.[0-9a-f-]{36}$/);
      const requestId = token.slice(17);
      assert.deepEqual(paramsOf(request), {
        "InstanceSpecification.InstanceId": instance.instanceId,
        "TagSpecification.1.ResourceType": "snapshot",
        "TagSpecification.1.Tag.1.Key": "team",
        "TagSpecification.1.Tag.1.Value": "web",
        "TagSpecification.1.Tag.2.Key": TOKEN_TAG,
        "TagSpecification.1.Tag.2.Value": token,
      });
      // and the state records one member per volume, with its device, size, encryption and key
      assert.match(resource.id, SET_ID);
      assert.equal(resource.initErrors, undefined);
      const members = membersOf(resource);
      const { __provider: provider, snapshots: _members, ...outputs } = resource.outputs;
      assert.equal(typeof provider, "string");
      assert.deepEqual(outputs, {
        __logicalName: "web",
        instanceId: instance.instanceId,
        snapshotIds: members.map((m) => m.snapshotId),
        state: "completed",
        encrypted: false,
        tags: { team: "web" },
        public: false,
        region: "us-east-1",
      });
      for (const member of members) {
        assert.match(member.snapshotId, /^snap-[0-9a-f]{17}$/);
        assert.match(String(member.startTime), ISO_TIME);
      }
      assert.deepEqual(
        members.map(({ snapshotId: _id, startTime: _start, ...rest }) => rest),
        instanceVolumes().map(([volumeId, deviceName, volumeSize, encrypted]) => ({
          volumeId,
          deviceName,
          volumeSize,
          encrypted,
          ...(encrypted ? { kmsKeyId: KMS_KEY_ARN } : {}),
          state: "completed",
          progress: 100,
          tags: { team: "web" },
          productCodes: [],
        })),
      );
      // and those are exactly the snapshots that exist
      const inMoto = await motoSnapshots();
      assert.deepEqual(sorted([...inMoto.keys()]), sorted(members.map((m) => m.snapshotId)));
      assert.deepEqual(
        [...inMoto.values()].map((s) => s.tags),
        members.map(() => ({ team: "web" })),
      );
      // and, recorded, every member's token is cut to the request's id, which the set's id names
      assert.equal(resource.id, `snapset-${requestId}`);
      assert.deepEqual(
        (await allSnapshots(world.ec2)).map((s) => tagsOf(s)[TOKEN_TAG]),
        members.map(() => requestId),
      );
    });

    it("leaves the root volume out with excludeBootVolume, and is encrypted when every member is", async function () {
      // given an instance whose data volumes are all encrypted
      const encryptedOnly = await seedInstance(world.ec2, [{ encrypted: true }, { encrypted: true }]);

      const { resource } = await created({ instanceId: encryptedOnly.instanceId, excludeBootVolume: true });

      assert.equal(world.proxy.requestsFor("CreateSnapshots")[0].params["InstanceSpecification.ExcludeBootVolume"], "true");
      assert.deepEqual(
        membersOf(resource).map((m) => [m.volumeId, m.deviceName, m.encrypted]),
        encryptedOnly.dataVolumes.map((v) => [v.volumeId, v.device, true]),
      );
      assert.equal(resource.outputs.encrypted, true);
      assert.equal(resource.outputs.excludeBootVolume, true);
      assert.deepEqual(sorted([...(await motoSnapshots()).values()].map((s) => s.volumeId)), sorted(encryptedOnly.dataVolumes.map((v) => v.volumeId)));
    });

    it("asks EC2 to leave out an excluded data volume, and warns when the emulator snapshots it anyway", async function () {
      const excluded = instance.dataVolumes[0].volumeId;
      const stderrBefore = host.stderr.length;

      const { resource } = await created({ instanceId: instance.instanceId, excludeDataVolumeIds: [excluded] });

      // EC2 honours InstanceSpecification.ExcludeDataVolumeId; moto ignores it, so the request is what counts
      const [request] = world.proxy.requestsFor("CreateSnapshots");
      assert.deepEqual(listParam(request.params, "InstanceSpecification.ExcludeDataVolumeId"), [excluded]);
      assert.equal(request.params["InstanceSpecification.ExcludeBootVolume"], undefined);
      assert.deepEqual(resource.outputs.excludeDataVolumeIds, [excluded]);
      assert.deepEqual(host.stderr.slice(stderrBefore), [
        `warning: SnapshotSet "web": EC2 also snapshotted ${excluded}, which the inputs exclude; those snapshots are kept as members of the set`,
      ]);
    });

    it("passes the description and CopyTagsFromSource: volume to CreateSnapshots", async function () {
      const { resource } = await created({ instanceId: instance.instanceId, description: "nightly", copyTagsFromSource: true });

      const [request] = world.proxy.requestsFor("CreateSnapshots");
      assert.equal(request.params["Description"], "nightly");
      assert.equal(request.params["CopyTagsFromSource"], "volume");
      assert.deepEqual([resource.outputs.description, resource.outputs.copyTagsFromSource], ["nightly", true]);
    });

    it("waits for the whole set with one DescribeSnapshots per round that names every pending member", async function () {
      // given data-volume snapshots pending for three DescribeSnapshots answers, the root's for one (proxy)
      world.proxy.progressNewSnapshots({ pendingDescribes: 3 });
      world.proxy.progressNewSnapshots({ pendingDescribes: 1, volumeIds: [instance.rootVolumeId] });
      const stderrBefore = host.stderr.length;

      const { resource } = await created({ instanceId: instance.instanceId });

      // then each DescribeSnapshots call asked for every member still pending, all at once: the whole set
      // until the root's snapshot completed, then the three others
      const ids = idsOf(resource);
      const rootSnapshot = ids[0];
      const dataSnapshots = ids.slice(1);
      assert.equal(membersOf(resource)[0].volumeId, instance.rootVolumeId);
      assert.deepEqual(snapshotPolls(world.proxy).map(describedIds), [sorted(ids), sorted(ids), sorted(dataSnapshots), sorted(dataSnapshots)]);
      assert.equal(resource.outputs.state, "completed");
      assert.deepEqual(
        membersOf(resource).map((m) => [m.state, m.progress]),
        ids.map(() => ["completed", 100]),
      );
      // and it reported each pending member's progress as it changed
      const progress = host.stderr
        .slice(stderrBefore)
        .map((line) => line.replace(/, \S+ elapsed, next check in \S+$/, ""))
        .sort();
      assert.deepEqual(progress, sorted(dataSnapshots.flatMap((id) => [`SnapshotSet "web": ${id} 50% pending`, `SnapshotSet "web": ${id} 75% pending`])));
      assert.equal(
        progress.some((line) => line.includes(rootSnapshot)),
        false,
      );
    });

    it("adopts the set a lost CreateSnapshots answer made instead of taking a second one", async function () {
      // given EC2 acting on CreateSnapshots but the connection dropping before the answer (proxy)
      world.proxy.inject({ kind: "reset", action: "CreateSnapshots", phase: "after-forward" });

      const { resource } = await created({ instanceId: instance.instanceId });

      assert.deepEqual(
        world.proxy.requestsFor("CreateSnapshots").map((r) => r.fault ?? ""),
        ["reset:after-forward"],
      );
      assert.equal(idsOf(resource).length, 4);
      assert.deepEqual(await motoSnapshotIds(), sorted(idsOf(resource)));
      assert.deepEqual(
        membersOf(resource).map((m) => [m.volumeId, m.deviceName]),
        instanceVolumes().map(([volumeId, device]) => [volumeId, device]),
      );
    });

    it("survives throttling and snapshot-limit answers to CreateSnapshots and takes exactly one set", async function () {
      // given EC2 refusing CreateSnapshots five times before accepting it (proxy)
      world.proxy.inject({ kind: "error", action: "CreateSnapshots", code: "RequestLimitExceeded", times: 2 });
      for (const code of ["PendingSnapshotLimitExceeded", "ConcurrentSnapshotLimitExceeded", "SnapshotCreationPerVolumeRateExceeded", "IncorrectState"]) {
        world.proxy.inject({ kind: "error", action: "CreateSnapshots", code });
      }

      const { resource } = await created({ instanceId: instance.instanceId });

      assert.deepEqual(
        world.proxy.requestsFor("CreateSnapshots").map((r) => [r.fault ?? "", r.forwarded]),
        [
          ["error:RequestLimitExceeded", false],
          ["error:RequestLimitExceeded", false],
          ["error:PendingSnapshotLimitExceeded", false],
          ["error:ConcurrentSnapshotLimitExceeded", false],
          ["error:SnapshotCreationPerVolumeRateExceeded", false],
          ["error:IncorrectState", false],
          ["", true],
        ],
      );
      assert.equal(idsOf(resource).length, 4);
      assert.deepEqual(await motoSnapshotIds(), sorted(idsOf(resource)));
    });

    it("fails with the last error and records nothing when throttling outlasts the create timeout", async function () {
      world.proxy.inject({ kind: "error", action: "CreateSnapshots", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
      const deployment = new Deployment(host);

      const outcome = await up(deployment, { instanceId: instance.instanceId, timeouts: { create: "1s" } });

      const error = hostError(outcome);
      assert.equal(
        error.message,
        `SnapshotSet "web": create (instance ${instance.instanceId}) did not finish within its 1s timeout (last EC2 answer: RequestLimitExceeded). ` +
          "No snapshot of this create was found (searched by its create token). Raise timeouts.create to give it longer, then run again.",
      );
      assert.equal(error.initFailed, undefined);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.ok(world.proxy.count("CreateSnapshots") > 1);
      assert.deepEqual(await motoSnapshotIds(), []);
    });

    it("deletes every snapshot of the set when one ends in error, and names the volume and EC2's reason", async function () {
      // given a set whose members pend, and one member (proxy) that ends in error
      const failing = instance.dataVolumes[1].volumeId;
      world.proxy.progressNewSnapshots({ pendingDescribes: 3 });
      world.proxy.progressNewSnapshots({ pendingDescribes: 1, volumeIds: [failing], end: { state: "error", message: "The volume is unreadable." } });
      const deployment = new Deployment(host);

      const outcome = await up(deployment, { instanceId: instance.instanceId });

      // then the whole set is gone, and the message says which volume failed and why
      const createdIds = listParam(snapshotPolls(world.proxy)[0].params, "Filter.1.Value");
      const failedId = createdIds.find((id) => world.proxy.volumeOf(id) === failing);
      const error = hostError(outcome);
      assert.equal(
        error.message,
        `SnapshotSet "web": the snapshot set of instance ${instance.instanceId} failed: ${failedId} (volume ${failing}: The volume is unreadable.). ` +
          "All 4 snapshots of the set were deleted, so nothing of this create is left. Check the volumes, then run `pulumi up` again.",
      );
      assert.equal(error.initFailed, undefined);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(sorted(world.proxy.requestsFor("DeleteSnapshot").map((r) => r.params["SnapshotId"])), sorted(createdIds));
      assert.deepEqual(await motoSnapshotIds(), []);
    });

    it("records the set as partial state when the create timeout passes, and finishes waiting on the next up", async function () {
      // given snapshots held pending (proxy) past a 2 s create timeout
      const hold = world.proxy.holdNewSnapshots();
      const deployment = new Deployment(host);
      const args: SnapshotSetArgs = { instanceId: instance.instanceId, timeouts: { create: "2s" } };

      const first = await up(deployment, args);

      // then every id is recorded, pending, with the reason
      const error = hostError(first);
      const ids = [...hold.snapshotIds];
      assert.equal(ids.length, 4);
      assert.equal(
        error.message,
        `SnapshotSet "web": 4 of 4 snapshots are still pending after 2s (${ids.map((id) => `${id} 0%`).join(", ")}). ` +
          "The set is recorded in the stack, and the next `pulumi up` resumes waiting. Run `pulumi up` again, or raise timeouts.create to wait longer in one run.",
      );
      assert.equal(error.initFailed?.id, first.resource?.id);
      assert.match(String(first.resource?.id), SET_ID);
      assert.deepEqual(first.resource?.initErrors, [error.message]);
      assert.deepEqual(idsOf(first.resource), ids);
      assert.equal(first.resource?.outputs.state, "pending");
      assert.equal(typeof first.resource?.outputs.__provider, "string");

      // when the snapshots complete and the program runs again
      hold.release();
      const second = await up(deployment, args);

      // then it resumed the same set instead of taking another
      assert.deepEqual([second.op, second.ok, second.resource?.id], ["update", true, first.resource?.id]);
      assert.equal(second.resource?.initErrors, undefined);
      assert.equal(second.resource?.outputs.state, "completed");
      assert.deepEqual(idsOf(second.resource), ids);
      assert.equal(world.proxy.count("CreateSnapshots"), 1);
      assert.deepEqual(await motoSnapshotIds(), sorted(ids));
    });

    it("records a resumed set that ends in error, and replaces it on the next up", async function () {
      // given a set recorded pending after its create timeout (proxy holds it)
      const hold = world.proxy.holdNewSnapshots();
      const deployment = new Deployment(host);
      const args: SnapshotSetArgs = { instanceId: instance.instanceId, timeouts: { create: "2s" } };
      const first = await up(deployment, args);
      assert.equal(first.resource?.outputs.state, "pending");
      const ids = idsOf(first.resource);
      // and one member that then fails (proxy)
      world.proxy.forceError(ids[2], "The volume is unreadable.");
      hold.release();

      const second = await up(deployment, args);

      // then the update records the failed set (an update cannot delete it) and says what happens next
      assert.deepEqual([second.op, second.ok, second.resource?.id], ["update", false, first.resource?.id]);
      assert.equal(
        second.error?.message,
        `SnapshotSet "web": the snapshot set of instance ${instance.instanceId} failed: ${ids[2]} (volume ${instance.dataVolumes[1].volumeId}: ` +
          "The volume is unreadable.). The set is recorded in the stack as failed. Run `pulumi up` again: it deletes the set and takes a new one.",
      );
      assert.equal(second.resource?.outputs.state, "error");
      // and the recorded state carries the provider, which the delete below loads from it
      assert.equal(typeof second.resource?.outputs.__provider, "string");

      const third = await up(deployment, args);

      // then the failed set is deleted first and a new one taken
      assert.deepEqual([third.op, third.ok], ["replace", true], String(third.error));
      assert.notEqual(third.resource?.id, first.resource?.id);
      assert.equal(third.resource?.outputs.state, "completed");
      assert.deepEqual(sorted(world.proxy.requestsFor("DeleteSnapshot").map((r) => r.params["SnapshotId"])), sorted(ids));
      assert.deepEqual(await motoSnapshotIds(), sorted(idsOf(third.resource)));
    });

    it("records the snapshots a CreateSnapshots call made after the create timeout cut it off", async function () {
      // given EC2 acting on CreateSnapshots but answering after the 1 s create timeout (proxy)
      world.proxy.inject({ kind: "delay", action: "CreateSnapshots", ms: 3_000 });
      const deployment = new Deployment(host);
      const args: SnapshotSetArgs = { instanceId: instance.instanceId, timeouts: { create: "1s" } };

      const first = await up(deployment, args);

      // then the snapshots were found by their create token and recorded, not leaked
      const error = hostError(first);
      const ids = idsOf(first.resource);
      assert.equal(ids.length, 4);
      assert.deepEqual(await motoSnapshotIds(), sorted(ids));
      assert.equal(
        error.message,
        `SnapshotSet "web": create (instance ${instance.instanceId}) did not finish within its 1s timeout. ` +
          `Snapshots ${ids.join(", ")} were created and are recorded in the stack. Run \`pulumi up\` again to resume waiting, or raise timeouts.create to wait longer in one run.`,
      );
      assert.deepEqual(first.resource?.initErrors, [error.message]);
      assert.deepEqual(
        membersOf(first.resource).map((m) => [m.volumeId, m.deviceName]),
        instanceVolumes().map(([volumeId, device]) => [volumeId, device]),
      );

      const second = await up(deployment, args);

      assert.deepEqual([second.op, second.ok, second.resource?.id], ["update", true, first.resource?.id]);
      assert.equal(second.resource?.initErrors, undefined);
      assert.equal(world.proxy.count("CreateSnapshots"), 1);
      assert.deepEqual(await motoSnapshotIds(), sorted(ids));
    });

    it("records a pending set without waiting when waitForCompletion is false, and waits on the next up that wants it", async function () {
      // given snapshots that stay pending for two DescribeSnapshots answers (proxy)
      world.proxy.progressNewSnapshots({ pendingDescribes: 2 });
      const deployment = new Deployment(host);

      const first = await up(deployment, { instanceId: instance.instanceId, waitForCompletion: false });

      assert.deepEqual([first.op, first.ok, first.resource?.initErrors], ["create", true, undefined]);
      assert.equal(first.resource?.outputs.state, "pending");
      assert.deepEqual(
        membersOf(first.resource).map((m) => [m.state, m.progress]),
        idsOf(first.resource).map(() => ["pending", 33]),
      );
      assert.equal(snapshotPolls(world.proxy).length, 1);

      const second = await up(deployment, { instanceId: instance.instanceId });

      assert.deepEqual([second.op, second.ok, second.resource?.id], ["update", true, first.resource?.id]);
      assert.equal(second.resource?.outputs.state, "completed");
      assert.deepEqual(
        membersOf(second.resource).map((m) => [m.state, m.progress]),
        idsOf(first.resource).map(() => ["completed", 100]),
      );
    });

    it("records the snapshots as partial state when a call after CreateSnapshots fails, and resumes them on the next up", async function () {
      // given EC2 refusing the product-code lookup once (proxy)
      world.proxy.inject({
        kind: "error",
        action: "DescribeSnapshotAttribute",
        code: "UnauthorizedOperation",
        message: "You are not authorized to perform this operation.",
        status: 403,
      });
      const deployment = new Deployment(host);

      const first = await up(deployment, { instanceId: instance.instanceId });

      const error = hostError(first);
      const ids = idsOf(first.resource);
      const [refused] = world.proxy.requestsFor("DescribeSnapshotAttribute").filter((r) => r.fault !== undefined);
      assert.equal(
        error.message,
        `SnapshotSet "web": DescribeSnapshotAttribute ${refused.params["SnapshotId"]} failed: EC2 UnauthorizedOperation: ` +
          `You are not authorized to perform this operation. Snapshots ${ids.join(", ")} were created and are recorded in the stack. ` +
          "The credentials in use lack this EC2 permission; grant it in IAM, or use other credentials.",
      );
      assert.equal(ids.length, 4);
      assert.deepEqual(first.resource?.initErrors, [error.message]);
      assert.deepEqual(await motoSnapshotIds(), sorted(ids));

      const second = await up(deployment, { instanceId: instance.instanceId });

      assert.deepEqual([second.op, second.ok, second.resource?.id], ["update", true, first.resource?.id]);
      assert.equal(second.resource?.outputs.state, "completed");
      assert.equal(world.proxy.count("CreateSnapshots"), 1);
      assert.deepEqual(await motoSnapshotIds(), sorted(ids));
    });
  });

  describe("refusals before any snapshot is taken", function () {
    async function refused(args: SnapshotSetArgs): Promise<string> {
      const deployment = new Deployment(host);
      const outcome = await up(deployment, args);
      const error = hostError(outcome);
      assert.deepEqual([outcome.op, outcome.ok, error.initFailed], ["create", false, undefined]);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.equal(world.proxy.count("CreateSnapshots"), 0);
      assert.deepEqual(await motoSnapshotIds(), []);
      return error.message;
    }

    it("refuses an instance that does not exist", async function () {
      assert.equal(
        await refused({ instanceId: "i-0123456789abcdef0" }),
        'SnapshotSet "web": instance i-0123456789abcdef0 does not exist in us-east-1 (EC2 InvalidInstanceID.NotFound). ' + "No snapshot was created. Check instanceId and region.",
      );
    });

    it("refuses to exclude a volume that is not attached to the instance", async function () {
      const loose = await seedVolume(world.ec2);
      assert.equal(
        await refused({ instanceId: instance.instanceId, excludeDataVolumeIds: [instance.dataVolumes[0].volumeId, loose] }),
        `SnapshotSet "web": excludeDataVolumeIds lists ${loose}, not attached to instance ${instance.instanceId}. No snapshot was created. Remove those ids from excludeDataVolumeIds.`,
      );
    });

    it("refuses the root volume in excludeDataVolumeIds, which EC2 rejects and moto ignores", async function () {
      assert.equal(
        await refused({ instanceId: instance.instanceId, excludeDataVolumeIds: [instance.rootVolumeId] }),
        `SnapshotSet "web": excludeDataVolumeIds lists ${instance.rootVolumeId}, the root volume (/dev/sda1) of instance ${instance.instanceId}, ` +
          "and EC2 rejects that. No snapshot was created. Use excludeBootVolume: true to leave the root volume out.",
      );
    });

    it("refuses a set that would be empty", async function () {
      assert.equal(
        await refused({ instanceId: instance.instanceId, excludeBootVolume: true, excludeDataVolumeIds: instance.dataVolumes.map((v) => v.volumeId) }),
        `SnapshotSet "web": nothing to snapshot: every EBS volume of instance ${instance.instanceId} is excluded. No snapshot was created. Exclude fewer volumes (excludeBootVolume, excludeDataVolumeIds).`,
      );
    });

    it("refuses a set of more than 40 volumes", async function () {
      // given an instance with a root volume and 40 data volumes
      const big = await seedInstance(world.ec2, []);
      const letters = "bcdefghijklmnopqrstuvwxyz";
      for (let i = 0; i < 40; i += 1) {
        const volumeId = await seedVolume(world.ec2, { size: 1 });
        const device = `/dev/xvd${letters[Math.floor(i / letters.length)]}${letters[i % letters.length]}`;
        await world.ec2.send(new AttachVolumeCommand({ VolumeId: volumeId, InstanceId: big.instanceId, Device: device }));
      }
      assert.equal(
        await refused({ instanceId: big.instanceId }),
        `SnapshotSet "web": instance ${big.instanceId} would need a set of 41 volumes, and EC2 allows at most 40. ` +
          "No snapshot was created. Exclude some with excludeDataVolumeIds.",
      );
    });

    it("refuses an instance with hibernation enabled", async function () {
      // moto records HibernationOptions.Configured; it cannot hibernate an instance (setPlan's unit test covers that)
      const run = await world.ec2.send(
        new RunInstancesCommand({ ImageId: "ami-12c6146b", MinCount: 1, MaxCount: 1, InstanceType: "t3.micro", HibernationOptions: { Configured: true } }),
      );
      const hibernating = run.Instances?.[0]?.InstanceId ?? "";
      assert.equal(
        await refused({ instanceId: hibernating }),
        `SnapshotSet "web": instance ${hibernating} has hibernation enabled, and EC2 takes no multi-volume snapshot sets of such instances. ` +
          "No snapshot was created. Snapshot its volumes one by one with Snapshot resources instead.",
      );
    });
  });

  describe("update, refresh and delete", function () {
    it("changes the tags of every member with one DeleteTags and one CreateTags over the whole set", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId, tags: { team: "web", tier: "gold" } });
      const ids = idsOf(resource);
      world.proxy.clearRequests();

      const outcome = await up(deployment, { instanceId: instance.instanceId, tags: { team: "db", env: "prod" } });

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id]);
      assert.deepEqual(
        world.proxy.requests.filter((r) => r.action === "CreateTags" || r.action === "DeleteTags").map((r) => [r.action, paramsOf(r)]),
        [
          ["DeleteTags", { ...Object.fromEntries(ids.map((id, i) => [`ResourceId.${i + 1}`, id])), "Tag.1.Key": "tier" }],
          [
            "CreateTags",
            {
              ...Object.fromEntries(ids.map((id, i) => [`ResourceId.${i + 1}`, id])),
              // the engine hands the provider map keys in sorted order
              "Tag.1.Key": "env",
              "Tag.1.Value": "prod",
              "Tag.2.Key": "team",
              "Tag.2.Value": "db",
            },
          ],
        ],
      );
      assert.equal(world.proxy.count("CreateSnapshots"), 0);
      assert.deepEqual(outcome.resource?.outputs.tags, { team: "db", env: "prod" });
      assert.deepEqual(
        membersOf(outcome.resource).map((m) => m.tags),
        ids.map(() => ({ env: "prod", team: "db" })),
      );
      assert.deepEqual(
        [...(await motoSnapshots()).values()].map((s) => s.tags),
        ids.map(() => ({ team: "db", env: "prod" })),
      );
    });

    it("shows tags changed outside Pulumi after a refresh, and puts them back on every member", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId, tags: { team: "web" } });
      const ids = idsOf(resource);
      await world.ec2.send(new CreateTagsCommand({ Resources: [ids[0]], Tags: [{ Key: "team", Value: "hacked" }] }));
      await world.ec2.send(new CreateTagsCommand({ Resources: [ids[1]], Tags: [{ Key: "owner", Value: "someone" }] }));

      assert.deepEqual(await deployment.refresh(), [{ urn: URN, op: "refresh", ok: true }]);
      const refreshed = deployment.state.resources[URN];
      assert.deepEqual(
        membersOf(refreshed).map((m) => m.tags),
        [{ team: "hacked" }, { owner: "someone", team: "web" }, { team: "web" }, { team: "web" }],
      );
      world.proxy.clearRequests();

      const outcome = await up(deployment, { instanceId: instance.instanceId, tags: { team: "web" } });

      assert.deepEqual([outcome.op, outcome.ok], ["update", true]);
      const resources = Object.fromEntries(ids.map((id, i) => [`ResourceId.${i + 1}`, id]));
      assert.deepEqual(
        world.proxy.requests.filter((r) => r.action === "CreateTags" || r.action === "DeleteTags").map((r) => [r.action, paramsOf(r)]),
        [
          ["DeleteTags", { ...resources, "Tag.1.Key": "owner" }],
          ["CreateTags", { ...resources, "Tag.1.Key": "team", "Tag.1.Value": "web" }],
        ],
      );
      assert.deepEqual(
        [...(await motoSnapshots()).values()].map((s) => s.tags),
        ids.map(() => ({ team: "web" })),
      );
    });

    it("reports a member deleted outside Pulumi as missing, and replaces the set on the next up", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId });
      const ids = idsOf(resource);
      await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: ids[1] }));

      assert.deepEqual(await deployment.refresh(), [{ urn: URN, op: "refresh", ok: true }]);
      const refreshed = deployment.state.resources[URN];
      const survivors = [ids[0], ids[2], ids[3]];
      assert.equal(refreshed.id, resource.id);
      assert.deepEqual(idsOf(refreshed), survivors);
      assert.deepEqual(
        membersOf(refreshed).map((m) => m.snapshotId),
        survivors,
      );
      assert.deepEqual(refreshed.outputs.missingSnapshotIds, [ids[1]]);

      const outcome = await up(deployment, { instanceId: instance.instanceId });

      // a set with a hole is no longer one crash-consistent set: a new one is taken, the old one deleted
      assert.deepEqual([outcome.op, outcome.ok], ["replace", true]);
      assert.notEqual(outcome.resource?.id, resource.id);
      assert.equal(outcome.resource?.outputs.missingSnapshotIds, undefined);
      assert.deepEqual(sorted(world.proxy.requestsFor("DeleteSnapshot").map((r) => r.params["SnapshotId"])), sorted(survivors));
      assert.deepEqual(await motoSnapshotIds(), sorted(idsOf(outcome.resource)));
    });

    it("forgets the set on refresh once every member is gone", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId });
      for (const id of idsOf(resource)) {
        await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }));
      }

      assert.deepEqual(await deployment.refresh(), [{ urn: URN, op: "refresh", ok: true }]);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
    });

    it("deletes every member, and a second delete of the same set succeeds", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId });
      const ids = idsOf(resource);

      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
      assert.deepEqual(await motoSnapshotIds(), []);
      await host.delete(URN, resource.id, resource.outputs);

      const deletes = world.proxy.requestsFor("DeleteSnapshot");
      assert.deepEqual(
        deletes.map((r) => [r.params["SnapshotId"], r.status]),
        [...ids.map((id) => [id, 200]), ...ids.map((id) => [id, 400])],
      );
    });

    it("retries a member that an AMI still uses until it can be deleted", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId });
      const [held] = idsOf(resource);
      world.proxy.inject({
        kind: "error",
        action: "DeleteSnapshot",
        code: "InvalidSnapshot.InUse",
        message: `The snapshot ${held} is currently in use by ami-0123456789abcdef0`,
        when: (params) => params["SnapshotId"] === held,
        times: 2,
      });

      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
      assert.deepEqual(
        world.proxy
          .requestsFor("DeleteSnapshot")
          .filter((r) => r.params["SnapshotId"] === held)
          .map((r) => r.fault ?? ""),
        ["error:InvalidSnapshot.InUse", "error:InvalidSnapshot.InUse", ""],
      );
      assert.deepEqual(await motoSnapshotIds(), []);
    });

    it("names every snapshot when none can be deleted", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId });
      const ids = idsOf(resource);
      world.proxy.inject({
        kind: "error",
        action: "DeleteSnapshot",
        code: "UnauthorizedOperation",
        message: "You are not authorized to perform this operation.",
        status: 403,
        times: Number.POSITIVE_INFINITY,
      });

      const [step] = await deployment.destroy();

      assert.deepEqual([step.op, step.ok], ["delete", false]);
      assert.equal(
        step.error?.message,
        `SnapshotSet "web": 4 of 4 snapshots remain: DeleteSnapshot ${ids.join(", ")} failed: EC2 UnauthorizedOperation: You are not authorized to perform this operation. ` +
          "None was deleted, and the set stays in the stack. The credentials in use lack this EC2 permission; grant it in IAM, or use other credentials.",
      );
      assert.equal(deployment.state.resources[URN]?.id, resource.id);
      assert.deepEqual(await motoSnapshotIds(), sorted(ids));
    });

    it("names the snapshot that remains and the AMI that holds it when the delete timeout passes", async function () {
      const { deployment, resource } = await created({ instanceId: instance.instanceId, timeouts: { delete: "1s" } });
      const [held] = idsOf(resource);
      world.proxy.inject({
        kind: "error",
        action: "DeleteSnapshot",
        code: "InvalidSnapshot.InUse",
        message: `The snapshot ${held} is currently in use by ami-0123456789abcdef0`,
        when: (params) => params["SnapshotId"] === held,
        times: Number.POSITIVE_INFINITY,
      });

      const [step, ...rest] = await deployment.destroy();

      assert.deepEqual(rest, []);
      assert.deepEqual([step.op, step.ok], ["delete", false]);
      assert.equal(
        step.error?.message,
        `SnapshotSet "web": 1 of 4 snapshots remain: snapshot ${held} cannot be deleted because AMI ami-0123456789abcdef0 uses it (EC2 InvalidSnapshot.InUse). ` +
          "The 3 others were deleted; the set stays in the stack with that one. Deregister ami-0123456789abcdef0 first, then run the delete again.",
      );
      assert.equal(deployment.state.resources[URN]?.id, resource.id);
      assert.deepEqual(await motoSnapshotIds(), [held]);

      // once the AMI is gone, the delete finishes, tolerating the members already deleted
      world.proxy.clearFaults();
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
      assert.deepEqual(await motoSnapshotIds(), []);
    });
  });
});
