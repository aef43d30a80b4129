import * as assert from "node:assert/strict";
import {
  CreateSnapshotCommand,
  DeleteVolumeCommand,
  DescribeFastSnapshotRestoresCommand,
  DescribeSnapshotTierStatusCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  EC2Client,
  ModifySnapshotTierCommand,
  type Volume,
} from "@aws-sdk/client-ec2";
import { SnapshotSet, VolumeSet, type VolumeSetArgs } from "../../sdk";
import { Deployment, type ResourceState, type StepOp } from "../../harness/deployment";
import { EngineWorld, TEST_CREDENTIALS } from "../../harness/engineWorld";
import type { RecordedRequest } from "../../harness/faultProxy";
import { HostCallError, type JsonObject, type JsonValue, type ProviderHost } from "../../harness/providerHost";
import { AVAILABILITY_ZONE, KMS_KEY_ARN, REGION, seedInstance, type SeededInstance } from "../../harness/seed";

const URN = "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:VolumeSet::restore";
const PLUGIN_URN = "urn:pulumi:stack::project::ebs-snapshots:index:VolumeSet::restore";
const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const SET_ID = new RegExp(`^volset-${UUID}$`);
/** Actions that change something in EC2; everything else this provider sends is a Describe. */
const MUTATIONS = [
  "CreateVolume",
  "AttachVolume",
  "DetachVolume",
  "DeleteVolume",
  "ModifyVolume",
  "CreateTags",
  "DeleteTags",
  "EnableFastSnapshotRestores",
  "DisableFastSnapshotRestores",
];

interface Outcome {
  op: StepOp;
  ok: boolean;
  error?: Error;
  resource?: ResourceState;
}

/** A SnapshotSet's member as its state records it: what a program passes to a VolumeSet as it is. */
interface Member {
  snapshotId: string;
  volumeId: string;
  deviceName: string;
  volumeSize: number;
  encrypted: boolean;
  state: string;
  tags: Record<string, string>;
  productCodes: unknown[];
}

/** One restored volume as the VolumeSet's state records it. */
interface RestoredVolume {
  volumeId: string;
  snapshotId: string;
  deviceName?: string;
  state: string;
  attachmentState?: string;
  sizeGiB?: number;
  volumeType?: string;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  initializationType?: string;
  initializationProgress?: number;
  initializationState?: string;
}

