import assert from "node:assert/strict";
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeFastSnapshotRestoresCommand,
  DescribeVolumeStatusCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  DisableFastSnapshotRestoresCommand,
  EC2Client,
  EnableFastSnapshotRestoresCommand,
  RunInstancesCommand,
  type CreateVolumeCommandInput,
  type DescribeFastSnapshotRestoreSuccessItem,
  type Volume,
  type VolumeStatusItem,
} from "@aws-sdk/client-ec2";
import { startFaultProxy, type FaultProxy } from "../../harness/faultProxy";
import { startMoto, type MotoServer } from "../../harness/moto";

// moto 5.2.1 reports every new volume `available` at once, ignores ClientToken and
// VolumeInitializationRate, describes attachments `attached` at once, and answers DescribeVolumeStatus
// and the fast snapshot restore actions with an HTML 500. Every `creating`, `error`, `attaching`,
// `detaching` and replayed volume, every refusal of CreateVolume/AttachVolume/DeleteVolume,
// every volumeInitializationRate, fastRestored, volume status and fast snapshot restore asserted below
// comes from the fault proxy (harness/faultProxy/volume*.ts, attachRefusals.ts,
// fastSnapshotRestores.ts); the volumes, snapshots, instances and attachments themselves are moto's.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const ZONE = "us-east-1a";
const OTHER_ZONE = "us-east-1b";
const MOTO_ACCOUNT = "123456789012";
const TAG = "pulumi-ebs-snapshots:volume-test";
const MISSING_SNAPSHOT = "snap-0123456789abcdef0";
const MISSING_VOLUME = "vol-0123456789abcdef0";

interface CaughtError {
  name: string;
  message: string;
  httpStatus: number | undefined;
}

async function failure(promise: Promise<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    const shaped = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: error.name, message: error.message, httpStatus: shaped.$metadata?.httpStatusCode };
  }
  assert.fail("expected the call to fail");
}

