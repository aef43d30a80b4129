import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateVolumeCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  type EC2ClientConfig,
  type Snapshot,
} from "@aws-sdk/client-ec2";
import { startFaultProxy, type FaultProxy } from "../../harness/faultProxy";
import { startMoto, type MotoServer } from "../../harness/moto";
import { childElement, childElements, childText, parseXml, serializeXml, setChildText, XmlParseError, type XmlDocument, type XmlElement } from "../../harness/xmlTree";

// Every snapshot state other than moto's instant `completed`/"100%", every error answer, reset and
// delay, every KmsKeyId/StorageTier/OwnerAlias/DataEncryptionKeyId/CompletionTime/ProductCodes value
// and every CreateSnapshots `state` asserted below is supplied by the fault proxy, not by moto.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

interface CaughtError {
  name: string;
  code: string | undefined;
  message: string;
  httpStatus: number | undefined;
}

async function failure(promise: Promise<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    const shaped = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
    return {
      name: error.name,
      code: typeof shaped.code === "string" ? shaped.code : undefined,
      message: error.message,
      httpStatus: shaped.$metadata?.httpStatusCode,
    };
  }
  assert.fail("expected the call to fail");
}

function client(endpoint: string, extra: Partial<EC2ClientConfig> = {}): EC2Client {
  return new EC2Client({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    ...extra,
  });
}