/** A request's parameters without the envelope every request carries. */
function paramsOf(request: RecordedRequest): Record<string, string> {
  const { Action: _action, Version: _version, ...rest } = request.params;
  return rest;
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

function tagMap(volume: Volume | undefined): Record<string, string> {
  return Object.fromEntries((volume?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

/**
 * A message with its one parenthesized list of volume ids replaced by "<ids>", and those ids sorted: the
 * provider lists volumes in the order EC2 answered their CreateVolume, which concurrent requests do not fix.
 */
function withIdList(message: string): { text: string; ids: string[] } {
  const list = /\((vol-[0-9a-f]{17}(?:, vol-[0-9a-f]{17})*)\)/.exec(message);
  assert.ok(list, `no list of volume ids in: ${message}`);
  return { text: message.replace(list[0], "(<ids>)"), ids: sorted(list[1].split(", ")) };
}

/**
 * VolumeSet through the SDK's dynamic-provider host, as `pulumi up` drives it, against moto. The
 * snapshots come from a real SnapshotSet of a moto instance's three data volumes (10, 11 and 12 GiB,
 * the second encrypted); the sets are restored onto a second instance that has only a root volume.
 *
 * moto 5.2.1 makes volumes `available` at once, attaches and detaches at once, inherits encryption from
 * an encrypted snapshot, ignores ClientToken, and has no DescribeVolumeStatus, fast snapshot restore or
 * archive tier. What the tests need beyond that comes from the fault proxy and is marked "(proxy)":
 * `creating` and `error` volumes, refused attaches, the initialization fields, fast snapshot restore,
 * pending and archived snapshots, and EC2's error answers.
 */
describe("VolumeSet through the dynamic-provider host", function () {
  let world: EngineWorld;
  let host: ProviderHost;
  /** A client of the proxy (not of moto), for the EC2 actions only the proxy answers, such as archiving. */
  let proxyEc2: EC2Client;
  let source: SeededInstance;
  let members: Member[];

  before(async function () {
    // One host serves the whole suite, so its request budget (EC2's buckets: volume calls 100, then 5 a
    // second) would pace the later tests' detaches and deletes; the emulator refills it faster.
    world = await EngineWorld.start({ EBS_SNAPSHOTS_REQUEST_RATE_SCALE: "20" });
    // One host for the suite, as one `pulumi up` runs every dynamic resource in one host process.
    host = await world.startHost();
    proxyEc2 = new EC2Client({ region: REGION, endpoint: world.proxy.endpoint, credentials: TEST_CREDENTIALS });
    source = await seedInstance(world.ec2, [{}, { encrypted: true }, {}]);
    // The snapshots to restore, from a SnapshotSet as a program takes them. The harness registers
    // through mocks, so its outputs reach the VolumeSet as the literal list the state recorded.
    const snapshotSet = new Deployment(host);
    const [step] = await snapshotSet.up(await world.register(() => void new SnapshotSet("db", { instanceId: source.instanceId, excludeBootVolume: true })));
    assert.equal(step.ok, true, String(step.error));
    const recorded = Object.values(snapshotSet.state.resources)[0];
    members = recorded.outputs.snapshots as unknown as Member[];
    assert.deepEqual(
      members.map((m) => [m.deviceName, m.volumeSize, m.encrypted]),
      [
        ["/dev/sdf", 10, false],
        ["/dev/sdg", 11, true],
        ["/dev/sdh", 12, false],
      ],
    );
  });

  after(async function () {
    proxyEc2?.destroy();
    await world?.stop();
  });

  beforeEach(function () {
    world.proxy.reset();
  });

  function program(args: VolumeSetArgs): () => void {
    return () => {
      new VolumeSet("restore", { ...args });
    };
  }

  async function up(deployment: Deployment, args: VolumeSetArgs): Promise<Outcome> {
    const [step, ...rest] = await deployment.up(await world.register(program(args)));
    assert.deepEqual(rest, []);
    const resource = deployment.state.resources[URN];
    return { op: step.op, ok: step.ok, ...(step.error ? { error: step.error } : {}), ...(resource ? { resource } : {}) };
  }

  async function created(args: VolumeSetArgs): Promise<{ deployment: Deployment; resource: ResourceState }> {
    const deployment = new Deployment(host);
    const outcome = await up(deployment, args);
    assert.equal(outcome.ok, true, String(outcome.error));
    assert.ok(outcome.resource);
    return { deployment, resource: outcome.resource };
  }

  function hostError(outcome: { error?: Error }): HostCallError {
    assert.ok(outcome.error instanceof HostCallError, `expected a host error, got ${String(outcome.error)}`);
    return outcome.error;
  }

  function volumesOf(resource: ResourceState | undefined): RestoredVolume[] {
    assert.ok(resource);
    return resource.outputs.volumes as unknown as RestoredVolume[];
  }

  function idsOf(resource: ResourceState | undefined): string[] {
    assert.ok(resource);
    return resource.outputs.volumeIds as string[];
  }

  /** A running instance in the suite's zone with only a root volume at /dev/sda1: the restore's target. */
  async function targetInstance(zone: string = AVAILABILITY_ZONE): Promise<string> {
    return (await seedInstance(world.ec2, [], zone)).instanceId;
  }

  /** The volumes moto holds with these ids, by id (moto directly, past the proxy). */
  async function motoVolumes(ids: readonly string[]): Promise<Map<string, Volume>> {
    if (ids.length === 0) {
      return new Map();
    }
    const out = await world.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "volume-id", Values: [...ids] }] }));
    return new Map((out.Volumes ?? []).map((v) => [v.VolumeId ?? "", v]));
  }

  /** Every volume moto holds, sorted by id. */
  async function allVolumeIds(): Promise<string[]> {
    const out = await world.ec2.send(new DescribeVolumesCommand({}));
    return sorted((out.Volumes ?? []).map((v) => v.VolumeId ?? ""));
  }

  /** The indexes of the proxy's log entries for an action on a volume. */
  function positions(action: string, volumeId: string): number[] {
    return world.proxy.requests.flatMap((r, i) => (r.action === action && r.params["VolumeId"] === volumeId ? [i] : []));
  }

  function actionsSent(): string[] {
    return world.proxy.requests.map((r) => r.action);
  }

  function mutationsSent(): string[] {
    return actionsSent().filter((action) => MUTATIONS.includes(action));
  }

  /** Three entries as a program writes them, from the members (the device each volume had). */
  function entries(count = members.length): { snapshotId: string; deviceName: string }[] {
    return members.slice(0, count).map((m) => ({ snapshotId: m.snapshotId, deviceName: m.deviceName }));
  }

  describe("check", function () {
    /** The registered inputs of a valid set, with some inputs replaced as raw JSON (past the SDK's types). */
    async function inputsWith(changes: JsonObject, removed: string[] = []): Promise<JsonObject> {
      const [resource] = await world.register(program({ snapshots: entries(1), availabilityZone: AVAILABILITY_ZONE }));
      const inputs: JsonObject = { ...resource.inputs, ...changes };
      for (const key of removed) {
        delete inputs[key];
      }
      return inputs;
    }

    const snap = (i: number): string => `snap-${i.toString(16).padStart(17, "0")}`;
    const A = "snap-0123456789abcdef0";
    const B = "snap-0fedcba9876543210";
    const cases: [kind: string, changes: JsonObject, removed: string[], failures: { property: string; reason: string }[]][] = [
      [
        "a malformed snapshotId in an entry",
        { snapshots: [{ snapshotId: "snap-1" }] },
        [],
        [{ property: "snapshots[0].snapshotId", reason: 'snapshots[0].snapshotId must be an EBS snapshot id such as snap-0123456789abcdef0, got "snap-1"' }],
      ],
      [
        "41 entries",
        { snapshots: Array.from({ length: 41 }, (_, i) => ({ snapshotId: snap(i) })) },
        [],
        [{ property: "snapshots", reason: "snapshots may list at most 40 snapshots, got 41" }],
      ],
      [
        "a snapshot listed twice",
        { snapshots: [{ snapshotId: A }, { snapshotId: B }, { snapshotId: A }] },
        [],
        [{ property: "snapshots[2].snapshotId", reason: `snapshots[2].snapshotId "${A}" is also snapshots[0].snapshotId; each snapshot is restored once` }],
      ],
      [
        "a device listed twice",
        {
          snapshots: [
            { snapshotId: A, deviceName: "/dev/sdf" },
            { snapshotId: B, deviceName: "/dev/sdf" },
          ],
        },
        [],
        [{ property: "snapshots[1].deviceName", reason: 'snapshots[1].deviceName "/dev/sdf" is also snapshots[0].deviceName; each device takes one volume' }],
      ],
      ["a missing availabilityZone", {}, ["availabilityZone"], [{ property: "availabilityZone", reason: "availabilityZone is required" }]],
      [
        "a malformed zone",
        { availabilityZone: "us-east-1" },
        [],
        [{ property: "availabilityZone", reason: 'availabilityZone must be an availability zone such as "us-east-1a" (a region and a letter), got "us-east-1"' }],
      ],
      [
        "an unknown volumeType",
        { volumeType: "gp4" },
        [],
        [{ property: "volumeType", reason: 'volumeType must be one of "gp3", "gp2", "io1", "io2", "st1", "sc1" or "standard", got "gp4"' }],
      ],
      ["iops on gp2", { volumeType: "gp2", iops: 3000 }, [], [{ property: "iops", reason: "iops cannot be set for volumeType gp2; only gp3, io1 and io2 take provisioned IOPS" }]],
      ["io2 without iops", { volumeType: "io2" }, [], [{ property: "iops", reason: "iops is required for volumeType io2 (100 to 256000)" }]],
      ["gp3 iops 90000", { iops: 90000 }, [], [{ property: "iops", reason: "iops for volumeType gp3 must be from 3000 to 80000, got 90000" }]],
      [
        "throughput on io1",
        { volumeType: "io1", iops: 1000, throughput: 250 },
        [],
        [{ property: "throughput", reason: "throughput cannot be set for volumeType io1; only gp3 takes provisioned throughput" }],
      ],
      [
        "throughput 1000 with iops 3000 on gp3",
        { iops: 3000, throughput: 1000 },
        [],
        [{ property: "throughput", reason: "throughput 1000 MiB/s needs at least 4000 IOPS on gp3 (at most 0.25 MiB/s per IOPS), and iops is 3000" }],
      ],
      [
        "attach without deviceName on an entry",
        { snapshots: [{ snapshotId: A, deviceName: "/dev/sdf" }, { snapshotId: B }], attach: { instanceId: "i-0123456789abcdef0" } },
        [],
        [{ property: "snapshots[1].deviceName", reason: 'snapshots[1].deviceName is required with attach: the device to attach the volume at, such as "/dev/sdf"' }],
      ],
      [
        "initialization with both rateMiBps and fastSnapshotRestore",
        { initialization: { rateMiBps: 200, fastSnapshotRestore: true } },
        [],
        [{ property: "initialization.fastSnapshotRestore", reason: "initialization is either a rate (rateMiBps) or fast snapshot restore, not both" }],
      ],
      [
        "initialization rateMiBps 50",
        { initialization: { rateMiBps: 50 } },
        [],
        [{ property: "initialization.rateMiBps", reason: "initialization.rateMiBps must be a whole number of MiB/s from 100 to 300, got 50" }],
      ],
      [
        "encrypted false with a kmsKeyId",
        { encrypted: false, kmsKeyId: KMS_KEY_ARN },
        [],
        [{ property: "encrypted", reason: "encrypted is false, but kmsKeyId asks for encryption with that key; leave encrypted out or set it to true" }],
      ],
      [
        "an unknown property in an entry",
        { snapshots: [{ snapshotId: A, colour: "red" }] },
        [],
        [
          {
            property: "snapshots[0].colour",
            reason:
              'unknown snapshots entry setting "colour"; expected snapshotId, deviceName, sizeGiB, volumeId, volumeSize, encrypted, kmsKeyId, state, stateMessage, progress, startTime, tags, productCodes, lockState or lockExpiresOn',
          },
        ],
      ],
    ];
    for (const [kind, changes, removed, failures] of cases) {
      it(`refuses ${kind}, naming the property, and calls EC2 for nothing`, async function () {
        const checked = await host.check(URN, {}, await inputsWith(changes, removed));
        assert.deepEqual(checked.failures, failures);
        assert.deepEqual(world.proxy.requests, []);
      });
    }

    it("takes a SnapshotSet's member as it is and keeps only its snapshotId and deviceName", async function () {
      // given the member exactly as the SnapshotSet recorded it: volumeId, size, state, tags, product codes...
      const member = members[1];
      assert.deepEqual(Object.keys(member).sort(), ["deviceName", "encrypted", "productCodes", "progress", "snapshotId", "startTime", "state", "tags", "volumeId", "volumeSize"]);
      const inputs = await inputsWith({ snapshots: [member as unknown as JsonValue] });

      const checked = await host.check(URN, {}, inputs);

      assert.deepEqual(checked.failures, []);
      assert.deepEqual(checked.inputs.snapshots, [{ snapshotId: member.snapshotId, deviceName: member.deviceName }]);
      assert.deepEqual(world.proxy.requests, []);
    });
  });

  describe("refusals before any volume is made", function () {
    /** A create that must fail in preflight: nothing recorded, no EC2 mutation, no new volume in moto. */
    async function refused(args: VolumeSetArgs): Promise<string> {
      const before = await allVolumeIds();
      world.proxy.clearRequests();
      const deployment = new Deployment(host);
      const outcome = await up(deployment, args);
      const error = hostError(outcome);
      assert.deepEqual([outcome.op, outcome.ok, error.initFailed], ["create", false, undefined]);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      // only lookups reached EC2: no CreateVolume, AttachVolume, EnableFastSnapshotRestores or any other change
      assert.deepEqual(mutationsSent(), []);
      assert.deepEqual(await allVolumeIds(), before);
      return error.message;
    }

    /** A snapshot kept `pending` by the proxy (moto completes every snapshot at once). */
    async function pendingSnapshot(): Promise<string> {
      world.proxy.holdNewSnapshots();
      const out = await proxyEc2.send(new CreateSnapshotCommand({ VolumeId: source.dataVolumes[0].volumeId }));
      assert.ok(out.SnapshotId);
      return out.SnapshotId;
    }

    /** A completed snapshot moved to the archive tier (proxy: moto 5.2.1 has no archive tier). */
    async function archivedSnapshot(): Promise<string> {
      const out = await world.ec2.send(new CreateSnapshotCommand({ VolumeId: source.dataVolumes[2].volumeId }));
      const snapshotId = out.SnapshotId;
      assert.ok(snapshotId);
      // archiving completes at the first DescribeSnapshotTierStatus answer
      world.proxy.tieringPlan({ archiveDescribes: 0 });
      await proxyEc2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }));
      await proxyEc2.send(new DescribeSnapshotTierStatusCommand({ Filters: [{ Name: "snapshot-id", Values: [snapshotId] }] }));
      assert.equal(world.proxy.tierOf(snapshotId)?.storageTier, "archive");
      return snapshotId;
    }

    const MISSING = "snap-0123456789abcdef0";
    const REFUSED = 'VolumeSet "restore": the restore was refused before any volume was made: ';
    const NEXT = ". No volume was created. Correct those inputs or snapshots, then run `pulumi up` again.";
    const missingProblem = (at: string): string =>
      `${at}: snapshot ${MISSING} does not exist in us-east-1, or is not shared with this account; a snapshot of another region must first be copied here (SnapshotCopy)`;
    const pendingProblem = (at: string, id: string): string => `${at}: snapshot ${id} is pending (0%), and only a completed snapshot can be restored`;
    const archivedProblem = (at: string, id: string): string =>
      `${at}: snapshot ${id} is in the archive tier, and EC2 creates no volume from an archived snapshot; restore it to the standard tier first ` +
      "(the `restore` input of its Snapshot or SnapshotCopy, or RestoreSnapshotTier), which takes 24 to 72 hours";
    const smallerProblem = (at: string): string =>
      `${at}.sizeGiB: 5 GiB is smaller than snapshot ${members[0].snapshotId}'s volume (10 GiB), and a volume is never smaller than its snapshot`;
    const encryptedProblem = (): string => `encrypted: false, but snapshot ${members[1].snapshotId} is encrypted, and a volume made from an encrypted snapshot is always encrypted`;
    const zoneProblem = (instanceId: string): string =>
      `attach.instanceId: instance ${instanceId} is in us-east-1b, not in availabilityZone us-east-1a, and EC2 attaches a volume only in its own zone`;

    it("refuses a snapshot that does not exist", async function () {
      assert.equal(await refused({ snapshots: [{ snapshotId: MISSING }], availabilityZone: AVAILABILITY_ZONE }), REFUSED + missingProblem("snapshots[0]") + NEXT);
    });

    it("refuses a snapshot still pending (proxy)", async function () {
      const pending = await pendingSnapshot();
      assert.equal(await refused({ snapshots: [{ snapshotId: pending }], availabilityZone: AVAILABILITY_ZONE }), REFUSED + pendingProblem("snapshots[0]", pending) + NEXT);
    });

    it("refuses an archived snapshot (proxy)", async function () {
      const archived = await archivedSnapshot();
      assert.equal(await refused({ snapshots: [{ snapshotId: archived }], availabilityZone: AVAILABILITY_ZONE }), REFUSED + archivedProblem("snapshots[0]", archived) + NEXT);
    });

    it("refuses a sizeGiB smaller than the snapshot, which moto would accept", async function () {
      assert.equal(
        await refused({ snapshots: [{ snapshotId: members[0].snapshotId, sizeGiB: 5 }], availabilityZone: AVAILABILITY_ZONE }),
        REFUSED + smallerProblem("snapshots[0]") + NEXT,
      );
    });

    it("refuses encrypted: false for an encrypted snapshot, which moto would accept", async function () {
      assert.equal(await refused({ snapshots: members, availabilityZone: AVAILABILITY_ZONE, encrypted: false }), REFUSED + encryptedProblem() + NEXT);
    });

    it("refuses an instance in another zone", async function () {
      const elsewhere = await targetInstance(`${REGION}b`);
      assert.equal(await refused({ snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: elsewhere } }), REFUSED + zoneProblem(elsewhere) + NEXT);
    });

    it("refuses device names already taken on the instance, which moto would accept", async function () {
      // the source instance still has its own volumes at /dev/sdf, /dev/sdg and /dev/sdh
      const message = await refused({ snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: source.instanceId } });
      assert.equal(
        message,
        REFUSED + source.dataVolumes.map((v, i) => `snapshots[${i}].deviceName: ${v.device} is already taken on instance ${source.instanceId} by ${v.volumeId}`).join("; ") + NEXT,
      );
    });

    it("refuses an availability zone that is not in the region", async function () {
      assert.equal(
        await refused({ snapshots: members, availabilityZone: "us-west-2a" }),
        `${REFUSED}availabilityZone: us-west-2a is not a zone of us-east-1, where the volumes are made${NEXT}`,
      );
    });

    it("names every problem of every snapshot and property in one error", async function () {
      const pending = await pendingSnapshot();
      const archived = await archivedSnapshot();
      const elsewhere = await targetInstance(`${REGION}b`);
      const rootVolume = (await world.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: [elsewhere] }] }))).Volumes?.[0]?.VolumeId;

      const message = await refused({
        snapshots: [
          { snapshotId: members[0].snapshotId, deviceName: "/dev/sdf", sizeGiB: 5 },
          { snapshotId: members[1].snapshotId, deviceName: "/dev/sda1" },
          { snapshotId: MISSING, deviceName: "/dev/sdi" },
          { snapshotId: pending, deviceName: "/dev/sdj" },
          { snapshotId: archived, deviceName: "/dev/sdk" },
        ],
        availabilityZone: AVAILABILITY_ZONE,
        encrypted: false,
        attach: { instanceId: elsewhere },
      });

      assert.equal(
        message,
        REFUSED +
          [
            smallerProblem("snapshots[0]"),
            encryptedProblem(),
            missingProblem("snapshots[2]"),
            pendingProblem("snapshots[3]", pending),
            archivedProblem("snapshots[4]", archived),
            zoneProblem(elsewhere),
            `snapshots[1].deviceName: /dev/sda1 is already taken on instance ${elsewhere} by ${rootVolume}`,
          ].join("; ") +
          NEXT,
      );
    });
  });

  describe("create", function () {
    it("restores a SnapshotSet's 3 snapshots onto a second instance at their original devices; no change after up and refresh; destroy detaches, then deletes", async function () {
      // given a second instance with only its root volume
      const targetId = await targetInstance();
      const before = await allVolumeIds();
      const args: VolumeSetArgs = { snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId }, tags: { drill: "yes" } };

      // when the SnapshotSet's members are restored onto it
      const { deployment, resource } = await created(args);

      // then one CreateVolume per snapshot, each with its client token and the create's in-flight token
      const creates = world.proxy.requestsFor("CreateVolume");
      assert.deepEqual(sorted(creates.map((r) => r.params["SnapshotId"])), sorted(members.map((m) => m.snapshotId)));
      const [token] = new Set(creates.map((r) => r.params["TagSpecification.1.Tag.2.Value"]));
      assert.match(token, new RegExp(`^[0-9a-f]{16}\\.${UUID}$`));
      const requestId = token.slice(17);
      assert.equal(resource.id, `volset-${requestId}`);
      for (const request of creates) {
        assert.deepEqual(paramsOf(request), {
          SnapshotId: request.params["SnapshotId"],
          AvailabilityZone: AVAILABILITY_ZONE,
          VolumeType: "gp3",
          ClientToken: `${requestId}-${request.params["SnapshotId"]}`,
          "TagSpecification.1.ResourceType": "volume",
          "TagSpecification.1.Tag.1.Key": "drill",
          "TagSpecification.1.Tag.1.Value": "yes",
          "TagSpecification.1.Tag.2.Key": TOKEN_TAG,
          "TagSpecification.1.Tag.2.Value": token,
        });
      }
      // and the state records the volumes in the order of the snapshots, attached at the members' devices,
      // the encrypted snapshot's volume encrypted (moto inherits it), with the initialization DescribeVolumeStatus
      // reports (proxy: its first answer, 25%). No throughput (moto reports none for a gp3 volume made without
      // one) and no kmsKeyId (moto does not copy the key to snapshots, so not to their volumes either).
      assert.match(resource.id, SET_ID);
      assert.equal(resource.initErrors, undefined);
      const volumes = volumesOf(resource);
      const ids = volumes.map((v) => v.volumeId);
      const { __provider: provider, volumes: _volumes, ...outputs } = resource.outputs;
      assert.equal(typeof provider, "string");
      assert.deepEqual(outputs, {
        __logicalName: "restore",
        snapshots: entries(),
        availabilityZone: AVAILABILITY_ZONE,
        attach: { instanceId: targetId },
        tags: { drill: "yes" },
        volumeIds: ids,
        state: "in-use",
        region: REGION,
      });
      assert.deepEqual(
        volumes.map(({ volumeId: _id, ...rest }) => rest),
        members.map((m) => ({
          snapshotId: m.snapshotId,
          deviceName: m.deviceName,
          state: "in-use",
          attachmentState: "attached",
          sizeGiB: m.volumeSize,
          volumeType: "gp3",
          iops: 3000,
          encrypted: m.encrypted,
          initializationType: "default",
          initializationProgress: 25,
          initializationState: "initializing",
        })),
      );
      // and moto holds exactly those three volumes, attached to the target, tagged, the token cut to the request id
      assert.deepEqual(
        (await allVolumeIds()).filter((id) => !before.includes(id)),
        sorted(ids),
      );
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => {
          const v = inMoto.get(id);
          return [v?.SnapshotId, v?.AvailabilityZone, v?.State, v?.Size, v?.Encrypted, (v?.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State])];
        }),
        members.map((m) => [m.snapshotId, AVAILABILITY_ZONE, "in-use", m.volumeSize, m.encrypted, [[targetId, m.deviceName, "attached"]]]),
      );
      assert.deepEqual(
        ids.map((id) => tagMap(inMoto.get(id))),
        ids.map(() => ({ drill: "yes", [TOKEN_TAG]: requestId })),
      );

      // when the same program runs again, and after a refresh
      world.proxy.clearRequests();
      const again = await up(deployment, args);
      assert.deepEqual([again.op, again.ok], ["same", true]);
      assert.deepEqual(await deployment.refresh(), [{ urn: URN, op: "refresh", ok: true }]);
      const refreshed = deployment.state.resources[URN];
      assert.deepEqual(
        volumesOf(refreshed).map((v) => [v.volumeId, v.deviceName, v.state, v.attachmentState]),
        members.map((m, i) => [ids[i], m.deviceName, "in-use", "attached"]),
      );
      assert.equal(refreshed.outputs.state, "in-use");
      assert.equal(refreshed.outputs.missingVolumeIds, undefined);
      const afterRefresh = await up(deployment, args);
      // then nothing changes, and EC2 was only asked
      assert.deepEqual([afterRefresh.op, afterRefresh.ok], ["same", true]);
      assert.deepEqual(mutationsSent(), []);

      // when it is destroyed
      world.proxy.clearRequests();
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);

      // then each volume was detached from the target (no force) before it was deleted, and moto holds none
      for (const [i, id] of ids.entries()) {
        const detaches = positions("DetachVolume", id);
        const deletes = positions("DeleteVolume", id);
        assert.equal(detaches.length, 1, id);
        assert.equal(deletes.length, 1, id);
        assert.ok(detaches[0] < deletes[0], `${id} was deleted before it was detached`);
        assert.deepEqual(paramsOf(world.proxy.requests[detaches[0]]), { VolumeId: id, InstanceId: targetId, Device: members[i].deviceName });
      }
      assert.deepEqual([...(await motoVolumes(ids)).keys()], []);
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("adopts the volume of a lost CreateVolume answer, found by its create token, instead of making a second one", async function () {
      // given EC2 making a volume but the connection dropping before its answer (proxy)
      world.proxy.inject({ kind: "reset", action: "CreateVolume", phase: "after-forward", times: 1 });
      const before = await allVolumeIds();

      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE });

      // then one CreateVolume per snapshot reached moto, one of them unanswered
      const creates = world.proxy.requestsFor("CreateVolume");
      assert.deepEqual(sorted(creates.map((r) => r.params["SnapshotId"])), sorted(members.map((m) => m.snapshotId)));
      assert.deepEqual(sorted(creates.map((r) => r.fault ?? "")), ["", "", "reset:after-forward"]);
      // and the lost one was looked up by the create's token, after the search every create makes for an interrupted one of its resource
      const token = creates[0].params["TagSpecification.1.Tag.1.Value"];
      const lookups = world.proxy.requestsFor("DescribeVolumes").filter((r) => r.params["Filter.1.Name"] === `tag:${TOKEN_TAG}`);
      assert.deepEqual(
        lookups.map((r) => r.params["Filter.1.Value.1"]),
        [`${token.slice(0, 16)}.*`, token],
      );
      // and moto holds exactly one volume per snapshot, the ones the state records, in the order of the snapshots
      const ids = idsOf(resource);
      assert.equal(ids.length, 3);
      assert.deepEqual(
        (await allVolumeIds()).filter((id) => !before.includes(id)),
        sorted(ids),
      );
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => inMoto.get(id)?.SnapshotId),
        members.map((m) => m.snapshotId),
      );
      assert.deepEqual(
        volumesOf(resource).map((v) => [v.volumeId, v.snapshotId, v.state]),
        members.map((m, i) => [ids[i], m.snapshotId, "available"]),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("deletes every volume of the create when one ends in error, names it and its snapshot, and records nothing", async function () {
      // given the volume of the second snapshot failing to create (proxy: moto has no `error` volumes)
      world.proxy.failNewVolumes({ snapshotId: members[1].snapshotId });
      const targetId = await targetInstance();
      const before = await allVolumeIds();
      const deployment = new Deployment(host);

      const outcome = await up(deployment, { snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId } });

      // then the create failed naming the volume in error and its snapshot, and every volume it made is gone
      const error = hostError(outcome);
      const made = members.flatMap((m) => world.proxy.volumeFromSnapshot(m.snapshotId));
      assert.equal(made.length, 3);
      const [failed] = world.proxy.volumeFromSnapshot(members[1].snapshotId);
      const { text, ids } = withIdList(error.message);
      assert.equal(
        text,
        `VolumeSet "restore": creating failed for 1 volume: ${failed} (from ${members[1].snapshotId}) ended in error. ` +
          "All 3 volumes this restore made (<ids>) were detached and deleted, so nothing of it is left. Fix the cause, then run `pulumi up` again.",
      );
      assert.deepEqual(ids, sorted(made));
      assert.deepEqual([outcome.op, outcome.ok, error.initFailed], ["create", false, undefined]);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(sorted(world.proxy.requestsFor("DeleteVolume").map((r) => r.params["VolumeId"])), sorted(made));
      assert.equal(world.proxy.count("AttachVolume"), 0);
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("detaches and deletes every volume when EC2 refuses an attach, naming the volume and EC2's code", async function () {
      // given EC2 refusing to attach the third volume (proxy)
      world.proxy.refuseAttach(
        { snapshotId: members[2].snapshotId },
        { code: "InvalidParameterValue", message: "Invalid value '/dev/sdh' for unixDevice. Attachment point /dev/sdh is already in use" },
      );
      const targetId = await targetInstance();
      const before = await allVolumeIds();
      const deployment = new Deployment(host);

      const outcome = await up(deployment, { snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId } });

      // then the error names the refused volume, its device and EC2's code and message
      const error = hostError(outcome);
      const made = members.map((m) => world.proxy.volumeFromSnapshot(m.snapshotId)[0]);
      const refusedId = made[2];
      const { text, ids } = withIdList(error.message);
      assert.equal(
        text,
        `VolumeSet "restore": AttachVolume to ${targetId} failed for 1 volume: ${refusedId} at /dev/sdh: AttachVolume ${refusedId} to ${targetId} at /dev/sdh failed: ` +
          "EC2 InvalidParameterValue: Invalid value '/dev/sdh' for unixDevice. Attachment point /dev/sdh is already in use. " +
          "All 3 volumes this restore made (<ids>) were detached and deleted, so nothing of it is left. Fix the cause, then run `pulumi up` again.",
      );
      assert.deepEqual(ids, sorted(made));
      assert.deepEqual([outcome.op, outcome.ok, error.initFailed], ["create", false, undefined]);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      // and the two attached volumes were detached before their delete; the refused one, never attached, only deleted
      assert.deepEqual(
        world.proxy
          .requestsFor("AttachVolume")
          .map((r) => [r.params["VolumeId"], r.forwarded, r.fault ?? ""])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        [
          [made[0], true, ""],
          [made[1], true, ""],
          [refusedId, false, "refused:InvalidParameterValue"],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      for (const id of made.slice(0, 2)) {
        const [detach] = positions("DetachVolume", id);
        const [remove] = positions("DeleteVolume", id);
        assert.ok(detach < remove, `${id} was deleted before it was detached`);
      }
      assert.deepEqual(positions("DetachVolume", refusedId), []);
      assert.equal(positions("DeleteVolume", refusedId).length, 1);
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("detaches and deletes every volume when EC2 keeps refusing an attach until the create deadline", async function () {
      // given EC2 answering every attach of the first volume "not available" (proxy): a per-volume refusal, not a wait
      world.proxy.refuseAttach({ snapshotId: members[0].snapshotId });
      const targetId = await targetInstance();
      const before = await allVolumeIds();
      const deployment = new Deployment(host);

      const outcome = await up(deployment, { snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId }, timeouts: { create: "2s" } });

      const error = hostError(outcome);
      const { text } = withIdList(error.message);
      assert.equal(
        text,
        'VolumeSet "restore": create (3 snapshots into us-east-1a) did not finish within its 2s timeout (last EC2 answer: IncorrectState). ' +
          "All 3 volumes this restore made (<ids>) were detached and deleted, so nothing of it is left. Raise timeouts.create to give it longer, then run again.",
      );
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("records the volumes as partial state when the create deadline passes while attaching, and the next up resumes them", async function () {
      // given attaches EC2 takes longer than the create's deadline to finish (proxy: attaching for 200 describes, about 4 s of 20 ms polls)
      const held = world.proxy.attachingVolumes(200);
      const targetId = await targetInstance();
      const before = await allVolumeIds();
      const deployment = new Deployment(host);
      const args: VolumeSetArgs = { snapshots: members, availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId }, timeouts: { create: "2s" } };

      const first = await up(deployment, args);

      // then the three volumes are recorded as partial state, with the reason, and marked recorded (the token cut to the request id)
      const error = hostError(first);
      const ids = idsOf(first.resource);
      assert.equal(ids.length, 3);
      const { text, ids: named } = withIdList(error.message);
      assert.equal(
        text,
        'VolumeSet "restore": create (3 snapshots into us-east-1a) did not finish within its 2s timeout. ' +
          "3 of 3 volumes (<ids>) exist and are recorded in the stack. Raise timeouts.create to give it longer, then run again.",
      );
      assert.deepEqual(named, sorted(ids));
      assert.deepEqual([first.op, first.ok, first.resource?.initErrors], ["create", false, [error.message]]);
      assert.match(first.resource?.id ?? "", SET_ID);
      const requestId = (first.resource?.id ?? "").slice("volset-".length);
      assert.deepEqual(
        (await allVolumeIds()).filter((id) => !before.includes(id)),
        sorted(ids),
      );
      assert.deepEqual(
        [...(await motoVolumes(ids)).values()].map((v) => tagMap(v)[TOKEN_TAG]),
        ids.map(() => requestId),
      );

      // when the attaches finish and the next up runs with a longer timeout
      held.remove();
      world.proxy.clearRequests();
      const second = await up(deployment, { ...args, timeouts: { create: "2m" } });

      // then the same volumes are attached, without any new CreateVolume or AttachVolume: they were attached already
      assert.deepEqual([second.op, second.ok, second.resource?.id], ["update", true, first.resource?.id], String(second.error));
      assert.equal(second.resource?.initErrors, undefined);
      assert.deepEqual(idsOf(second.resource), ids);
      assert.equal(second.resource?.outputs.state, "in-use");
      assert.equal(world.proxy.count("CreateVolume"), 0);
      assert.equal(world.proxy.count("AttachVolume"), 0);
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => (inMoto.get(id)?.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State])),
        members.map((m) => [[targetId, m.deviceName, "attached"]]),
      );
      assert.deepEqual(
        (await allVolumeIds()).filter((id) => !before.includes(id)),
        sorted(ids),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("marks volumes recorded as partial state while creating, so that a later replacement makes new ones instead of adopting them", async function () {
      // given volumes that stay `creating` past a 1 s create timeout (proxy)
      world.proxy.creatingVolumes({ describes: 1000 });
      const before = await allVolumeIds();
      const deployment = new Deployment(host);
      const args: VolumeSetArgs = { snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, timeouts: { create: "1s" } };

      const first = await up(deployment, args);

      assert.deepEqual([first.op, first.ok], ["create", false]);
      const ids = idsOf(first.resource);
      assert.equal(ids.length, 2);
      assert.deepEqual([first.resource?.outputs.state, volumesOf(first.resource).map((v) => v.state)], ["creating", ["creating", "creating"]]);
      const requestId = (first.resource?.id ?? "").slice("volset-".length);
      assert.deepEqual(
        [...(await motoVolumes(ids)).values()].map((v) => tagMap(v)[TOKEN_TAG]),
        ids.map(() => requestId),
      );

      // when the volumes become available (the proxy forgets its rule) and the next up resumes
      world.proxy.reset();
      const second = await up(deployment, { ...args, timeouts: { create: "2m" } });

      assert.deepEqual([second.op, second.ok], ["update", true], String(second.error));
      assert.deepEqual(idsOf(second.resource), ids);
      assert.equal(second.resource?.outputs.state, "available");
      assert.equal(world.proxy.count("CreateVolume"), 0);

      // when the zone changes, which replaces the set (no attach: the new set is made first)
      world.proxy.clearRequests();
      const third = await up(deployment, { ...args, availabilityZone: `${REGION}b`, timeouts: { create: "2m" } });

      // then two new volumes are made in the new zone and the old ones deleted, not adopted as an interrupted create's
      assert.deepEqual([third.op, third.ok], ["replace", true], String(third.error));
      const replaced = idsOf(third.resource);
      assert.equal(world.proxy.count("CreateVolume"), 2);
      assert.deepEqual(
        replaced.filter((id) => ids.includes(id)),
        [],
      );
      assert.deepEqual(sorted(world.proxy.requestsFor("DeleteVolume").map((r) => r.params["VolumeId"])), sorted(ids));
      const inMoto = await motoVolumes([...ids, ...replaced]);
      assert.deepEqual([...inMoto.values()].map((v) => [v.VolumeId, v.AvailabilityZone]).sort(), replaced.map((id) => [id, `${REGION}b`]).sort());
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("asks EC2 for an initialization rate with rateMiBps, and records provisioned-rate initialization (proxy)", async function () {
      const { deployment, resource } = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, initialization: { rateMiBps: 200 } });

      // every CreateVolume carried the rate; moto ignores it, the proxy reports it as EC2 does
      assert.deepEqual(
        world.proxy.requestsFor("CreateVolume").map((r) => r.params["VolumeInitializationRate"]),
        ["200", "200"],
      );
      const ids = idsOf(resource);
      const described = await proxyEc2.send(new DescribeVolumesCommand({ VolumeIds: ids }));
      assert.deepEqual(
        (described.Volumes ?? []).map((v) => v.VolumeInitializationRate),
        [200, 200],
      );
      assert.deepEqual(
        volumesOf(resource).map((v) => [v.volumeId, v.initializationType, v.initializationState, v.initializationProgress]),
        ids.map((id) => [id, "provisioned-rate", "initializing", 25]),
      );
      assert.deepEqual(resource.outputs.initialization, { rateMiBps: 200 });
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("survives throttled CreateVolume answers and makes exactly one volume per snapshot", async function () {
      // given EC2 throttling CreateVolume three times (proxy)
      world.proxy.inject({ kind: "error", action: "CreateVolume", code: "RequestLimitExceeded", times: 3 });
      const before = await allVolumeIds();

      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE });

      // then each snapshot's CreateVolume reached moto once, after the refusals
      const creates = world.proxy.requestsFor("CreateVolume");
      assert.deepEqual(
        creates.map((r) => [r.fault ?? "", r.forwarded]),
        [
          ["error:RequestLimitExceeded", false],
          ["error:RequestLimitExceeded", false],
          ["error:RequestLimitExceeded", false],
          ["", true],
          ["", true],
          ["", true],
        ],
      );
      assert.deepEqual(sorted(creates.filter((r) => r.forwarded).map((r) => r.params["SnapshotId"])), sorted(members.map((m) => m.snapshotId)));
      const ids = idsOf(resource);
      assert.deepEqual(
        (await allVolumeIds()).filter((id) => !before.includes(id)),
        sorted(ids),
      );
      assert.deepEqual([...(await motoVolumes(ids)).values()].map((v) => v.SnapshotId).sort(), sorted(members.map((m) => m.snapshotId)));
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });
  });

  describe("update in place", function () {
    /** What the update sent that changes something in EC2, as [action, parameters]. */
    function mutations(): [string, Record<string, string>][] {
      return world.proxy.requests.filter((r) => MUTATIONS.includes(r.action)).map((r) => [r.action, paramsOf(r)]);
    }

    it("changes the tags of every volume with DeleteTags and CreateTags, keeping the volumes", async function () {
      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, tags: { drill: "yes", team: "db" } });
      const ids = idsOf(resource);
      const requestId = resource.id.slice("volset-".length);
      world.proxy.clearRequests();

      const outcome = await up(deployment, { snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, tags: { team: "ops", env: "dr" } });

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), ids);
      // one DeleteTags of the dropped key, then one CreateTags of the new values, per volume; nothing else changed
      const sent = mutations();
      assert.equal(sent.length, 6);
      for (const id of ids) {
        assert.deepEqual(
          sent.filter(([, params]) => params["ResourceId.1"] === id),
          [
            ["DeleteTags", { "ResourceId.1": id, "Tag.1.Key": "drill" }],
            // the engine hands the provider map keys in sorted order
            ["CreateTags", { "ResourceId.1": id, "Tag.1.Key": "env", "Tag.1.Value": "dr", "Tag.2.Key": "team", "Tag.2.Value": "ops" }],
          ],
        );
      }
      assert.deepEqual(outcome.resource?.outputs.tags, { team: "ops", env: "dr" });
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => tagMap(inMoto.get(id))),
        ids.map(() => ({ team: "ops", env: "dr", [TOKEN_TAG]: requestId })),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("keeps all 50 tags EC2 allows per volume, in a create and in an update, by dropping the create token to make room", async function () {
      // given 50 tags, the most EC2 (and moto: TagLimitExceeded) allows on a volume, and 10 of them
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(2, "0")}`, `v${i}`]));
      const ten = Object.fromEntries(Object.entries(fifty).slice(0, 10));
      const before = await allVolumeIds();

      // when a set is created with all 50
      const full = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, tags: fifty });

      // then each volume has exactly the 50 tags, the token having held one place only while in flight
      assert.deepEqual(
        [...(await motoVolumes(idsOf(full.resource))).values()].map((v) => tagMap(v)),
        [fifty, fifty],
      );
      assert.deepEqual(await full.deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);

      // when a set created with 10 tags (and the token) is updated to 50
      const { deployment, resource } = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, tags: ten });
      const outcome = await up(deployment, { snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, tags: fifty });

      // then the update dropped the token to make room, and the volumes are the same
      assert.deepEqual([outcome.op, outcome.ok], ["update", true], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), idsOf(resource));
      assert.deepEqual(
        [...(await motoVolumes(idsOf(resource))).values()].map((v) => tagMap(v)),
        [fifty, fifty],
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("changes gp3 to io2 with iops in place with ModifyVolume, waiting for the modification", async function () {
      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE });
      const ids = idsOf(resource);
      world.proxy.clearRequests();

      const outcome = await up(deployment, { snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, volumeType: "io2", iops: 4000 });

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), ids);
      assert.deepEqual(
        mutations().sort(([, a], [, b]) => a["VolumeId"].localeCompare(b["VolumeId"])),
        sorted(ids).map((id) => ["ModifyVolume", { VolumeId: id, VolumeType: "io2", Iops: "4000" }]),
      );
      // and it waited for the modifications (moto reports them completed at once) after sending them all
      const waits = world.proxy.requests.flatMap((r, i) => (r.action === "DescribeVolumesModifications" ? [i] : []));
      assert.ok(waits.length >= 1);
      assert.ok(waits[0] > Math.max(...ids.map((id) => positions("ModifyVolume", id)[0])));
      assert.deepEqual(sorted(Object.values(paramsOf(world.proxy.requests[waits[0]]))), sorted(ids));
      assert.deepEqual(
        volumesOf(outcome.resource).map((v) => [v.volumeId, v.volumeType, v.iops]),
        ids.map((id) => [id, "io2", 4000]),
      );
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => [inMoto.get(id)?.VolumeType, inMoto.get(id)?.Iops]),
        ids.map(() => ["io2", 4000]),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("changes gp3 iops and throughput in place", async function () {
      const { deployment, resource } = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE });
      const ids = idsOf(resource);
      world.proxy.clearRequests();

      const outcome = await up(deployment, { snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, iops: 4000, throughput: 250 });

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), ids);
      assert.deepEqual(
        mutations().sort(([, a], [, b]) => a["VolumeId"].localeCompare(b["VolumeId"])),
        sorted(ids).map((id) => ["ModifyVolume", { VolumeId: id, Iops: "4000", Throughput: "250" }]),
      );
      assert.deepEqual(
        volumesOf(outcome.resource).map((v) => [v.volumeId, v.volumeType, v.iops, v.throughput]),
        ids.map((id) => [id, "gp3", 4000, 250]),
      );
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => [inMoto.get(id)?.Iops, inMoto.get(id)?.Throughput]),
        ids.map(() => [4000, 250]),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("grows a volume in place when its sizeGiB grows, instead of replacing the set", async function () {
      const { deployment, resource } = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE });
      const ids = idsOf(resource);
      world.proxy.clearRequests();
      const grown = [{ ...entries(2)[0], sizeGiB: 20 }, entries(2)[1]];

      const outcome = await up(deployment, { snapshots: grown, availabilityZone: AVAILABILITY_ZONE });

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), ids);
      assert.deepEqual(mutations(), [["ModifyVolume", { VolumeId: ids[0], Size: "20" }]]);
      assert.deepEqual(outcome.resource?.outputs.snapshots, grown);
      assert.deepEqual(
        volumesOf(outcome.resource).map((v) => v.sizeGiB),
        [20, 11],
      );
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => inMoto.get(id)?.Size),
        [20, 11],
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("moves the volumes to another instance by detaching and attaching them, keeping the volumes", async function () {
      const first = await targetInstance();
      const second = await targetInstance();
      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: first } });
      const ids = idsOf(resource);
      world.proxy.clearRequests();

      const outcome = await up(deployment, { snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: second } });

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), ids);
      // every volume left the first instance before any was attached to the second, at the same device
      const sent = mutations();
      assert.deepEqual(
        sent.slice(0, 3).sort(([, a], [, b]) => a["VolumeId"].localeCompare(b["VolumeId"])),
        members
          .map((m, i): [string, Record<string, string>] => ["DetachVolume", { VolumeId: ids[i], InstanceId: first, Device: m.deviceName }])
          .sort(([, a], [, b]) => a["VolumeId"].localeCompare(b["VolumeId"])),
      );
      assert.deepEqual(
        sent.slice(3).sort(([, a], [, b]) => a["VolumeId"].localeCompare(b["VolumeId"])),
        members
          .map((m, i): [string, Record<string, string>] => ["AttachVolume", { VolumeId: ids[i], InstanceId: second, Device: m.deviceName }])
          .sort(([, a], [, b]) => a["VolumeId"].localeCompare(b["VolumeId"])),
      );
      assert.deepEqual(
        volumesOf(outcome.resource).map((v) => [v.volumeId, v.deviceName, v.attachmentState, v.state]),
        members.map((m, i) => [ids[i], m.deviceName, "attached", "in-use"]),
      );
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => (inMoto.get(id)?.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State])),
        members.map((m) => [[second, m.deviceName, "attached"]]),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });
  });

  describe("delete", function () {
    const WARNING =
      /^warning: VolumeSet "restore": detaching (.+) from running instance (i-[0-9a-f]+)( with force)?; unmount any file system on them first, or data the instance has not written is lost$/;

    /** The warning lines written since `from`, as [volume ids (sorted), instance, forced]. */
    function warnings(from: number): [string[], string, boolean][] {
      return host.stderr.slice(from).flatMap((line): [string[], string, boolean][] => {
        const match = WARNING.exec(line);
        return match === null ? [] : [[sorted(match[1].split(", ")), match[2], match[3] !== undefined]];
      });
    }

    it("warns once before detaching from a running instance, then detaches and deletes each volume", async function () {
      const targetId = await targetInstance();
      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId } });
      const ids = idsOf(resource);
      const stderrBefore = host.stderr.length;
      world.proxy.clearRequests();

      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);

      // one line, since a detach cannot tell whether a file system is still mounted on the instance (moto runs it)
      assert.deepEqual(host.stderr.slice(stderrBefore).filter((line) => line.startsWith("warning:")).length, 1);
      assert.deepEqual(warnings(stderrBefore), [[sorted(ids), targetId, false]]);
      for (const [i, id] of ids.entries()) {
        assert.deepEqual(
          positions("DetachVolume", id).map((at) => paramsOf(world.proxy.requests[at])),
          [{ VolumeId: id, InstanceId: targetId, Device: members[i].deviceName }],
        );
        assert.ok(positions("DetachVolume", id)[0] < positions("DeleteVolume", id)[0]);
      }
      assert.deepEqual([...(await motoVolumes(ids)).keys()], []);
    });

    it("forces the detach with forceDetachOnDelete, and says so", async function () {
      const targetId = await targetInstance();
      const { deployment, resource } = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId, forceDetachOnDelete: true } });
      const ids = idsOf(resource);
      const stderrBefore = host.stderr.length;
      world.proxy.clearRequests();

      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);

      assert.deepEqual(warnings(stderrBefore), [[sorted(ids), targetId, true]]);
      assert.deepEqual(
        sorted(world.proxy.requestsFor("DetachVolume").map((r) => `${r.params["VolumeId"]} Force=${r.params["Force"]}`)),
        sorted(ids.map((id) => `${id} Force=true`)),
      );
      assert.deepEqual([...(await motoVolumes(ids)).keys()], []);
    });

    it("counts a volume deleted outside Pulumi as deleted", async function () {
      const targetId = await targetInstance();
      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId } });
      const ids = idsOf(resource);
      await world.ec2.send(new DetachVolumeCommand({ VolumeId: ids[1], InstanceId: targetId }));
      await world.ec2.send(new DeleteVolumeCommand({ VolumeId: ids[1] }));
      world.proxy.clearRequests();

      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);

      // the gone volume is not asked for again; the two others are detached and deleted
      assert.deepEqual(
        world.proxy.requests.filter((r) => MUTATIONS.includes(r.action) && r.params["VolumeId"] === ids[1]),
        [],
      );
      assert.deepEqual(sorted(world.proxy.requestsFor("DeleteVolume").map((r) => r.params["VolumeId"])), sorted([ids[0], ids[2]]));
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual([...(await motoVolumes(ids)).keys()], []);
    });
  });

  describe("drift on refresh", function () {
    it("records a volume deleted outside Pulumi as missing, and the next up replaces the whole set, deleting first", async function () {
      const targetId = await targetInstance();
      const args: VolumeSetArgs = { snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId } };
      const { deployment, resource } = await created(args);
      const ids = idsOf(resource);
      await world.ec2.send(new DetachVolumeCommand({ VolumeId: ids[1], InstanceId: targetId }));
      await world.ec2.send(new DeleteVolumeCommand({ VolumeId: ids[1] }));

      assert.deepEqual(await deployment.refresh(), [{ urn: URN, op: "refresh", ok: true }]);

      const refreshed = deployment.state.resources[URN];
      assert.equal(refreshed.id, resource.id);
      assert.deepEqual(refreshed.outputs.missingVolumeIds, [ids[1]]);
      assert.deepEqual(idsOf(refreshed), [ids[0], ids[2]]);
      assert.deepEqual(
        volumesOf(refreshed).map((v) => v.volumeId),
        [ids[0], ids[2]],
      );
      world.proxy.clearRequests();

      const outcome = await up(deployment, args);

      // a set with a hole is no longer one restore: the survivors go first (they hold the devices), then a new set is made
      assert.deepEqual([outcome.op, outcome.ok], ["replace", true], String(outcome.error));
      assert.notEqual(outcome.resource?.id, resource.id);
      assert.equal(outcome.resource?.outputs.missingVolumeIds, undefined);
      const replaced = idsOf(outcome.resource);
      assert.equal(replaced.length, 3);
      assert.deepEqual(
        replaced.filter((id) => ids.includes(id)),
        [],
      );
      const firstCreate = world.proxy.requests.findIndex((r) => r.action === "CreateVolume");
      for (const id of [ids[0], ids[2]]) {
        assert.ok(positions("DetachVolume", id)[0] < positions("DeleteVolume", id)[0]);
        assert.ok(positions("DeleteVolume", id)[0] < firstCreate, `${id} was still there when the new set was made`);
      }
      const inMoto = await motoVolumes([...ids, ...replaced]);
      assert.deepEqual(sorted([...inMoto.keys()]), sorted(replaced));
      assert.deepEqual(
        replaced.map((id) => (inMoto.get(id)?.Attachments ?? []).map((a) => [a.InstanceId, a.Device])),
        members.map((m) => [[targetId, m.deviceName]]),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("shows a volume detached outside Pulumi as detached, and the next up attaches it again in place", async function () {
      const targetId = await targetInstance();
      const args: VolumeSetArgs = { snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId } };
      const { deployment, resource } = await created(args);
      const ids = idsOf(resource);
      await world.ec2.send(new DetachVolumeCommand({ VolumeId: ids[0], InstanceId: targetId }));

      assert.deepEqual(await deployment.refresh(), [{ urn: URN, op: "refresh", ok: true }]);

      const refreshed = deployment.state.resources[URN];
      assert.deepEqual(
        volumesOf(refreshed).map((v) => [v.volumeId, v.state, v.attachmentState]),
        [
          [ids[0], "available", "detached"],
          [ids[1], "in-use", "attached"],
          [ids[2], "in-use", "attached"],
        ],
      );
      assert.equal(refreshed.outputs.state, "available");
      world.proxy.clearRequests();

      const outcome = await up(deployment, args);

      assert.deepEqual([outcome.op, outcome.ok, outcome.resource?.id], ["update", true, resource.id], String(outcome.error));
      assert.deepEqual(idsOf(outcome.resource), ids);
      assert.equal(outcome.resource?.outputs.state, "in-use");
      assert.deepEqual(mutationsSent(), ["AttachVolume"]);
      assert.deepEqual(paramsOf(world.proxy.requestsFor("AttachVolume")[0]), { VolumeId: ids[0], InstanceId: targetId, Device: "/dev/sdf" });
      const inMoto = await motoVolumes(ids);
      assert.deepEqual(
        ids.map((id) => (inMoto.get(id)?.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State])),
        members.map((m) => [[targetId, m.deviceName, "attached"]]),
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });
  });

  describe("fast snapshot restore (proxy)", function () {
    const COST = "AWS bills it per snapshot and zone for each minute it is enabled";

    /** The pair's state once EC2 has moved it past `disabling` (the proxy takes two describes), or undefined once it is no longer listed. */
    async function fastRestoreAfterwards(snapshotId: string): Promise<string | undefined> {
      for (let i = 0; i < 3 && world.proxy.fastRestoreOf(snapshotId, AVAILABILITY_ZONE)?.state === "disabling"; i += 1) {
        await proxyEc2.send(new DescribeFastSnapshotRestoresCommand({ Filters: [{ Name: "snapshot-id", Values: [snapshotId] }] }));
      }
      return world.proxy.fastRestoreOf(snapshotId, AVAILABILITY_ZONE)?.state;
    }

    it("enables it for the set's snapshots in the zone, waits until enabled, creates, then disables it again", async function () {
      world.proxy.fastRestorePlan({ enablingDescribes: 2 });
      const stderrBefore = host.stderr.length;

      const { deployment, resource } = await created({ snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, initialization: { fastSnapshotRestore: true } });

      // then each snapshot was enabled, then disabled, in the set's zone
      const snapshotIds = members.map((m) => m.snapshotId);
      assert.deepEqual(world.proxy.fastRestoreHistory(), [
        ...snapshotIds.map((snapshotId) => ({ action: "enable", snapshotId, availabilityZone: AVAILABILITY_ZONE })),
        ...snapshotIds.map((snapshotId) => ({ action: "disable", snapshotId, availabilityZone: AVAILABILITY_ZONE })),
      ]);
      // and the volumes were made only once it was enabled (after the describes that saw it enabling, then optimizing), before it was disabled
      const sent = actionsSent();
      const enable = sent.indexOf("EnableFastSnapshotRestores");
      const firstCreate = sent.indexOf("CreateVolume");
      const disable = sent.indexOf("DisableFastSnapshotRestores");
      assert.deepEqual(sent.slice(enable, firstCreate), [
        "EnableFastSnapshotRestores",
        "DescribeFastSnapshotRestores",
        "DescribeFastSnapshotRestores",
        "DescribeFastSnapshotRestores",
      ]);
      assert.ok(sent.lastIndexOf("CreateVolume") < disable);
      assert.equal(sent.filter((action) => action === "EnableFastSnapshotRestores" || action === "DisableFastSnapshotRestores").length, 2);
      // and it is off again (disabling, then disabled at EC2's next answer)
      assert.deepEqual(
        snapshotIds.map((id) => world.proxy.fastRestoreOf(id, AVAILABILITY_ZONE)?.state),
        ["disabling", "disabling", "disabling"],
      );
      for (const id of snapshotIds) {
        assert.ok(["disabled", undefined].includes(await fastRestoreAfterwards(id)));
      }
      // and the volumes were created fully initialized
      assert.deepEqual(
        volumesOf(resource).map((v) => [v.initializationState, v.initializationProgress]),
        snapshotIds.map(() => ["completed", 100]),
      );
      // and the cost was said in one line, and the disable in another
      const lines = host.stderr.slice(stderrBefore);
      assert.deepEqual(
        lines.filter((line) => line.includes(COST)),
        [
          'VolumeSet "restore": enabling fast snapshot restore for 3 snapshots in us-east-1a; AWS bills it per snapshot and zone for each minute it is enabled, with a one-hour minimum, ' +
            "so it is disabled again as soon as the volumes are created",
        ],
      );
      assert.ok(lines.includes(`VolumeSet "restore": fast snapshot restore disabled again for ${snapshotIds.join(", ")} in us-east-1a`));
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });

    it("disables it again when a volume ends in error", async function () {
      world.proxy.failNewVolumes({ snapshotId: members[2].snapshotId });
      const before = await allVolumeIds();
      const deployment = new Deployment(host);

      const outcome = await up(deployment, { snapshots: entries(), availabilityZone: AVAILABILITY_ZONE, initialization: { fastSnapshotRestore: true } });

      const error = hostError(outcome);
      const [failed] = world.proxy.volumeFromSnapshot(members[2].snapshotId);
      assert.ok(error.message.startsWith(`VolumeSet "restore": creating failed for 1 volume: ${failed} (from ${members[2].snapshotId}) ended in error. `), error.message);
      const snapshotIds = members.map((m) => m.snapshotId);
      assert.deepEqual(world.proxy.fastRestoreHistory(), [
        ...snapshotIds.map((snapshotId) => ({ action: "enable", snapshotId, availabilityZone: AVAILABILITY_ZONE })),
        ...snapshotIds.map((snapshotId) => ({ action: "disable", snapshotId, availabilityZone: AVAILABILITY_ZONE })),
      ]);
      for (const id of snapshotIds) {
        assert.ok(["disabled", undefined].includes(await fastRestoreAfterwards(id)));
      }
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(await allVolumeIds(), before);
    });

    it("neither enables nor disables it for a snapshot that has it enabled already", async function () {
      // given fast snapshot restore enabled for the first snapshot by someone else, an hour ago
      world.proxy.enableFastRestoreOutside(members[0].snapshotId, AVAILABILITY_ZONE);
      const stderrBefore = host.stderr.length;

      const { deployment } = await created({ snapshots: entries(2), availabilityZone: AVAILABILITY_ZONE, initialization: { fastSnapshotRestore: true } });

      // then only the second snapshot's was turned on and off again; the first is still enabled
      assert.deepEqual(world.proxy.fastRestoreHistory(), [
        { action: "enable", snapshotId: members[1].snapshotId, availabilityZone: AVAILABILITY_ZONE },
        { action: "disable", snapshotId: members[1].snapshotId, availabilityZone: AVAILABILITY_ZONE },
      ]);
      assert.equal(world.proxy.fastRestoreOf(members[0].snapshotId, AVAILABILITY_ZONE)?.state, "enabled");
      assert.deepEqual(
        host.stderr.slice(stderrBefore).filter((line) => line.includes(COST)),
        [
          'VolumeSet "restore": enabling fast snapshot restore for 1 snapshot in us-east-1a; AWS bills it per snapshot and zone for each minute it is enabled, with a one-hour minimum, ' +
            "so it is disabled again as soon as the volumes are created",
        ],
      );
      assert.deepEqual(await deployment.destroy(), [{ urn: URN, op: "delete", ok: true }]);
    });
  });

  describe("the plugin face", function () {
    it("restores a set of 2 and deletes it, as the dynamic face does", async function () {
      // given the plugin, as a program using it starts one, and the first two members of the SnapshotSet
      const pluginHost = await world.startHost(undefined, undefined, { face: "plugin" });
      try {
        const targetId = await targetInstance();
        const before = await allVolumeIds();
        const deployment = new Deployment(pluginHost);
        const args: VolumeSetArgs = { snapshots: members.slice(0, 2), availabilityZone: AVAILABILITY_ZONE, attach: { instanceId: targetId }, tags: { drill: "yes" } };

        const [step, ...rest] = await deployment.up(await world.register(program(args), { face: "plugin" }));

        // then the same set as on the dynamic face: ids, outputs, the volumes in moto and their tags
        assert.deepEqual(rest, []);
        assert.deepEqual([step.urn, step.op, step.ok], [PLUGIN_URN, "create", true], String(step.error));
        const resource = deployment.state.resources[PLUGIN_URN];
        assert.equal(resource.type, "ebs-snapshots:index:VolumeSet");
        assert.match(resource.id, SET_ID);
        const requestId = resource.id.slice("volset-".length);
        const ids = idsOf(resource);
        const { volumes: _volumes, ...outputs } = resource.outputs;
        assert.deepEqual(outputs, {
          snapshots: entries(2),
          availabilityZone: AVAILABILITY_ZONE,
          attach: { instanceId: targetId },
          tags: { drill: "yes" },
          volumeIds: ids,
          state: "in-use",
          region: REGION,
        });
        assert.deepEqual(
          volumesOf(resource).map(({ volumeId: _id, ...rest }) => rest),
          members.slice(0, 2).map((m) => ({
            snapshotId: m.snapshotId,
            deviceName: m.deviceName,
            state: "in-use",
            attachmentState: "attached",
            sizeGiB: m.volumeSize,
            volumeType: "gp3",
            iops: 3000,
            encrypted: m.encrypted,
            initializationType: "default",
            initializationProgress: 25,
            initializationState: "initializing",
          })),
        );
        assert.deepEqual(
          (await allVolumeIds()).filter((id) => !before.includes(id)),
          sorted(ids),
        );
        const inMoto = await motoVolumes(ids);
        assert.deepEqual(
          ids.map((id) => [inMoto.get(id)?.SnapshotId, (inMoto.get(id)?.Attachments ?? []).map((a) => [a.InstanceId, a.Device, a.State]), tagMap(inMoto.get(id))]),
          members.slice(0, 2).map((m) => [m.snapshotId, [[targetId, m.deviceName, "attached"]], { drill: "yes", [TOKEN_TAG]: requestId }]),
        );

        // when it is destroyed
        world.proxy.clearRequests();
        assert.deepEqual(await deployment.destroy(), [{ urn: PLUGIN_URN, op: "delete", ok: true }]);

        // then each volume was detached, then deleted, and moto holds none
        for (const [i, id] of ids.entries()) {
          assert.deepEqual(
            positions("DetachVolume", id).map((at) => paramsOf(world.proxy.requests[at])),
            [{ VolumeId: id, InstanceId: targetId, Device: members[i].deviceName }],
          );
          assert.ok(positions("DetachVolume", id)[0] < positions("DeleteVolume", id)[0]);
        }
        assert.deepEqual(await allVolumeIds(), before);
      } finally {
        await pluginHost.stop();
      }
    });
  });
});