function client(endpoint: string): EC2Client {
  return new EC2Client({ region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
}

describe("fault proxy: volumes (EC2's volume behaviour that moto 5.2.1 lacks, supplied by the proxy)", function () {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let ec2: EC2Client;
  let direct: EC2Client;
  let snapshotA: string;
  let snapshotB: string;
  let instanceId: string;
  let testRun = 0;

  /** A tag value unique to the test, so moto's volumes can be counted per test. */
  function tagValue(): string {
    return `run-${testRun}`;
  }

  async function createVolume(input: Partial<CreateVolumeCommandInput> = {}, via: EC2Client = ec2): Promise<Volume> {
    return via.send(
      new CreateVolumeCommand({
        AvailabilityZone: ZONE,
        TagSpecifications: [{ ResourceType: "volume", Tags: [{ Key: TAG, Value: tagValue() }] }],
        ...input,
      }),
    );
  }

  async function volumeId(input: Partial<CreateVolumeCommandInput> = {}): Promise<string> {
    const created = await createVolume(input);
    assert.ok(created.VolumeId !== undefined);
    return created.VolumeId;
  }

  async function describeVolume(id: string, via: EC2Client = ec2): Promise<Volume> {
    const answer = await via.send(new DescribeVolumesCommand({ VolumeIds: [id] }));
    assert.equal(answer.Volumes?.length, 1);
    const [volume] = answer.Volumes ?? [];
    assert.ok(volume !== undefined);
    return volume;
  }

  async function stateOf(id: string): Promise<string> {
    const volume = await describeVolume(id);
    const attachments = (volume.Attachments ?? []).map((attachment) => `${attachment.State} ${attachment.Device}`);
    return [volume.State, ...attachments].join(" ");
  }

  /** Volumes moto holds with this test's tag, asked of moto directly. */
  async function motoVolumesOfTest(): Promise<string[]> {
    const answer = await direct.send(new DescribeVolumesCommand({ Filters: [{ Name: `tag:${TAG}`, Values: [tagValue()] }] }));
    return (answer.Volumes ?? []).map((volume) => volume.VolumeId ?? "").sort();
  }

  async function volumeStatus(ids: string[]): Promise<VolumeStatusItem[]> {
    return (await ec2.send(new DescribeVolumeStatusCommand({ VolumeIds: ids }))).VolumeStatuses ?? [];
  }

  async function initializationOf(id: string): Promise<string> {
    const [status] = await volumeStatus([id]);
    assert.ok(status !== undefined);
    const state = status.VolumeStatus?.Details?.find((detail) => detail.Name === "initialization-state")?.Status;
    const details = status.InitializationStatusDetails;
    return details === undefined ? `${state}` : `${state} ${details.InitializationType} ${details.Progress} ${details.EstimatedTimeToCompleteInSeconds}`;
  }

  async function fastRestores(filters: Array<{ Name: string; Values: string[] }> = []): Promise<DescribeFastSnapshotRestoreSuccessItem[]> {
    return (await ec2.send(new DescribeFastSnapshotRestoresCommand(filters.length > 0 ? { Filters: filters } : {}))).FastSnapshotRestores ?? [];
  }

  async function fastRestoreStates(snapshotId: string): Promise<string[]> {
    return (await fastRestores([{ Name: "snapshot-id", Values: [snapshotId] }])).map((item) => `${item.AvailabilityZone} ${item.State}`);
  }

  before(async function () {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    ec2 = client(proxy.endpoint);
    direct = client(moto.endpoint);
    const source = (await direct.send(new CreateVolumeCommand({ AvailabilityZone: ZONE, Size: 8 }))).VolumeId ?? "";
    snapshotA = (await direct.send(new CreateSnapshotCommand({ VolumeId: source }))).SnapshotId ?? "";
    snapshotB = (await direct.send(new CreateSnapshotCommand({ VolumeId: source }))).SnapshotId ?? "";
    const run = await direct.send(new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1, InstanceType: "t3.micro", Placement: { AvailabilityZone: ZONE } }));
    instanceId = run.Instances?.[0]?.InstanceId ?? "";
    assert.ok(snapshotA !== "" && snapshotB !== "" && instanceId !== "");
  });

  beforeEach(function () {
    testRun += 1;
  });

  afterEach(function () {
    proxy.reset();
  });

  after(async function () {
    ec2?.destroy();
    direct?.destroy();
    await proxy?.close();
    await moto?.stop();
  });

  describe("CreateVolume idempotency", function () {
    it("answers a repeated ClientToken with the first volume, from the proxy, so moto holds one", async function () {
      const first = await createVolume({ SnapshotId: snapshotA, ClientToken: "token-same" });
      const again = await createVolume({ SnapshotId: snapshotA, ClientToken: "token-same" });
      assert.equal(again.VolumeId, first.VolumeId);
      assert.deepEqual(
        [again.Size, again.SnapshotId, again.AvailabilityZone, again.State, again.VolumeType, again.Encrypted],
        [first.Size, first.SnapshotId, first.AvailabilityZone, first.State, first.VolumeType, first.Encrypted],
      );
      assert.equal(again.CreateTime?.getTime(), first.CreateTime?.getTime());
      assert.deepEqual(again.Tags, [{ Key: TAG, Value: tagValue() }]);
      assert.deepEqual(await motoVolumesOfTest(), [first.VolumeId]);
      const [, replay] = proxy.requestsFor("CreateVolume");
      assert.equal(replay?.forwarded, false);
      assert.equal(replay?.fault, "replayed:ClientToken");
    });

    it("makes a CreateVolume whose answer was lost safe to retry: the retry gets the volume EC2 created", async function () {
      proxy.inject({ kind: "reset", phase: "after-forward", action: "CreateVolume" });
      const lost = await failure(createVolume({ SnapshotId: snapshotA, ClientToken: "token-lost" }));
      assert.notEqual(lost.httpStatus, 200);
      const [created] = await motoVolumesOfTest();
      assert.ok(created !== undefined, "moto created the volume although the answer was lost");
      const retried = await createVolume({ SnapshotId: snapshotA, ClientToken: "token-lost" });
      assert.equal(retried.VolumeId, created);
      assert.deepEqual(await motoVolumesOfTest(), [created]);
      assert.deepEqual(
        proxy.requestsFor("CreateVolume").map((entry) => [entry.forwarded, entry.fault]),
        [
          [true, "reset:after-forward"],
          [false, "replayed:ClientToken"],
        ],
      );
    });

    it("replays the state the volume is in now, without counting a describe", async function () {
      proxy.creatingVolumes({ describes: 1 });
      const first = await createVolume({ SnapshotId: snapshotA, ClientToken: "token-state" });
      assert.equal(first.State, "creating");
      assert.equal((await createVolume({ SnapshotId: snapshotA, ClientToken: "token-state" })).State, "creating");
      assert.equal(await stateOf(first.VolumeId ?? ""), "creating");
      assert.equal((await createVolume({ SnapshotId: snapshotA, ClientToken: "token-state" })).State, "available");
    });

    it("refuses the token with other parameters, and the token of a deleted volume (IdempotentParameterMismatch)", async function () {
      const first = await volumeId({ SnapshotId: snapshotA, ClientToken: "token-mismatch" });
      const mismatch = await failure(createVolume({ SnapshotId: snapshotB, ClientToken: "token-mismatch" }));
      assert.deepEqual([mismatch.name, mismatch.httpStatus], ["IdempotentParameterMismatch", 400]);
      await ec2.send(new DeleteVolumeCommand({ VolumeId: first }));
      const deleted = await failure(createVolume({ SnapshotId: snapshotA, ClientToken: "token-mismatch" }));
      assert.equal(deleted.name, "IdempotentParameterMismatch");
      assert.match(deleted.message, /already deleted/);
      assert.deepEqual(await motoVolumesOfTest(), []);
    });
  });

  describe("volume creation states", function () {
    it("learns each volume's source snapshot from the traffic", async function () {
      const fromA = await volumeId({ SnapshotId: snapshotA });
      const fromB = await volumeId({ SnapshotId: snapshotB });
      const alsoFromA = await volumeId({ SnapshotId: snapshotA });
      const empty = await volumeId({ Size: 1 });
      assert.deepEqual(proxy.volumeFromSnapshot(snapshotA), [fromA, alsoFromA]);
      assert.deepEqual(proxy.volumeFromSnapshot(snapshotB), [fromB]);
      assert.equal(proxy.snapshotOfVolume(fromB), snapshotB);
      assert.equal(proxy.snapshotOfVolume(empty), undefined);
    });

    it("reports new volumes creating in their answer and for the planned describes, only from the selected snapshot", async function () {
      proxy.creatingVolumes({ describes: 2, selector: { snapshotId: snapshotA } });
      const created = await createVolume({ SnapshotId: snapshotA });
      assert.equal(created.State, "creating");
      const other = await createVolume({ SnapshotId: snapshotB });
      assert.equal(other.State, "available");
      const id = created.VolumeId ?? "";
      assert.deepEqual([await stateOf(id), await stateOf(id), await stateOf(id)], ["creating", "creating", "available"]);
      assert.equal((await describeVolume(id, direct)).State, "available", "moto's own state");
    });

    it("defaults to two creating describes, and drops an item from a status filter its reported state fails", async function () {
      proxy.creatingVolumes();
      const id = await volumeId({ SnapshotId: snapshotA });
      const available = await ec2.send(
        new DescribeVolumesCommand({
          Filters: [
            { Name: "status", Values: ["available"] },
            { Name: `tag:${TAG}`, Values: [tagValue()] },
          ],
        }),
      );
      assert.deepEqual(available.Volumes, []);
      assert.equal(await stateOf(id), "creating");
      assert.equal(await stateOf(id), "available");
    });

    it("refuses to attach a volume that is still creating, without forwarding", async function () {
      proxy.creatingVolumes({ describes: 1 });
      const id = await volumeId({ SnapshotId: snapshotA });
      const refused = await failure(ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: instanceId, Device: "/dev/sdg" })));
      assert.deepEqual([refused.name, refused.message, refused.httpStatus], ["IncorrectState", `${id} is not 'available'.`, 400]);
      assert.equal(proxy.requestsFor("AttachVolume")[0]?.forwarded, false);
      assert.deepEqual((await describeVolume(id, direct)).Attachments, []);
    });

    it("fails new volumes: creating for one describe, then error until deleted, which reaches moto", async function () {
      proxy.failNewVolumes({ snapshotId: snapshotB }, "The KMS key is disabled");
      const healthy = await volumeId({ SnapshotId: snapshotA });
      const created = await createVolume({ SnapshotId: snapshotB });
      assert.equal(created.State, "creating");
      const id = created.VolumeId ?? "";
      assert.deepEqual([await stateOf(id), await stateOf(id), await stateOf(id), await stateOf(healthy)], ["creating", "error", "error", "available"]);
      const [status] = await volumeStatus([id]);
      assert.equal(status?.VolumeStatus?.Status, "impaired");
      assert.equal(status?.VolumeStatus?.Details?.find((detail) => detail.Name === "io-enabled")?.Status, "failed");
      assert.equal(status?.Events?.[0]?.Description, "The KMS key is disabled");
      await ec2.send(new DeleteVolumeCommand({ VolumeId: id }));
      assert.equal(proxy.requestsFor("DeleteVolume")[0]?.forwarded, true);
      assert.deepEqual(await motoVolumesOfTest(), [healthy]);
    });
  });

  describe("attachments", function () {
    it("refuses AttachVolume of volumes from a snapshot with IncorrectState, never forwarded, so moto's volume stays available", async function () {
      const handle = proxy.refuseAttach({ snapshotId: snapshotA });
      const id = await volumeId({ SnapshotId: snapshotA });
      const refused = await failure(ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: instanceId, Device: "/dev/sdh" })));
      assert.deepEqual([refused.name, refused.message, refused.httpStatus], ["IncorrectState", `${id} is not 'available'.`, 400]);
      assert.deepEqual(
        proxy.requestsFor("AttachVolume").map((entry) => [entry.forwarded, entry.fault]),
        [[false, "refused:IncorrectState"]],
      );
      const inMoto = await describeVolume(id, direct);
      assert.deepEqual([inMoto.State, inMoto.Attachments], ["available", []]);

      handle.remove();
      proxy.refuseAttach({ volumeId: id }, { code: "UnauthorizedOperation", message: "You are not authorized to perform this operation." });
      const unauthorized = await failure(ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: instanceId, Device: "/dev/sdh" })));
      assert.deepEqual([unauthorized.name, unauthorized.httpStatus], ["UnauthorizedOperation", 403]);
    });

    it("reports attaching, then attached; after a detach, in-use and detaching, then available", async function () {
      proxy.attachingVolumes(1);
      const id = await volumeId({ SnapshotId: snapshotA });
      const attach = await ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: instanceId, Device: "/dev/sdi" }));
      assert.equal(attach.State, "attaching");
      assert.deepEqual([await stateOf(id), await stateOf(id)], ["in-use attaching /dev/sdi", "in-use attached /dev/sdi"]);

      // EC2 takes DetachVolume without InstanceId; moto 5.2.1 crashes on it, so the proxy names the instance.
      const detach = await ec2.send(new DetachVolumeCommand({ VolumeId: id }));
      assert.deepEqual([detach.State, detach.InstanceId], ["detaching", instanceId]);
      assert.equal(proxy.requestsFor("DetachVolume")[0]?.fault, "amended");
      const refusedDelete = await failure(ec2.send(new DeleteVolumeCommand({ VolumeId: id })));
      assert.deepEqual([refusedDelete.name, refusedDelete.message], ["VolumeInUse", `Volume ${id} is currently attached to ${instanceId}`]);
      assert.deepEqual([await stateOf(id), await stateOf(id)], ["in-use detaching /dev/sdi", "available"]);
      await ec2.send(new DeleteVolumeCommand({ VolumeId: id }));
    });

    it("refuses a device already in use on the instance (InvalidParameterValue), which moto accepts", async function () {
      const first = await volumeId({ SnapshotId: snapshotA });
      const second = await volumeId({ SnapshotId: snapshotA });
      await ec2.send(new AttachVolumeCommand({ VolumeId: first, InstanceId: instanceId, Device: "/dev/sdj" }));
      const refused = await failure(ec2.send(new AttachVolumeCommand({ VolumeId: second, InstanceId: instanceId, Device: "/dev/sdj" })));
      assert.deepEqual([refused.name, refused.message], ["InvalidParameterValue", "Invalid value '/dev/sdj' for unixDevice. Attachment point /dev/sdj is already in use"]);
      assert.equal((await describeVolume(second, direct)).State, "available");
      await ec2.send(new DetachVolumeCommand({ VolumeId: first, InstanceId: instanceId }));
      assert.equal(await stateOf(first), "available", "without an attachingVolumes rule moto's instant states pass");
    });
  });

  describe("fast snapshot restore", function () {
    it("enables: enabling in the answer, then enabling, optimizing, enabled over describes, with EC2's fields", async function () {
      const answer = await ec2.send(new EnableFastSnapshotRestoresCommand({ SourceSnapshotIds: [snapshotA], AvailabilityZones: [ZONE, OTHER_ZONE] }));
      assert.deepEqual(answer.Unsuccessful, []);
      assert.deepEqual(
        answer.Successful?.map((item) => [item.SnapshotId, item.AvailabilityZone, item.State, item.StateTransitionReason, item.OwnerId, item.EnablingTime instanceof Date]),
        [
          [snapshotA, ZONE, "enabling", "Client.UserInitiated", MOTO_ACCOUNT, true],
          [snapshotA, OTHER_ZONE, "enabling", "Client.UserInitiated", MOTO_ACCOUNT, true],
        ],
      );
      assert.deepEqual(await fastRestoreStates(snapshotA), [`${ZONE} enabling`, `${OTHER_ZONE} enabling`]);
      assert.deepEqual(await fastRestoreStates(snapshotA), [`${ZONE} optimizing`, `${OTHER_ZONE} optimizing`]);
      const [enabled] = await fastRestores([
        { Name: "snapshot-id", Values: [snapshotA] },
        { Name: "availability-zone", Values: [ZONE] },
      ]);
      assert.deepEqual([enabled?.State, enabled?.StateTransitionReason], ["enabled", "Client.UserInitiated - Lifecycle state transition"]);
      assert.ok(enabled?.EnablingTime !== undefined && enabled.OptimizingTime !== undefined && enabled.EnabledTime !== undefined);
      assert.equal(proxy.fastRestoreOf(snapshotA, ZONE)?.state, "enabled");
      assert.equal(proxy.fastRestoreOf(snapshotA, OTHER_ZONE)?.state, "optimizing", "the other zone was left out of the last answer");

      const again = await ec2.send(new EnableFastSnapshotRestoresCommand({ SourceSnapshotIds: [snapshotA], AvailabilityZones: [ZONE] }));
      assert.equal(again.Successful?.[0]?.State, "enabled", "enabling an enabled pair answers its state");
      assert.deepEqual(proxy.fastRestoreHistory(), [
        { action: "enable", snapshotId: snapshotA, availabilityZone: ZONE },
        { action: "enable", snapshotId: snapshotA, availabilityZone: OTHER_ZONE },
        { action: "enable", snapshotId: snapshotA, availabilityZone: ZONE },
      ]);
    });

    it("disables: disabling in the answer and one describe, then disabled, then gone from the listing", async function () {
      proxy.fastRestorePlan({ enablingDescribes: 0 });
      await ec2.send(new EnableFastSnapshotRestoresCommand({ SourceSnapshotIds: [snapshotB], AvailabilityZones: [ZONE] }));
      assert.deepEqual(await fastRestoreStates(snapshotB), [`${ZONE} enabled`]);
      const answer = await ec2.send(new DisableFastSnapshotRestoresCommand({ SourceSnapshotIds: [snapshotB], AvailabilityZones: [ZONE] }));
      assert.deepEqual(
        answer.Successful?.map((item) => [item.State, item.StateTransitionReason, item.DisablingTime instanceof Date]),
        [["disabling", "Client.UserInitiated", true]],
      );
      const states = [await fastRestoreStates(snapshotB), await fastRestoreStates(snapshotB), await fastRestoreStates(snapshotB)];
      assert.deepEqual(states, [[`${ZONE} disabling`], [`${ZONE} disabled`], []]);
      assert.equal(proxy.fastRestoreOf(snapshotB, ZONE), undefined);
      assert.deepEqual(
        proxy.fastRestoreHistory().map((entry) => entry.action),
        ["enable", "disable"],
      );
    });

    it("answers a snapshot moto does not hold as unsuccessful (InvalidSnapshot.NotFound), beside the pairs that succeed", async function () {
      const answer = await ec2.send(new EnableFastSnapshotRestoresCommand({ SourceSnapshotIds: [MISSING_SNAPSHOT, snapshotA], AvailabilityZones: [ZONE] }));
      assert.deepEqual(
        answer.Successful?.map((item) => item.SnapshotId),
        [snapshotA],
      );
      assert.deepEqual(answer.Unsuccessful, [
        {
          SnapshotId: MISSING_SNAPSHOT,
          FastSnapshotRestoreStateErrors: [{ AvailabilityZone: ZONE, Error: { Code: "InvalidSnapshot.NotFound", Message: `The snapshot '${MISSING_SNAPSHOT}' does not exist.` } }],
        },
      ]);
      assert.deepEqual(await fastRestoreStates(MISSING_SNAPSHOT), []);
    });

    it("lists a pair enabled outside the provider as enabled, and keeps it out of the history", async function () {
      proxy.enableFastRestoreOutside(snapshotB, OTHER_ZONE);
      const [outside] = await fastRestores([{ Name: "state", Values: ["enabled"] }]);
      assert.deepEqual([outside?.SnapshotId, outside?.AvailabilityZone, outside?.State], [snapshotB, OTHER_ZONE, "enabled"]);
      assert.ok((outside?.EnabledTime?.getTime() ?? Date.now()) < Date.now() - 60_000, "enabled earlier");
      assert.deepEqual(proxy.fastRestoreHistory(), []);
    });

    it("holds a snapshot's pairs enabling until released", async function () {
      proxy.fastRestorePlan({ enablingDescribes: 1 });
      const hold = proxy.holdFastRestoreEnabling(snapshotA);
      await ec2.send(new EnableFastSnapshotRestoresCommand({ SourceSnapshotIds: [snapshotA], AvailabilityZones: [ZONE] }));
      const held = [await fastRestoreStates(snapshotA), await fastRestoreStates(snapshotA), await fastRestoreStates(snapshotA)];
      assert.deepEqual(held, [[`${ZONE} enabling`], [`${ZONE} enabling`], [`${ZONE} enabling`]]);
      hold.release();
      assert.deepEqual([await fastRestoreStates(snapshotA), await fastRestoreStates(snapshotA)], [[`${ZONE} optimizing`], [`${ZONE} enabled`]]);
    });

    it("makes volumes created from an enabled snapshot fast restored and initialized at once", async function () {
      proxy.enableFastRestoreOutside(snapshotA, ZONE);
      const fast = await volumeId({ SnapshotId: snapshotA });
      const slow = await volumeId({ SnapshotId: snapshotB });
      assert.deepEqual([(await describeVolume(fast)).FastRestored, (await describeVolume(slow)).FastRestored], [true, undefined]);
      assert.equal(await initializationOf(fast), "completed default 100 undefined");
      assert.equal(await initializationOf(slow), "initializing default 25 undefined");
    });
  });

  describe("volume initialization", function () {
    it("reports the provisioned rate in CreateVolume and DescribeVolumes, and initialization over DescribeVolumeStatus answers", async function () {
      proxy.initializationPlan({ describes: 2 });
      const created = await createVolume({ SnapshotId: snapshotA, VolumeInitializationRate: 200 });
      assert.equal(created.VolumeInitializationRate, 200);
      const id = created.VolumeId ?? "";
      assert.equal((await describeVolume(id)).VolumeInitializationRate, 200);
      // 8 GiB at 200 MiB/s: what is left of 8,192 MiB, rounded up to whole seconds.
      const progress = [await initializationOf(id), await initializationOf(id), await initializationOf(id), await initializationOf(id)];
      assert.deepEqual(progress, [
        "initializing provisioned-rate 33 28",
        "initializing provisioned-rate 66 14",
        "completed provisioned-rate 100 0",
        "completed provisioned-rate 100 0",
      ]);
      const [status] = await volumeStatus([id]);
      assert.deepEqual([status?.VolumeId, status?.AvailabilityZone, status?.VolumeStatus?.Status, status?.Actions, status?.Events], [id, ZONE, "ok", [], []]);
      assert.deepEqual(
        status?.VolumeStatus?.Details?.map((detail) => [detail.Name, detail.Status]),
        [
          ["io-enabled", "passed"],
          ["io-performance", "not-applicable"],
          ["initialization-state", "completed"],
        ],
      );
    });

    it("initializes volumes from a snapshot at the default rate, and empty volumes not at all", async function () {
      const fromSnapshot = await volumeId({ SnapshotId: snapshotB });
      const empty = await volumeId({ Size: 2 });
      assert.equal((await describeVolume(fromSnapshot)).VolumeInitializationRate, undefined);
      assert.deepEqual(
        [await initializationOf(fromSnapshot), await initializationOf(fromSnapshot), await initializationOf(fromSnapshot), await initializationOf(fromSnapshot)],
        ["initializing default 25 undefined", "initializing default 50 undefined", "initializing default 75 undefined", "completed default 100 undefined"],
      );
      assert.equal(await initializationOf(empty), "completed");
    });

    it("does not initialize while creating, and reports insufficient-data meanwhile", async function () {
      proxy.creatingVolumes({ describes: 1 });
      const id = await volumeId({ SnapshotId: snapshotA });
      const [creating] = await volumeStatus([id]);
      assert.equal(creating?.VolumeStatus?.Status, "insufficient-data");
      assert.equal(creating?.InitializationStatusDetails?.Progress, 0);
      await stateOf(id);
      assert.equal(await initializationOf(id), "initializing default 25 undefined");
    });

    it("answers DescribeVolumeStatus for every volume moto holds, and InvalidVolume.NotFound for one it does not", async function () {
      const id = await volumeId({ Size: 1 });
      const all = await ec2.send(new DescribeVolumeStatusCommand({}));
      assert.ok(all.VolumeStatuses?.some((status) => status.VolumeId === id));
      const missing = await failure(volumeStatus([id, MISSING_VOLUME]));
      assert.deepEqual([missing.name, missing.message, missing.httpStatus], ["InvalidVolume.NotFound", `The volume '${MISSING_VOLUME}' does not exist.`, 400]);
    });

    it("refuses a rate outside 100-300 MiB/s or without a snapshot, as EC2 does and moto does not", async function () {
      const tooFast = await failure(createVolume({ SnapshotId: snapshotA, VolumeInitializationRate: 301 }));
      assert.equal(tooFast.name, "InvalidParameterValue");
      const noSnapshot = await failure(createVolume({ Size: 1, VolumeInitializationRate: 100 }));
      assert.equal(noSnapshot.name, "InvalidParameterCombination");
      assert.deepEqual(
        proxy.requestsFor("CreateVolume").map((entry) => entry.forwarded),
        [false, false],
      );
      assert.deepEqual(await motoVolumesOfTest(), []);
    });
  });

  describe("reset", function () {
    it("forgets tokens, learned volumes, rules and fast snapshot restores", async function () {
      proxy.creatingVolumes({ describes: 5 });
      proxy.refuseAttach({});
      const first = await volumeId({ SnapshotId: snapshotA, ClientToken: "token-reset" });
      await ec2.send(new EnableFastSnapshotRestoresCommand({ SourceSnapshotIds: [snapshotA], AvailabilityZones: [ZONE] }));
      proxy.reset();

      assert.deepEqual(proxy.volumeFromSnapshot(snapshotA), []);
      assert.equal(proxy.snapshotOfVolume(first), undefined);
      assert.equal(proxy.fastRestoreOf(snapshotA, ZONE), undefined);
      assert.deepEqual(proxy.fastRestoreHistory(), []);
      assert.deepEqual(await fastRestores(), []);
      assert.equal(await stateOf(first), "available");
      // The token is forgotten, so the request reaches moto, which ignores tokens and makes a second volume.
      const second = await volumeId({ SnapshotId: snapshotA, ClientToken: "token-reset" });
      assert.notEqual(second, first);
      assert.equal(await initializationOf(first), "completed default 100 undefined", "a volume the proxy did not see created is taken as initialized");
      await ec2.send(new AttachVolumeCommand({ VolumeId: second, InstanceId: instanceId, Device: "/dev/sdk" }));
      assert.equal(await stateOf(second), "in-use attached /dev/sdk");
    });
  });
});