describe("fault proxy between the AWS SDK and moto", function () {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let ec2: EC2Client;
  let direct: EC2Client;
  const extraClients: EC2Client[] = [];
  let encryptedVolume: string;
  let plainVolume: string;
  let instanceId: string;
  let dataVolume: string;

  function extraClient(extra: Partial<EC2ClientConfig>): EC2Client {
    const made = client(proxy.endpoint, extra);
    extraClients.push(made);
    return made;
  }

  async function createSnapshot(volumeId: string, token?: string): Promise<Snapshot> {
    return ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        ...(token !== undefined ? { TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: TOKEN_TAG, Value: token }] }] } : {}),
      }),
    );
  }

  async function describeById(snapshotIds: string[], via: EC2Client = ec2): Promise<Snapshot[]> {
    const answer = await via.send(new DescribeSnapshotsCommand({ Filters: [{ Name: "snapshot-id", Values: snapshotIds }], OwnerIds: ["self"], MaxResults: 1000 }));
    return answer.Snapshots ?? [];
  }

  async function stateOf(snapshotId: string): Promise<string> {
    const [snapshot] = await describeById([snapshotId]);
    assert.ok(snapshot !== undefined, `${snapshotId} is missing`);
    return `${snapshot.State} ${snapshot.Progress}${snapshot.StateMessage !== undefined ? ` ${snapshot.StateMessage}` : ""}`;
  }

  async function snapshotsWithToken(token: string, via: EC2Client): Promise<Snapshot[]> {
    const answer = await via.send(new DescribeSnapshotsCommand({ Filters: [{ Name: `tag:${TOKEN_TAG}`, Values: [token] }], OwnerIds: ["self"], MaxResults: 1000 }));
    return answer.Snapshots ?? [];
  }

  before(async function () {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    ec2 = client(proxy.endpoint);
    direct = client(moto.endpoint);
    encryptedVolume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 8, Encrypted: true, KmsKeyId: KMS_KEY }))).VolumeId ?? "";
    plainVolume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 4 }))).VolumeId ?? "";
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1, InstanceType: "t3.micro", Placement: { AvailabilityZone: "us-east-1a" } }),
    );
    instanceId = run.Instances?.[0]?.InstanceId ?? "";
    dataVolume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 2 }))).VolumeId ?? "";
    await ec2.send(new AttachVolumeCommand({ InstanceId: instanceId, VolumeId: dataVolume, Device: "/dev/sdf" }));
    proxy.clearRequests();
  });

  afterEach(function () {
    proxy.reset();
  });

  after(async function () {
    for (const made of [ec2, direct, ...extraClients]) {
      made?.destroy();
    }
    await proxy?.close();
    await moto?.stop();
  });

  describe("relaying", function () {
    it("relays moto's answers and records each request with its decoded form parameters", async function () {
      const volumes = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [plainVolume] }));
      assert.deepEqual(
        volumes.Volumes?.map((volume) => [volume.VolumeId, volume.Size, volume.State]),
        [[plainVolume, 4, "available"]],
      );
      const snapshot = await ec2.send(
        new CreateSnapshotCommand({
          VolumeId: plainVolume,
          Description: 'a <b> & "c"',
          TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: TOKEN_TAG, Value: "t-1" }] }],
        }),
      );
      assert.equal(snapshot.State, "completed");
      assert.equal(snapshot.Progress, "100%");
      assert.equal(snapshot.Description, 'a <b> & "c"');
      assert.equal(snapshot.KmsKeyId, undefined);
      assert.equal(proxy.volumeOf(snapshot.SnapshotId ?? ""), plainVolume);

      assert.deepEqual(
        proxy.requests.map((entry) => entry.action),
        ["DescribeVolumes", "CreateSnapshot"],
      );
      const [create] = proxy.requestsFor("CreateSnapshot");
      assert.ok(create !== undefined);
      assert.deepEqual(create.params, {
        Action: "CreateSnapshot",
        Version: "2016-11-15",
        VolumeId: plainVolume,
        Description: 'a <b> & "c"',
        "TagSpecification.1.ResourceType": "snapshot",
        "TagSpecification.1.Tag.1.Key": TOKEN_TAG,
        "TagSpecification.1.Tag.1.Value": "t-1",
      });
      assert.equal(create.status, 200);
      assert.equal(create.forwarded, true);
      assert.equal(create.fault, undefined);
      assert.equal(proxy.count("CreateSnapshot"), 1);
      assert.equal(proxy.count("DeleteSnapshot"), 0);
    });

    it("records a CreateSnapshots call's flattened InstanceSpecification, and fills in the state moto leaves out", async function () {
      const answer = await ec2.send(
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false, ExcludeDataVolumeIds: [dataVolume] },
          CopyTagsFromSource: "volume",
          TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: TOKEN_TAG, Value: "set-1" }] }],
        }),
      );
      // moto ignores ExcludeDataVolumeIds, so both the root and the data volume are snapshotted.
      assert.equal(answer.Snapshots?.length, 2);
      assert.deepEqual(
        answer.Snapshots?.map((info) => [info.State, info.Progress]),
        [
          ["completed", "100%"],
          ["completed", "100%"],
        ],
      );
      const [entry] = proxy.requestsFor("CreateSnapshots");
      assert.ok(entry !== undefined);
      assert.equal(entry.params["InstanceSpecification.InstanceId"], instanceId);
      assert.equal(entry.params["InstanceSpecification.ExcludeBootVolume"], "false");
      assert.equal(entry.params["InstanceSpecification.ExcludeDataVolumeId.1"], dataVolume);
      assert.equal(entry.params["CopyTagsFromSource"], "volume");
      assert.equal(entry.params["TagSpecification.1.Tag.1.Value"], "set-1");
      assert.equal(proxy.volumeOf(answer.Snapshots?.find((info) => info.VolumeId === dataVolume)?.SnapshotId ?? ""), dataVolume);
    });
  });

  describe("snapshot lifecycle", function () {
    it("reports pending with rising progress over the planned describes, then completed", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 3 });
      const created = await createSnapshot(encryptedVolume);
      assert.equal(created.State, "pending");
      assert.equal(created.Progress, "0%");
      const id = created.SnapshotId ?? "";
      const seen: string[] = [];
      for (let poll = 0; poll < 5; poll++) {
        seen.push(await stateOf(id));
      }
      assert.deepEqual(seen, ["pending 25%", "pending 50%", "pending 75%", "completed 100%", "completed 100%"]);
    });

    it("counts describes per snapshot, so concurrent snapshots progress independently", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 3 });
      const first = (await createSnapshot(encryptedVolume)).SnapshotId ?? "";
      assert.equal(await stateOf(first), "pending 25%");
      assert.equal(await stateOf(first), "pending 50%");
      const second = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      const both = await describeById([first, second]);
      assert.deepEqual(
        both.map((snapshot) => [snapshot.SnapshotId, snapshot.State, snapshot.Progress]).sort(),
        [
          [first, "pending", "75%"],
          [second, "pending", "25%"],
        ].sort(),
      );
    });

    it("tracks many snapshots created and described concurrently", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 2 });
      const created = await Promise.all(Array.from({ length: 8 }, (_, index) => createSnapshot(index % 2 === 0 ? plainVolume : encryptedVolume)));
      assert.deepEqual(new Set(created.map((snapshot) => `${snapshot.State} ${snapshot.Progress}`)), new Set(["pending 0%"]));
      const ids = created.map((snapshot) => snapshot.SnapshotId ?? "");
      const rounds: string[][] = [];
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(ids.map((id) => stateOf(id)));
        rounds.push([...new Set(answers)]);
      }
      assert.deepEqual(rounds, [["pending 33%"], ["pending 66%"], ["completed 100%"]]);
      assert.equal(proxy.count("DescribeSnapshots"), 24);
    });

    it("ends in error with the plan's StateMessage, keeping the progress reached", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 1, end: { state: "error", message: "The snapshot failed: volume unreachable" } });
      const id = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      assert.deepEqual(
        [await stateOf(id), await stateOf(id), await stateOf(id)],
        ["pending 50%", "error 50% The snapshot failed: volume unreachable", "error 50% The snapshot failed: volume unreachable"],
      );
    });

    it("applies a plan only to the listed volumes, and each CreateSnapshots item gets its own plan", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 2, volumeIds: [dataVolume] });
      const other = await createSnapshot(plainVolume);
      assert.equal(other.State, "completed");
      const set = await ec2.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }));
      const byVolume = new Map((set.Snapshots ?? []).map((info) => [info.VolumeId, info]));
      assert.equal(byVolume.get(dataVolume)?.State, "pending");
      assert.equal(byVolume.get(dataVolume)?.Progress, "0%");
      const rootInfo = [...byVolume.values()].find((info) => info.VolumeId !== dataVolume);
      assert.equal(rootInfo?.State, "completed");
      const dataSnapshot = byVolume.get(dataVolume)?.SnapshotId ?? "";
      assert.deepEqual([await stateOf(dataSnapshot), await stateOf(dataSnapshot), await stateOf(dataSnapshot)], ["pending 33%", "pending 66%", "completed 100%"]);
    });

    it("holds a snapshot pending until released, freezing its plan meanwhile", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 1 });
      const id = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      assert.equal(await stateOf(id), "pending 50%");
      const hold = proxy.holdPending(id);
      assert.deepEqual(hold.snapshotIds, [id]);
      assert.deepEqual([await stateOf(id), await stateOf(id)], ["pending 50%", "pending 50%"]);
      hold.release();
      assert.equal(await stateOf(id), "completed 100%");
    });

    it("holds snapshots created under holdNewSnapshots, and only those", async function () {
      const before = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      const hold = proxy.holdNewSnapshots({ volumeIds: [plainVolume] });
      const created = await createSnapshot(plainVolume);
      const elsewhere = await createSnapshot(encryptedVolume);
      assert.equal(created.State, "pending");
      assert.equal(created.Progress, "0%");
      assert.equal(elsewhere.State, "completed");
      assert.deepEqual(hold.snapshotIds, [created.SnapshotId]);
      assert.equal(await stateOf(created.SnapshotId ?? ""), "pending 0%");
      assert.equal(await stateOf(before), "completed 100%");
      hold.release();
      assert.equal(await stateOf(created.SnapshotId ?? ""), "completed 100%");
    });

    it("forces a snapshot into error until the rule is removed", async function () {
      const id = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      const forced = proxy.forceError(id, "Snapshot set member failed");
      assert.equal(await stateOf(id), "error 100% Snapshot set member failed");
      forced.remove();
      assert.equal(await stateOf(id), "completed 100%");
    });

    it("keeps new snapshots invisible to their first lookups, as EC2's eventual consistency does", async function () {
      proxy.hideNewSnapshots({ lookups: 2, volumeIds: [plainVolume] });
      const id = (await createSnapshot(plainVolume, "invisible-1")).SnapshotId ?? "";
      assert.deepEqual(await snapshotsWithToken("invisible-1", ec2), []);
      const notFound = await failure(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] })));
      assert.equal(notFound.name, "InvalidSnapshot.NotFound");
      assert.equal(notFound.message, `The snapshot '${id}' does not exist.`);
      assert.equal(notFound.httpStatus, 400);
      assert.deepEqual(
        (await describeById([id])).map((snapshot) => snapshot.SnapshotId),
        [id],
      );
      assert.deepEqual(
        (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.map((s) => s.SnapshotId),
        [id],
      );
      const lookups = proxy.requestsFor("DescribeSnapshots");
      assert.deepEqual(
        lookups.map((entry) => [entry.status, entry.forwarded, entry.fault]),
        [
          [200, true, undefined],
          [400, false, `invisible:${id}`],
          [200, true, undefined],
          [200, true, undefined],
        ],
      );
    });
  });

  describe("enrichment", function () {
    it("adds the per-volume fields moto lacks and answers DescribeSnapshotAttribute(productCodes)", async function () {
      proxy.enrich(encryptedVolume, {
        kmsKeyId: KMS_KEY,
        dataEncryptionKeyId: "dek-0123456789abcdef0",
        ownerAlias: "self-alias",
        storageTier: "standard",
        productCodes: [{ id: "8a2hn5mgy7mr5nqtbfwhmyfd2", type: "marketplace" }],
        completionTime: true,
      });
      const created = await createSnapshot(encryptedVolume);
      assert.equal(created.Encrypted, true);
      assert.equal(created.KmsKeyId, KMS_KEY);
      assert.equal(created.StorageTier, "standard");
      const id = created.SnapshotId ?? "";
      const [described] = await describeById([id]);
      assert.ok(described !== undefined);
      assert.equal(described.KmsKeyId, KMS_KEY);
      assert.equal(described.DataEncryptionKeyId, "dek-0123456789abcdef0");
      assert.equal(described.OwnerAlias, "self-alias");
      assert.equal(described.StorageTier, "standard");
      assert.ok(described.CompletionTime instanceof Date);
      assert.equal(described.CompletionTime.getTime(), created.CompletionTime?.getTime());

      const attribute = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: id, Attribute: "productCodes" }));
      assert.equal(attribute.SnapshotId, id);
      assert.deepEqual(attribute.ProductCodes, [{ ProductCodeId: "8a2hn5mgy7mr5nqtbfwhmyfd2", ProductCodeType: "marketplace" }]);
      assert.equal(attribute.CreateVolumePermissions, undefined);

      const plain = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      const [plainDescribed] = await describeById([plain]);
      assert.equal(plainDescribed?.KmsKeyId, undefined);
      assert.equal(plainDescribed?.CompletionTime, undefined);
      const plainAttribute = await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: plain, Attribute: "productCodes" }));
      assert.deepEqual(plainAttribute.ProductCodes, []);
    });

    it("reports CompletionTime only once the proxy reports the snapshot completed", async function () {
      proxy.enrich(encryptedVolume, { completionTime: true });
      proxy.progressNewSnapshots({ pendingDescribes: 1 });
      const created = await createSnapshot(encryptedVolume);
      assert.equal(created.CompletionTime, undefined);
      const id = created.SnapshotId ?? "";
      const [pending] = await describeById([id]);
      assert.equal(pending?.CompletionTime, undefined);
      const beforeCompletion = Date.now();
      const [completed] = await describeById([id]);
      assert.equal(completed?.State, "completed");
      const completedAt = completed?.CompletionTime?.getTime() ?? 0;
      assert.ok(completedAt >= beforeCompletion && completedAt <= Date.now(), `CompletionTime ${completedAt} outside the describe`);
      const [again] = await describeById([id]);
      assert.equal(again?.CompletionTime?.getTime(), completedAt);
    });
  });

  describe("faults", function () {
    it("answers with EC2's error XML, EC2's status per code, and only as often as asked", async function () {
      const throttle = proxy.inject({ kind: "error", action: "DescribeSnapshots", code: "RequestLimitExceeded", times: 2 });
      const first = await failure(describeById(["snap-0123456789abcdef0"]));
      assert.deepEqual(first, { name: "RequestLimitExceeded", code: undefined, message: "Request limit exceeded.", httpStatus: 503 });
      assert.equal((await failure(describeById(["snap-0123456789abcdef0"]))).name, "RequestLimitExceeded");
      assert.deepEqual(await describeById(["snap-0123456789abcdef0"]), []);
      assert.equal(throttle.hits, 2);

      proxy.inject({ kind: "error", action: "CreateSnapshot", code: "InternalError" });
      const internal = await failure(createSnapshot(plainVolume));
      assert.deepEqual([internal.name, internal.httpStatus, internal.message], ["InternalError", 500, "An internal error has occurred"]);

      const id = (await createSnapshot(plainVolume)).SnapshotId ?? "";
      proxy.inject({ kind: "error", action: "DeleteSnapshot", code: "InvalidSnapshot.InUse", message: `The snapshot ${id} is currently in use by ami-0abc` });
      const inUse = await failure(ec2.send(new DeleteSnapshotCommand({ SnapshotId: id })));
      assert.deepEqual([inUse.name, inUse.httpStatus, inUse.message], ["InvalidSnapshot.InUse", 400, `The snapshot ${id} is currently in use by ami-0abc`]);
      assert.equal((await describeById([id], direct)).length, 1);

      assert.deepEqual(
        proxy.requests.filter((entry) => entry.fault !== undefined).map((entry) => [entry.action, entry.status, entry.forwarded, entry.fault]),
        [
          ["DescribeSnapshots", 503, false, "error:RequestLimitExceeded"],
          ["DescribeSnapshots", 503, false, "error:RequestLimitExceeded"],
          ["CreateSnapshot", 500, false, "error:InternalError"],
          ["DeleteSnapshot", 400, false, "error:InvalidSnapshot.InUse"],
        ],
      );
    });

    it("narrows a fault with a parameter predicate, and can answer an error after EC2 acted", async function () {
      proxy.inject({
        kind: "error",
        action: "CreateSnapshot",
        code: "ConcurrentSnapshotLimitExceeded",
        times: Infinity,
        when: (params) => params["VolumeId"] === encryptedVolume,
      });
      const limited = await failure(createSnapshot(encryptedVolume));
      assert.deepEqual(
        [limited.name, limited.httpStatus, limited.message],
        ["ConcurrentSnapshotLimitExceeded", 400, "Maximum number of active snapshots has been reached for volume."],
      );
      assert.equal((await failure(createSnapshot(encryptedVolume))).name, "ConcurrentSnapshotLimitExceeded");
      assert.equal((await createSnapshot(plainVolume)).State, "completed");
      proxy.clearFaults();
      assert.equal((await createSnapshot(encryptedVolume)).State, "completed");

      proxy.inject({ kind: "error", action: "CreateSnapshot", code: "InternalError", afterForward: true });
      const lost = await failure(createSnapshot(plainVolume, "after-forward-error"));
      assert.equal(lost.name, "InternalError");
      assert.equal((await snapshotsWithToken("after-forward-error", direct)).length, 1);
      const entry = proxy.requestsFor("CreateSnapshot").at(-1);
      assert.deepEqual([entry?.status, entry?.forwarded, entry?.fault], [500, true, "error:InternalError"]);
    });

    it("resets the connection before forwarding: a network error, and EC2 never saw the request", async function () {
      proxy.inject({ kind: "reset", action: "CreateSnapshot", phase: "before-forward" });
      const reset = await failure(createSnapshot(plainVolume, "reset-before"));
      // The SDK's node-http-handler renames ECONNRESET errors to TimeoutError and keeps the code.
      assert.deepEqual(reset, { name: "TimeoutError", code: "ECONNRESET", message: "socket hang up", httpStatus: undefined });
      assert.deepEqual(await snapshotsWithToken("reset-before", direct), []);
      const entry = proxy.requestsFor("CreateSnapshot").at(-1);
      assert.deepEqual([entry?.status, entry?.forwarded, entry?.fault], [0, false, "reset:before-forward"]);
      assert.equal((await createSnapshot(plainVolume)).State, "completed");
    });

    it("resets the connection after forwarding: the answer is lost, yet the snapshot exists in moto", async function () {
      proxy.progressNewSnapshots({ pendingDescribes: 1 });
      proxy.inject({ kind: "reset", action: "CreateSnapshot", phase: "after-forward" });
      const reset = await failure(createSnapshot(encryptedVolume, "reset-after"));
      assert.deepEqual(reset, { name: "TimeoutError", code: "ECONNRESET", message: "socket hang up", httpStatus: undefined });
      const inMoto = await snapshotsWithToken("reset-after", direct);
      assert.equal(inMoto.length, 1);
      assert.equal(inMoto[0]?.VolumeId, encryptedVolume);
      // The proxy saw the lost answer, so the snapshot still follows the lifecycle rule.
      const found = await snapshotsWithToken("reset-after", ec2);
      assert.deepEqual(
        found.map((snapshot) => [snapshot.SnapshotId, snapshot.State, snapshot.Progress]),
        [[inMoto[0]?.SnapshotId, "pending", "50%"]],
      );
      const entry = proxy.requestsFor("CreateSnapshot").at(-1);
      assert.deepEqual([entry?.status, entry?.forwarded, entry?.fault], [0, true, "reset:after-forward"]);
    });

    it("delays an answer past a throwing requestTimeout: TimeoutError/ETIMEDOUT, while EC2 still acts", async function () {
      proxy.inject({ kind: "delay", action: "CreateSnapshot", ms: 1_500 });
      const impatient = extraClient({ requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
      const started = Date.now();
      const timedOut = await failure(
        impatient.send(new CreateSnapshotCommand({ VolumeId: plainVolume, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: TOKEN_TAG, Value: "delayed" }] }] })),
      );
      const waited = Date.now() - started;
      assert.deepEqual(timedOut, {
        name: "TimeoutError",
        code: "ETIMEDOUT",
        message: "@smithy/node-http-handler - [ERROR] a request has exceeded the configured 200 ms requestTimeout.",
        httpStatus: undefined,
      });
      assert.ok(waited >= 190 && waited < 1_000, `gave up after ${waited} ms`);
      assert.equal((await snapshotsWithToken("delayed", direct)).length, 1);
    });

    it("delays without forwarding first: a client that gives up leaves EC2 untouched", async function () {
      proxy.inject({ kind: "delay", action: "CreateSnapshot", ms: 800, forwardFirst: false });
      const impatient = extraClient({ requestHandler: { socketTimeout: 200 } });
      const timedOut = await failure(
        impatient.send(new CreateSnapshotCommand({ VolumeId: plainVolume, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: TOKEN_TAG, Value: "never" }] }] })),
      );
      assert.deepEqual(timedOut, {
        name: "TimeoutError",
        code: undefined,
        message: "@smithy/node-http-handler - the request socket timed out after 200 ms of inactivity (configured by client requestHandler).",
        httpStatus: undefined,
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.deepEqual(await snapshotsWithToken("never", direct), []);
      const entry = proxy.requestsFor("CreateSnapshot").at(-1);
      assert.deepEqual([entry?.status, entry?.forwarded, entry?.fault], [0, false, "delay:800ms"]);
    });

    it("shows that requestTimeout alone only warns: the SDK waits for the delayed answer", async function () {
      const warnings: string[] = [];
      const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message), error: () => undefined };
      const patient = extraClient({ requestHandler: { requestTimeout: 200, logger } });
      proxy.inject({ kind: "delay", action: "DescribeVolumes", ms: 600 });
      const started = Date.now();
      const answer = await patient.send(new DescribeVolumesCommand({ VolumeIds: [plainVolume] }));
      assert.ok(Date.now() - started >= 590, "the answer arrived before the delay ended");
      assert.deepEqual(
        answer.Volumes?.map((volume) => volume.VolumeId),
        [plainVolume],
      );
      assert.deepEqual(warnings, [
        "@smithy/node-http-handler - [WARN] a request has exceeded the configured 200 ms requestTimeout. Init client requestHandler with throwOnRequestTimeout=true to turn this into an error.",
      ]);
    });
  });

  describe("closing", function () {
    it("closes within its bound while an answer is held, cutting the client off", async function () {
      const second = await startFaultProxy(moto.endpoint);
      const held = client(second.endpoint);
      try {
        second.inject({ kind: "delay", action: "DescribeVolumes", ms: 60_000 });
        const pending = failure(held.send(new DescribeVolumesCommand({})));
        while (second.count("DescribeVolumes") === 0) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const started = Date.now();
        await second.close();
        assert.ok(Date.now() - started < 1_500, `close took ${Date.now() - started} ms`);
        const cut = await pending;
        assert.deepEqual([cut.name, cut.code], ["TimeoutError", "ECONNRESET"]);
        const refused = await new Promise<string>((resolve) => {
          httpRequest(second.endpoint, { method: "POST" }, () => resolve("answered"))
            .on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "no code"))
            .end();
        });
        assert.equal(refused, "ECONNREFUSED");
      } finally {
        held.destroy();
        await second.close();
      }
    });
  });
});

