/**
 * Checks that the real @aws-sdk/client-ec2 parses every answer of the simulator as EC2's, and that the
 * simulator enforces what the bench relies on (throttling, per-volume limits, pagination, visibility,
 * multi-volume sets and their failure). The provider's own set planner (planSnapshotSet) reads the
 * simulated DescribeInstances answer here, so that the bench's SnapshotSets plan what the check expects.
 * run.ts calls it before measuring anything; `node dist/bench/simulatorCheck.js` runs it alone.
 */
import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  waitUntilSnapshotCompleted,
} from "@aws-sdk/client-ec2";
import { strict as assert } from "node:assert";
import { planSnapshotSet } from "../provider/resources/snapshotSet/plan";
import { ACCOUNT_ID, benchInstanceId, benchVolumeId, Ec2Simulator, type SimVolume } from "./ec2Simulator";
import { BUCKETS } from "./throttling";

async function rejects(promise: Promise<unknown>, code: string, status?: number): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${String(error)}`);
    if (status !== undefined) {
      assert.equal(e.$metadata?.httpStatusCode, status);
    }
    return;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

export async function checkSimulator(): Promise<void> {
  // Scale 600: one simulated minute per 100 real ms; snapshots of about 1 simulated minute.
  const scale = 600;
  const gp3 = benchVolumeId(1);
  const st1 = benchVolumeId(2);
  const extra = Array.from({ length: 6 }, (_, i) => ({ volumeId: benchVolumeId(10 + i), sizeGiB: 1, volumeType: "gp2" as const, availabilityZone: "us-east-1b" }));
  const sim = new Ec2Simulator({
    scale,
    timing: { seed: 1, medianMs: 60_000, sigma: 0.1 },
    visibilityDelayMs: 30_000,
    volumes: [
      {
        volumeId: gp3,
        sizeGiB: 8,
        volumeType: "gp3",
        availabilityZone: "us-east-1a",
        encrypted: true,
        kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
        productCodes: [{ id: "abc123", type: "marketplace" }],
      },
      { volumeId: st1, sizeGiB: 500, volumeType: "st1", availabilityZone: "us-east-1a" },
      ...extra,
    ],
  });
  const endpoint = await sim.start();
  const client = new EC2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  try {
    const volumes = await client.send(new DescribeVolumesCommand({ VolumeIds: [gp3] }));
    assert.equal(volumes.Volumes?.[0]?.VolumeId, gp3);
    assert.equal(volumes.Volumes?.[0]?.VolumeType, "gp3");
    assert.equal(volumes.Volumes?.[0]?.Size, 8);
    assert.equal(volumes.Volumes?.[0]?.Encrypted, true);
    assert.deepEqual(volumes.Volumes?.[0]?.Attachments, []);
    await rejects(client.send(new DescribeVolumesCommand({ VolumeIds: ["vol-0000000000000dead"] })), "InvalidVolume.NotFound", 400);
    assert.deepEqual((await client.send(new DescribeInstancesCommand({}))).Reservations, []);

    const created = await client.send(
      new CreateSnapshotCommand({
        VolumeId: gp3,
        Description: "d <&>",
        TagSpecifications: [
          {
            ResourceType: "snapshot",
            Tags: [
              { Key: "Name", Value: "a" },
              { Key: "t", Value: "1" },
            ],
          },
        ],
      }),
    );
    const id = created.SnapshotId!;
    assert.match(id, /^snap-[0-9a-f]{17}$/);
    assert.equal(created.State, "pending");
    assert.equal(created.Progress, "0%");
    assert.equal(created.Description, "d <&>");
    assert.equal(created.OwnerId, ACCOUNT_ID);
    assert.ok(created.StartTime instanceof Date && Math.abs(created.StartTime.getTime() - Date.now()) < 5_000);
    assert.deepEqual(created.Tags, [
      { Key: "Name", Value: "a" },
      { Key: "t", Value: "1" },
    ]);
    await rejects(client.send(new CreateSnapshotCommand({ VolumeId: gp3 })), "SnapshotCreationPerVolumeRateExceeded", 400);

    // Not visible for 30 simulated seconds (50 real ms): named → NotFound, filtered → missing.
    await rejects(client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] })), "InvalidSnapshot.NotFound", 400);
    assert.equal((await client.send(new DescribeSnapshotsCommand({ Filters: [{ Name: "snapshot-id", Values: [id] }] }))).Snapshots?.length, 0);
    await new Promise((r) => setTimeout(r, 60));
    const byId = await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }));
    assert.equal(byId.Snapshots?.length, 1);
    assert.equal(byId.Snapshots?.[0]?.VolumeSize, 8);
    assert.equal(byId.Snapshots?.[0]?.Encrypted, true);
    assert.equal(byId.Snapshots?.[0]?.StorageTier, "standard");
    await rejects(client.send(new DescribeSnapshotsCommand({ SnapshotIds: ["snap-x"] })), "InvalidSnapshotID.Malformed", 400);
    await rejects(client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id], MaxResults: 5 })), "InvalidParameterCombination", 400);

    const attribute = await client.send(new DescribeSnapshotAttributeCommand({ SnapshotId: id, Attribute: "productCodes" }));
    assert.deepEqual(attribute.ProductCodes, [{ ProductCodeId: "abc123", ProductCodeType: "marketplace" }]);

    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "x", Value: "y" }] }));
    await client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "t" }] }));
    const tagged = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "tag:x", Values: ["y"] }], MaxResults: 1000 }));
    assert.deepEqual(
      tagged.Snapshots?.map((s) => s.Tags),
      [
        [
          { Key: "Name", Value: "a" },
          { Key: "x", Value: "y" },
        ],
      ],
    );
    assert.equal(tagged.NextToken, undefined);
    assert.equal((await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["amazon"], Filters: [{ Name: "volume-id", Values: [gp3] }] }))).Snapshots?.length, 0);

    // st1: one pending snapshot at a time.
    const first = await client.send(new CreateSnapshotCommand({ VolumeId: st1 }));
    await new Promise((r) => setTimeout(r, 30)); // 18 simulated s: past the spacing, still pending
    await rejects(client.send(new CreateSnapshotCommand({ VolumeId: st1 })), "ConcurrentSnapshotLimitExceeded", 400);

    const more = await Promise.all(extra.map((v) => client.send(new CreateSnapshotCommand({ VolumeId: v.volumeId }))));

    // The SDK waiter with fractional-second delays, until completion (about 1 simulated minute = 100 real ms).
    const waited = await waitUntilSnapshotCompleted({ client, minDelay: 15 / scale, maxDelay: 120 / scale, maxWaitTime: 3_600 / scale }, { SnapshotIds: [id] });
    assert.equal(waited.state, "SUCCESS");
    // Pagination over the snapshot-id filter: 8 snapshots, pages of 5.
    await new Promise((r) => setTimeout(r, 60)); // the new ones become visible
    const wanted = [id, first.SnapshotId!, ...more.map((m) => m.SnapshotId!)];
    const page1 = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "snapshot-id", Values: wanted }], MaxResults: 5 }));
    assert.equal(page1.Snapshots?.length, 5);
    assert.ok(page1.NextToken);
    const page2 = await client.send(
      new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "snapshot-id", Values: wanted }], MaxResults: 5, NextToken: page1.NextToken }),
    );
    assert.equal(page2.Snapshots?.length, 3);
    assert.equal(page2.NextToken, undefined);
    assert.deepEqual(new Set([...page1.Snapshots, ...page2.Snapshots].map((s) => s.SnapshotId)), new Set(wanted));
    await rejects(client.send(new DescribeSnapshotsCommand({ Filters: [{ Name: "snapshot-id", Values: wanted }], MaxResults: 5, NextToken: "bogus" })), "InvalidPaginationToken");
    // The token is a cursor: a snapshot that leaves the result between two pages moves no other past the boundary.
    const first5 = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "snapshot-id", Values: wanted }], MaxResults: 5 }));
    await client.send(new DeleteSnapshotCommand({ SnapshotId: first5.Snapshots![1].SnapshotId }));
    const last3 = await client.send(
      new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "snapshot-id", Values: wanted }], MaxResults: 5, NextToken: first5.NextToken }),
    );
    assert.deepEqual(
      last3.Snapshots?.map((s) => s.SnapshotId),
      page2.Snapshots?.map((s) => s.SnapshotId),
    );

    const done = (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: [id] }))).Snapshots?.[0];
    assert.equal(done?.State, "completed");
    assert.equal(done?.Progress, "100%");
    assert.ok(done?.CompletionTime instanceof Date);

    await client.send(new DeleteSnapshotCommand({ SnapshotId: id }));
    await rejects(client.send(new DeleteSnapshotCommand({ SnapshotId: id })), "InvalidSnapshot.NotFound", 400);
  } finally {
    client.destroy();
    await sim.stop();
  }
}

/** Throttling, at scale 1 so that a burst is a burst: DescribeSnapshots has 50 tokens, 80 at once get RequestLimitExceeded (503). */
async function checkThrottling(): Promise<void> {
  const volumeId = benchVolumeId(1);
  const sim = new Ec2Simulator({
    scale: 1,
    timing: { seed: 1, medianMs: 60_000, sigma: 0.1 },
    visibilityDelayMs: 0,
    volumes: [{ volumeId, sizeGiB: 8, volumeType: "gp3", availabilityZone: "us-east-1a" }],
  });
  const endpoint = await sim.start();
  const client = new EC2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  try {
    const { SnapshotId } = await client.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const burst = await Promise.allSettled(Array.from({ length: 80 }, () => client.send(new DescribeSnapshotsCommand({ SnapshotIds: [SnapshotId!] }))));
    const throttled = burst.filter((r): r is PromiseRejectedResult => r.status === "rejected" && (r.reason as { name?: string }).name === "RequestLimitExceeded");
    assert.ok(throttled.length >= 25 && throttled.length <= 30, `${throttled.length} of 80 throttled`);
    assert.equal((throttled[0].reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 503);
    assert.equal(sim.requests.filter((r) => r.outcome === "RequestLimitExceeded").length, throttled.length);
  } finally {
    client.destroy();
    await sim.stop();
  }
}

const sleepReal = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Instances and CreateSnapshots: DescribeInstances as the provider's planner reads it, attachments in
 * DescribeVolumes, a set's SnapshotInfo answer (no KmsKeyId, StateMessage or StorageTier), exclusions,
 * the per-volume limits applied to every member, and a set that fails as a whole.
 */
async function checkSnapshotSets(): Promise<void> {
  // Scale 600 as above: snapshots of about 1 simulated minute (100 real ms).
  const scale = 600;
  const [good, small, failing, hibernating] = [0, 1, 2, 3].map(benchInstanceId);
  const attach = (instanceId: string, index: number, device: string, extra: Partial<SimVolume> = {}): SimVolume => ({
    volumeId: benchVolumeId(100 + index),
    sizeGiB: 10 + index,
    volumeType: "gp3",
    availabilityZone: "us-east-1a",
    attachment: { instanceId, device },
    ...extra,
  });
  const volumes = [
    attach(good, 0, "/dev/xvda"),
    attach(good, 1, "/dev/sdf", { tags: { Name: "data", team: "db" }, encrypted: true, kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" }),
    attach(good, 2, "/dev/sdg"),
    attach(small, 3, "/dev/xvda"),
    attach(small, 4, "/dev/sdf", { volumeType: "st1" }),
    attach(failing, 5, "/dev/xvda"),
    attach(failing, 6, "/dev/sdf"),
    attach(failing, 7, "/dev/sdg"),
    attach(hibernating, 8, "/dev/xvda"),
  ];
  const sim = new Ec2Simulator({
    scale,
    timing: { seed: 1, medianMs: 60_000, sigma: 0.1 },
    visibilityDelayMs: 1_000,
    volumes,
    instances: [
      { instanceId: good, availabilityZone: "us-east-1a", rootDeviceName: "/dev/xvda" },
      { instanceId: small, availabilityZone: "us-east-1a", rootDeviceName: "/dev/xvda", state: "stopped" },
      { instanceId: failing, availabilityZone: "us-east-1a", rootDeviceName: "/dev/xvda" },
      { instanceId: hibernating, availabilityZone: "us-east-1a", rootDeviceName: "/dev/xvda", hibernation: true },
    ],
    failingInstanceIds: [failing],
  });
  const endpoint = await sim.start();
  const client = new EC2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  const [root, data, other] = volumes.map((v) => v.volumeId);
  try {
    const described = await client.send(new DescribeInstancesCommand({ InstanceIds: [good] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    assert.equal(described.Reservations?.length, 1);
    assert.equal(described.Reservations?.[0]?.OwnerId, ACCOUNT_ID);
    assert.equal(instance?.InstanceId, good);
    assert.equal(instance?.State?.Name, "running");
    assert.equal(instance?.State?.Code, 16);
    assert.equal(instance?.RootDeviceName, "/dev/xvda");
    assert.equal(instance?.RootDeviceType, "ebs");
    assert.equal(instance?.HibernationOptions?.Configured, false);
    assert.equal(instance?.Placement?.AvailabilityZone, "us-east-1a");
    assert.deepEqual(
      instance?.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.VolumeId, m.Ebs?.Status, m.Ebs?.DeleteOnTermination]),
      [
        ["/dev/xvda", root, "attached", true],
        ["/dev/sdf", data, "attached", false],
        ["/dev/sdg", other, "attached", false],
      ],
    );
    assert.ok(instance?.BlockDeviceMappings?.[0]?.Ebs?.AttachTime instanceof Date);
    // What the provider plans from that answer.
    const plan = planSnapshotSet({ instanceId: good, excludeDataVolumeIds: [other] }, instance, "us-east-1");
    assert.ok(plan.ok, JSON.stringify(plan));
    assert.deepEqual(plan.volumes, [
      { volumeId: root, deviceName: "/dev/xvda", root: true },
      { volumeId: data, deviceName: "/dev/sdf", root: false },
    ]);
    assert.equal(planSnapshotSet({ instanceId: good, excludeDataVolumeIds: [root] }, instance, "us-east-1").ok, false);
    const stopped = (await client.send(new DescribeInstancesCommand({ InstanceIds: [small] }))).Reservations?.[0]?.Instances?.[0];
    assert.equal(stopped?.State?.Name, "stopped");
    assert.equal(stopped?.StateReason?.Code, "Client.UserInitiatedShutdown");
    const hibernated = (await client.send(new DescribeInstancesCommand({ InstanceIds: [hibernating] }))).Reservations?.[0]?.Instances?.[0];
    assert.equal(planSnapshotSet({ instanceId: hibernating }, hibernated, "us-east-1").ok, false);
    assert.equal((await client.send(new DescribeInstancesCommand({}))).Reservations?.length, 4);
    await rejects(client.send(new DescribeInstancesCommand({ InstanceIds: [benchInstanceId(99)] })), "InvalidInstanceID.NotFound", 400);

    const attachments = (await client.send(new DescribeVolumesCommand({ VolumeIds: [root, data] }))).Volumes?.map((v) => [v.VolumeId, v.State, v.Attachments]);
    assert.deepEqual(
      attachments?.map(([id, state, list]) => [id, state, (list as { InstanceId?: string; Device?: string; State?: string }[]).map((a) => [a.InstanceId, a.Device, a.State])]),
      [
        [root, "in-use", [[good, "/dev/xvda", "attached"]]],
        [data, "in-use", [[good, "/dev/sdf", "attached"]]],
      ],
    );

    // A set: the excluded volume left out, the volume's tags copied, the request's tags on every member.
    const created = await client.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: good, ExcludeDataVolumeIds: [other] },
        Description: "set <&>",
        CopyTagsFromSource: "volume",
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "team", Value: "infra" }] }],
      }),
    );
    const members = created.Snapshots ?? [];
    assert.deepEqual(
      members.map((m) => m.VolumeId),
      [root, data],
    );
    for (const member of members) {
      assert.match(member.SnapshotId ?? "", /^snap-[0-9a-f]{17}$/);
      assert.equal(member.State, "pending");
      assert.equal(member.Progress, "0%");
      assert.equal(member.OwnerId, ACCOUNT_ID);
      assert.equal(member.Description, "set <&>");
      assert.ok(member.StartTime instanceof Date && Math.abs(member.StartTime.getTime() - Date.now()) < 5_000);
      for (const absent of ["KmsKeyId", "StateMessage", "StorageTier"]) {
        assert.ok(!(absent in member), `SnapshotInfo has no ${absent}`);
      }
    }
    assert.deepEqual(
      members.map((m) => [m.VolumeSize, m.Encrypted]),
      [
        [10, false],
        [11, true],
      ],
    );
    assert.deepEqual(members[0].Tags, [{ Key: "team", Value: "infra" }]);
    assert.deepEqual(members[1].Tags, [
      { Key: "Name", Value: "data" },
      { Key: "team", Value: "infra" },
    ]);
    const ids = members.map((m) => m.SnapshotId!);
    // Every member is a volume's snapshot like any other: limits apply to each.
    await rejects(client.send(new CreateSnapshotCommand({ VolumeId: data })), "SnapshotCreationPerVolumeRateExceeded", 400);
    await rejects(client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: good } })), "SnapshotCreationPerVolumeRateExceeded", 400);
    await rejects(client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: good, ExcludeDataVolumeIds: [root] } })), "InvalidParameterValue", 400);
    await rejects(
      client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: good, ExcludeDataVolumeIds: [volumes[3].volumeId] } })),
      "InvalidParameterValue",
      400,
    );
    await rejects(client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: hibernating } })), "UnsupportedOperation", 400);
    await rejects(client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: benchInstanceId(99) } })), "InvalidInstanceID.NotFound", 400);

    // ExcludeBootVolume; then st1's one pending snapshot refuses the whole next set.
    const dataOnly = await client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: small, ExcludeBootVolume: true } }));
    assert.deepEqual(
      dataOnly.Snapshots?.map((m) => m.VolumeId),
      [volumes[4].volumeId],
    );
    const failed = await client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: failing } }));
    const failedIds = (failed.Snapshots ?? []).map((m) => m.SnapshotId!);
    assert.equal(failedIds.length, 3);
    await sleepReal(30); // 18 simulated s: past the spacing, the st1 snapshot still pending
    await rejects(client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: small } })), "ConcurrentSnapshotLimitExceeded", 400);

    // Members complete at their own times (durations drawn per volume), all through the SDK waiter.
    for (const id of ids) {
      const waited = await waitUntilSnapshotCompleted({ client, minDelay: 15 / scale, maxDelay: 120 / scale, maxWaitTime: 3_600 / scale }, { SnapshotIds: [id] });
      assert.equal(waited.state, "SUCCESS");
    }
    const records = sim.snapshotRecords().filter((r) => ids.includes(r.snapshotId));
    assert.equal(new Set(records.map((r) => r.setId)).size, 1);
    assert.notEqual(records[0].completionSim, records[1].completionSim);

    // The failing set: every member in error, with a StateMessage, from before any would have completed.
    const described3 = (await client.send(new DescribeSnapshotsCommand({ SnapshotIds: failedIds }))).Snapshots ?? [];
    assert.deepEqual(
      described3.map((m) => m.State),
      ["error", "error", "error"],
    );
    assert.ok(described3.every((m) => (m.StateMessage ?? "").length > 0));
    assert.equal(described3.filter((m) => (m.StateMessage ?? "").startsWith("Snapshot of")).length, 1);
    const failedRecords = sim.snapshotRecords().filter((r) => failedIds.includes(r.snapshotId));
    assert.ok(failedRecords.every((r) => r.failedSim !== undefined && r.failedSim === failedRecords[0].failedSim && r.failedSim < r.completionSim));
    await rejects(waitUntilSnapshotCompleted({ client, minDelay: 15 / scale, maxDelay: 120 / scale, maxWaitTime: 3_600 / scale }, { SnapshotIds: [failedIds[0]] }), "Error");
    // Snapshots in error count against the volume's limit until deleted; the status filter sees them.
    const inError = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "status", Values: ["error"] }], MaxResults: 5 }));
    assert.equal(inError.Snapshots?.length, 3);
  } finally {
    client.destroy();
    await sim.stop();
  }
}

/** CreateSnapshots draws from its own bucket (100, 5/s), apart from CreateSnapshot's, at scale 1. */
async function checkSetThrottling(): Promise<void> {
  const instanceId = benchInstanceId(0);
  const volumeId = benchVolumeId(0);
  const sim = new Ec2Simulator({
    scale: 1,
    timing: { seed: 1, medianMs: 60_000, sigma: 0.1 },
    visibilityDelayMs: 0,
    volumes: [
      { volumeId, sizeGiB: 8, volumeType: "gp3", availabilityZone: "us-east-1a", attachment: { instanceId, device: "/dev/xvda" } },
      { volumeId: benchVolumeId(1), sizeGiB: 8, volumeType: "gp3", availabilityZone: "us-east-1a" },
    ],
    instances: [{ instanceId, availabilityZone: "us-east-1a", rootDeviceName: "/dev/xvda" }],
  });
  assert.deepEqual(BUCKETS.CreateSnapshots, { capacity: 100, refillPerSecond: 5 });
  const endpoint = await sim.start();
  const client = new EC2Client({ endpoint, region: "us-east-1", credentials: { accessKeyId: "bench", secretAccessKey: "bench" }, maxAttempts: 1 });
  try {
    const burst = await Promise.allSettled(Array.from({ length: 120 }, () => client.send(new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId } }))));
    const codes = burst.map((r) => (r.status === "fulfilled" ? "ok" : String((r.reason as { name?: string }).name)));
    const throttled = codes.filter((c) => c === "RequestLimitExceeded").length;
    assert.ok(throttled >= 15 && throttled <= 20, `${throttled} of 120 throttled`);
    assert.equal(codes.filter((c) => c === "ok").length, 1);
    // The other 99 admitted requests met the volume's spacing.
    assert.equal(codes.filter((c) => c === "SnapshotCreationPerVolumeRateExceeded").length, 120 - throttled - 1);
    assert.ok((await client.send(new CreateSnapshotCommand({ VolumeId: benchVolumeId(1) }))).SnapshotId);
  } finally {
    client.destroy();
    await sim.stop();
  }
}

export async function checkAll(): Promise<void> {
  await checkSimulator();
  await checkThrottling();
  await checkSnapshotSets();
  await checkSetThrottling();
}

if (require.main === module) {
  checkAll().then(
    () => console.log("simulator check: ok"),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
