/**
 * Checks that the real @aws-sdk/client-ec2 parses every answer of the simulator as EC2's, and that the
 * simulator enforces what the bench relies on (throttling, per-volume limits, pagination, visibility).
 * run.ts calls it before measuring anything; `node dist/bench/simulatorCheck.js` runs it alone.
 */
import {
  CreateSnapshotCommand,
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
import { ACCOUNT_ID, benchVolumeId, Ec2Simulator } from "./ec2Simulator";

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

export async function checkAll(): Promise<void> {
  await checkSimulator();
  await checkThrottling();
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