describe("xmlTree", function () {
  const motoAnswer =
    '<?xml version="1.0" encoding="utf-8"?>\n<DescribeSnapshotsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><snapshotSet><item><tagSet><item><key>a</key><value>&lt;&amp;&gt;</value></item><item><key>c</key><value>d</value></item></tagSet><snapshotId>snap-dce2f48396ee6e804</snapshotId><status>completed</status><progress>100%</progress><description>a&lt;b&gt;&amp;c"d\'eé</description><outpostArn/></item></snapshotSet><requestId>request-id</requestId></DescribeSnapshotsResponse>';

  it("round-trips a moto answer byte for byte and decodes entities", function () {
    const document = parseXml(motoAnswer);
    assert.equal(serializeXml(document), motoAnswer);
    assert.equal(document.root.name, "DescribeSnapshotsResponse");
    assert.deepEqual(document.root.attributes, [["xmlns", "http://ec2.amazonaws.com/doc/2016-11-15"]]);
    const set = childElement(document.root, "snapshotSet");
    assert.ok(set !== undefined);
    const items = childElements(set, "item");
    assert.equal(items.length, 1);
    const [item] = items;
    assert.ok(item !== undefined);
    assert.equal(childText(item, "description"), "a<b>&c\"d'eé");
    const tags = childElement(item, "tagSet");
    assert.ok(tags !== undefined);
    assert.deepEqual(
      childElements(tags, "item").map((tag) => [childText(tag, "key"), childText(tag, "value")]),
      [
        ["a", "<&>"],
        ["c", "d"],
      ],
    );
    assert.equal(childText(item, "outpostArn"), "");
    assert.equal(childText(item, "kmsKeyId"), undefined);
  });

  function firstSnapshot(document: XmlDocument): XmlElement {
    const set = childElement(document.root, "snapshotSet");
    assert.ok(set !== undefined);
    const [item] = childElements(set, "item");
    assert.ok(item !== undefined);
    return item;
  }

  it("serializes edits with escaping, replacing an existing child and appending a new one", function () {
    const document = parseXml(motoAnswer);
    const item = firstSnapshot(document);
    setChildText(item, "status", "pending");
    setChildText(item, "statusMessage", "a < b & c");
    const reparsed = parseXml(serializeXml(document));
    const again = firstSnapshot(reparsed);
    assert.equal(childText(again, "status"), "pending");
    assert.equal(childText(again, "statusMessage"), "a < b & c");
    assert.ok(serializeXml(document).includes("<status>pending</status>"));
    assert.ok(serializeXml(document).endsWith("<statusMessage>a &lt; b &amp; c</statusMessage></item></snapshotSet><requestId>request-id</requestId></DescribeSnapshotsResponse>"));
  });

  it("decodes numeric character references and keeps whitespace text", function () {
    const document = parseXml("<a>\n  <b>x&#65;&#x42;</b>\n</a>\n");
    assert.equal(childText(document.root, "b"), "xAB");
    assert.deepEqual(
      document.root.children.filter((child) => typeof child === "string"),
      ["\n  ", "\n"],
    );
    assert.equal(serializeXml(document), "<a>\n  <b>xAB</b>\n</a>\n");
  });

  it("rejects what EC2 never sends instead of guessing", function () {
    for (const [text, why] of [
      ["<a><![CDATA[x]]></a>", "comments, CDATA, DOCTYPE and processing instructions are not supported at offset 4"],
      ["<a><!-- c --></a>", "comments, CDATA, DOCTYPE and processing instructions are not supported at offset 4"],
      ["<a><b></a>", "</a> closes <b> at offset 9"],
      ["<a>&nbsp;</a>", 'unknown entity "&nbsp;" at offset 3'],
      ["<a>x</a><b/>", "content after the root element at offset 8"],
      ["<a>", "unterminated element <a> at offset 3"],
    ] as const) {
      assert.throws(
        () => parseXml(text),
        (error: unknown) => error instanceof XmlParseError && error.message === why,
        text,
      );
    }
  });
});
