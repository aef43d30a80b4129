import assert from "node:assert/strict";
import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeLockedSnapshotsCommand,
  DescribeSnapshotTierStatusCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  LockSnapshotCommand,
  ModifySnapshotTierCommand,
  RestoreSnapshotTierCommand,
  UnlockSnapshotCommand,
  type LockSnapshotCommandInput,
  type LockedSnapshotsInfo,
  type Snapshot,
  type SnapshotTierStatus,
} from "@aws-sdk/client-ec2";
import { startFaultProxy, type FaultProxy } from "../../harness/faultProxy";
import { startMoto, type MotoServer } from "../../harness/moto";

// moto 5.2.1 implements neither Snapshot Lock nor the archive tier. Every lock, lock state, lock
// refusal, tiering status, storage tier, restore and the refusals of DeleteSnapshot and CreateVolume
// asserted below come from the fault proxy (harness/faultProxy/snapshotLocks.ts and snapshotTiers.ts);
// only the snapshots themselves, their owner and their tags come from moto.

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MOTO_ACCOUNT = "123456789012";
const TAG = "pulumi-ebs-snapshots:test";

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

/** A whole-second instant, so it survives any timestamp serialization unchanged. */
function wholeSecondsFromNow(ms: number): Date {
  return new Date(Math.floor((Date.now() + ms) / 1000) * 1000);
}

function time(date: Date | undefined): number {
  assert.ok(date instanceof Date, `expected a timestamp, got ${String(date)}`);
  return date.getTime();
}

describe("fault proxy: Snapshot Lock and the archive tier (supplied by the proxy, which moto 5.2.1 lacks)", function () {
  let moto: MotoServer;
  let proxy: FaultProxy;
  let ec2: EC2Client;
  let direct: EC2Client;
  let volumeId: string;
  let otherVolumeId: string;

  async function newSnapshot(onVolume: string = volumeId): Promise<string> {
    const created = await ec2.send(new CreateSnapshotCommand({ VolumeId: onVolume, TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: TAG, Value: "protection" }] }] }));
    assert.ok(created.SnapshotId !== undefined);
    return created.SnapshotId;
  }

  function lock(input: LockSnapshotCommandInput) {
    return ec2.send(new LockSnapshotCommand(input));
  }

  async function lockedSnapshots(snapshotIds?: string[], lockStates?: string[]): Promise<LockedSnapshotsInfo[]> {
    const answer = await ec2.send(
      new DescribeLockedSnapshotsCommand({
        ...(snapshotIds !== undefined ? { SnapshotIds: snapshotIds } : {}),
        ...(lockStates !== undefined ? { Filters: [{ Name: "lock-state", Values: lockStates }] } : {}),
      }),
    );
    return answer.Snapshots ?? [];
  }

  async function lockStateOf(snapshotId: string): Promise<string | undefined> {
    return (await lockedSnapshots([snapshotId]))[0]?.LockState;
  }

  async function tierStatus(snapshotId: string): Promise<SnapshotTierStatus> {
    const answer = await ec2.send(new DescribeSnapshotTierStatusCommand({ Filters: [{ Name: "snapshot-id", Values: [snapshotId] }] }));
    assert.equal(answer.SnapshotTierStatuses?.length, 1);
    const [status] = answer.SnapshotTierStatuses ?? [];
    assert.ok(status !== undefined);
    return status;
  }

  async function described(snapshotId: string, via: EC2Client = ec2): Promise<Snapshot | undefined> {
    const answer = await via.send(new DescribeSnapshotsCommand({ Filters: [{ Name: "snapshot-id", Values: [snapshotId] }] }));
    return answer.Snapshots?.[0];
  }

  async function archived(snapshotId: string): Promise<void> {
    const plan = proxy.tieringPlan({ archiveDescribes: 0 });
    await ec2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }));
    assert.equal((await tierStatus(snapshotId)).LastTieringOperationStatus, "archival-completed");
    plan.remove();
  }

  async function volumesFrom(snapshotId: string): Promise<number> {
    const answer = await direct.send(new DescribeVolumesCommand({ Filters: [{ Name: "snapshot-id", Values: [snapshotId] }] }));
    return answer.Volumes?.length ?? 0;
  }

  before(async function () {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    ec2 = client(proxy.endpoint);
    direct = client(moto.endpoint);
    volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 4 }))).VolumeId ?? "";
    otherVolumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", Size: 2 }))).VolumeId ?? "";
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

  describe("Snapshot Lock (proxy)", function () {
    it("locks a completed snapshot in governance mode for a duration that starts at once, answered by the proxy alone", async function () {
      const snapshotId = await newSnapshot();
      const before = Date.now();
      const answer = await lock({ SnapshotId: snapshotId, LockMode: "governance", LockDuration: 7 });
      const after = Date.now();
      assert.equal(answer.SnapshotId, snapshotId);
      assert.equal(answer.LockState, "governance");
      assert.equal(answer.LockDuration, 7);
      assert.equal(answer.CoolOffPeriod, undefined);
      assert.equal(answer.CoolOffPeriodExpiresOn, undefined);
      const created = time(answer.LockCreatedOn);
      assert.ok(created >= before && created <= after, `LockCreatedOn ${created} outside the call`);
      assert.equal(time(answer.LockDurationStartTime), created);
      assert.equal(time(answer.LockExpiresOn), created + 7 * DAY_MS);

      assert.deepEqual(await lockedSnapshots([snapshotId]), [
        {
          OwnerId: MOTO_ACCOUNT,
          SnapshotId: snapshotId,
          LockState: "governance",
          LockDuration: 7,
          LockCreatedOn: answer.LockCreatedOn,
          LockDurationStartTime: answer.LockDurationStartTime,
          LockExpiresOn: answer.LockExpiresOn,
        },
      ]);
      assert.equal(proxy.lockOf(snapshotId)?.state, "governance");
      const [entry] = proxy.requestsFor("LockSnapshot");
      assert.deepEqual([entry?.status, entry?.forwarded, entry?.fault], [200, false, undefined]);
    });

    it("locks in compliance mode with a cooling-off period: compliance-cooloff until endCoolOff lapses it, then compliance", async function () {
      const snapshotId = await newSnapshot();
      const until = wholeSecondsFromNow(30 * DAY_MS);
      const answer = await lock({ SnapshotId: snapshotId, LockMode: "compliance", CoolOffPeriod: 24, ExpirationDate: until });
      assert.equal(answer.LockState, "compliance-cooloff");
      assert.equal(answer.CoolOffPeriod, 24);
      assert.equal(time(answer.CoolOffPeriodExpiresOn), time(answer.LockCreatedOn) + 24 * HOUR_MS);
      assert.equal(time(answer.LockExpiresOn), until.getTime());
      assert.equal(answer.LockDuration, undefined);
      assert.equal(await lockStateOf(snapshotId), "compliance-cooloff");

      proxy.endCoolOff(snapshotId);
      assert.equal(await lockStateOf(snapshotId), "compliance");
      assert.equal(proxy.lockOf(snapshotId)?.lockExpiresOn, until.toISOString());

      const immediate = await newSnapshot();
      const withoutCoolOff = await lock({ SnapshotId: immediate, LockMode: "compliance", LockDuration: 1 });
      assert.equal(withoutCoolOff.LockState, "compliance");
      assert.equal(withoutCoolOff.CoolOffPeriod, undefined);
    });

    it("allows any change to a governance or cooling-off lock, but only an extension of a compliance lock past its cooling-off", async function () {
      const governed = await newSnapshot();
      const first = await lock({ SnapshotId: governed, LockMode: "governance", LockDuration: 30 });
      const shorter = await lock({ SnapshotId: governed, LockMode: "governance", LockDuration: 2 });
      assert.equal(time(shorter.LockExpiresOn), time(first.LockDurationStartTime) + 2 * DAY_MS);
      const toCompliance = await lock({ SnapshotId: governed, LockMode: "compliance", CoolOffPeriod: 1, LockDuration: 2 });
      assert.equal(toCompliance.LockState, "compliance-cooloff");
      assert.equal(time(toCompliance.LockCreatedOn), time(first.LockCreatedOn));
      const backToGovernance = await lock({ SnapshotId: governed, LockMode: "governance", LockDuration: 1 });
      assert.equal(backToGovernance.LockState, "governance");
      assert.equal(backToGovernance.CoolOffPeriod, undefined);

      const strict = await newSnapshot();
      const locked = await lock({ SnapshotId: strict, LockMode: "compliance", LockDuration: 10 });
      const expiry = locked.LockExpiresOn?.toISOString();
      const prefix = `The snapshot ${strict} is locked in compliance mode until ${expiry} and its cooling-off period has lapsed`;
      for (const [input, code, message] of [
        [{ LockMode: "governance", LockDuration: 20 }, "InvalidParameterValue", `${prefix}; LockMode cannot be changed to governance.`],
        [{ LockMode: "compliance", LockDuration: 5 }, "InvalidParameterValue", `${prefix}; the lock can only be extended, and LockDuration 5 days does not extend it.`],
        [{ LockMode: "compliance", LockDuration: 10 }, "InvalidParameterValue", `${prefix}; the lock can only be extended, and LockDuration 10 days does not extend it.`],
        [{ LockMode: "compliance", LockDuration: 20, CoolOffPeriod: 2 }, "InvalidParameterCombination", `${prefix}; omit CoolOffPeriod when extending the lock.`],
      ] as const) {
        const refused = await failure(lock({ SnapshotId: strict, ...input }));
        assert.deepEqual(refused, { name: code, message, httpStatus: 400 }, JSON.stringify(input));
      }
      assert.equal(proxy.lockOf(strict)?.lockExpiresOn, expiry);

      const extended = await lock({ SnapshotId: strict, LockMode: "compliance", LockDuration: 20 });
      assert.equal(extended.LockState, "compliance");
      assert.equal(time(extended.LockExpiresOn), time(locked.LockDurationStartTime) + 20 * DAY_MS);
      const later = wholeSecondsFromNow(400 * DAY_MS);
      const byDate = await lock({ SnapshotId: strict, LockMode: "compliance", ExpirationDate: later });
      assert.equal(time(byDate.LockExpiresOn), later.getTime());
    });

    it("unlocks governance and cooling-off locks, and refuses a compliance lock past its cooling-off and a snapshot without a lock", async function () {
      const governed = await newSnapshot();
      await lock({ SnapshotId: governed, LockMode: "governance", LockDuration: 1 });
      assert.equal((await ec2.send(new UnlockSnapshotCommand({ SnapshotId: governed }))).SnapshotId, governed);
      assert.equal(proxy.lockOf(governed), undefined);
      assert.deepEqual(await lockedSnapshots([governed]), []);

      const coolingOff = await newSnapshot();
      await lock({ SnapshotId: coolingOff, LockMode: "compliance", CoolOffPeriod: 72, LockDuration: 1 });
      assert.equal((await ec2.send(new UnlockSnapshotCommand({ SnapshotId: coolingOff }))).SnapshotId, coolingOff);

      const strict = await newSnapshot();
      const locked = await lock({ SnapshotId: strict, LockMode: "compliance", CoolOffPeriod: 1, LockDuration: 3 });
      proxy.endCoolOff(strict);
      assert.deepEqual(await failure(ec2.send(new UnlockSnapshotCommand({ SnapshotId: strict }))), {
        name: "UnsupportedOperation",
        message: `The snapshot ${strict} is locked in compliance mode until ${locked.LockExpiresOn?.toISOString()} and its cooling-off period has lapsed; it cannot be unlocked.`,
        httpStatus: 400,
      });
      assert.equal(proxy.lockOf(strict)?.state, "compliance");

      assert.deepEqual(await failure(ec2.send(new UnlockSnapshotCommand({ SnapshotId: governed }))), {
        name: "InvalidParameterValue",
        message: `The snapshot ${governed} is not locked.`,
        httpStatus: 400,
      });
    });

    it("refuses DeleteSnapshot while a lock holds, without forwarding it; once expireLock expires the lock, the delete goes through", async function () {
      const snapshotId = await newSnapshot();
      const locked = await lock({ SnapshotId: snapshotId, LockMode: "governance", LockDuration: 2 });
      const refused = await failure(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
      assert.deepEqual(refused, {
        name: "SnapshotLocked",
        message: `The snapshot ${snapshotId} is locked in governance mode until ${locked.LockExpiresOn?.toISOString()} and cannot be deleted.`,
        httpStatus: 400,
      });
      const entry = proxy.requestsFor("DeleteSnapshot").at(-1);
      assert.deepEqual([entry?.status, entry?.forwarded, entry?.fault], [400, false, "refused:SnapshotLocked"]);
      assert.equal((await described(snapshotId, direct))?.SnapshotId, snapshotId, "the snapshot must still exist in moto");

      proxy.expireLock(snapshotId);
      assert.equal(proxy.lockOf(snapshotId)?.state, "expired");
      assert.deepEqual(
        (await lockedSnapshots(undefined, ["expired"])).map((info) => info.SnapshotId),
        [snapshotId],
      );
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
      assert.equal(await described(snapshotId, direct), undefined);
      assert.equal(proxy.requestsFor("DeleteSnapshot").at(-1)?.forwarded, true);
      assert.deepEqual(await lockedSnapshots([snapshotId]), []);
    });

    it("starts a duration lock on a pending snapshot only when the proxy first reports it completed; a date lock expires as asked", async function () {
      const hold = proxy.holdNewSnapshots({ volumeIds: [volumeId] });
      const pending = await newSnapshot();
      const byDate = await newSnapshot();
      const answer = await lock({ SnapshotId: pending, LockMode: "governance", LockDuration: 3 });
      assert.equal(answer.LockState, "governance");
      assert.equal(answer.LockDuration, 3);
      assert.equal(answer.LockDurationStartTime, undefined);
      assert.equal(answer.LockExpiresOn, undefined);
      const until = wholeSecondsFromNow(5 * DAY_MS);
      const dated = await lock({ SnapshotId: byDate, LockMode: "governance", ExpirationDate: until });
      assert.equal(time(dated.LockExpiresOn), until.getTime());
      assert.equal(dated.LockDurationStartTime, undefined);

      assert.equal((await described(pending))?.State, "pending");
      const [stillPending] = await lockedSnapshots([pending]);
      assert.deepEqual([stillPending?.LockDurationStartTime, stillPending?.LockExpiresOn], [undefined, undefined]);
      assert.match((await failure(ec2.send(new DeleteSnapshotCommand({ SnapshotId: pending })))).message, /locked in governance mode until 3 days after the snapshot completes/);

      hold.release();
      const beforeCompletion = Date.now();
      assert.equal((await described(pending))?.State, "completed");
      const afterCompletion = Date.now();
      const [started] = await lockedSnapshots([pending]);
      const start = time(started?.LockDurationStartTime);
      assert.ok(start >= beforeCompletion && start <= afterCompletion, `LockDurationStartTime ${start} outside the describe that completed it`);
      assert.equal(time(started?.LockExpiresOn), start + 3 * DAY_MS);
      assert.ok(time(started?.LockCreatedOn) < start);
    });

    it("validates LockSnapshot's parameters and the snapshot's state as EC2 does", async function () {
      const snapshotId = await newSnapshot();
      for (const [input, code, message] of [
        [{ LockMode: "governance" }, "MissingParameter", "The request must contain either the parameter LockDuration or the parameter ExpirationDate."],
        [
          { LockMode: "governance", LockDuration: 1, ExpirationDate: wholeSecondsFromNow(DAY_MS) },
          "InvalidParameterCombination",
          "Specify either LockDuration or ExpirationDate, not both.",
        ],
        [
          { LockMode: "governance", LockDuration: 1, CoolOffPeriod: 1 },
          "InvalidParameterCombination",
          "CoolOffPeriod applies to compliance mode only; omit it when LockMode is governance.",
        ],
        [
          { LockMode: "compliance", LockDuration: 1, CoolOffPeriod: 73 },
          "InvalidParameterValue",
          "Value (73) for parameter CoolOffPeriod is invalid. CoolOffPeriod must be an integer from 1 to 72.",
        ],
        [{ LockMode: "governance", LockDuration: 0 }, "InvalidParameterValue", "Value (0) for parameter LockDuration is invalid. LockDuration must be an integer from 1 to 36500."],
        [
          { LockMode: "governance", LockDuration: 36_501 },
          "InvalidParameterValue",
          "Value (36501) for parameter LockDuration is invalid. LockDuration must be an integer from 1 to 36500.",
        ],
      ] as const) {
        assert.deepEqual(await failure(lock({ SnapshotId: snapshotId, ...input })), { name: code, message, httpStatus: 400 }, JSON.stringify(input));
      }
      const past = await failure(lock({ SnapshotId: snapshotId, LockMode: "governance", ExpirationDate: new Date(Date.now() - DAY_MS) }));
      assert.deepEqual([past.name, past.httpStatus], ["InvalidParameterValue", 400]);
      assert.match(past.message, /^Value \(.+\) for parameter ExpirationDate is invalid\. ExpirationDate must be in the future\.$/);

      const missing = "snap-0123456789abcdef0";
      assert.deepEqual(await failure(lock({ SnapshotId: missing, LockMode: "governance", LockDuration: 1 })), {
        name: "InvalidSnapshot.NotFound",
        message: `The snapshot '${missing}' does not exist.`,
        httpStatus: 400,
      });

      const failed = await newSnapshot();
      proxy.forceError(failed, "The snapshot failed");
      assert.equal((await described(failed))?.State, "error");
      assert.deepEqual(await failure(lock({ SnapshotId: failed, LockMode: "governance", LockDuration: 1 })), {
        name: "IncorrectState",
        message: `The snapshot ${failed} is in state error; only pending or completed snapshots can be locked.`,
        httpStatus: 400,
      });

      const dryRun = await failure(lock({ SnapshotId: snapshotId, LockMode: "governance", LockDuration: 1, DryRun: true }));
      assert.deepEqual(dryRun, { name: "DryRunOperation", message: "Request would have succeeded, but DryRun flag is set.", httpStatus: 412 });
      assert.equal(proxy.lockOf(snapshotId), undefined);
      assert.equal(proxy.lockOf(failed), undefined);
      assert.ok(proxy.requestsFor("LockSnapshot").every((entry) => !entry.forwarded));
    });

    it("describes locks by SnapshotId and by lock-state, expired ones included and snapshots without a lock left out", async function () {
      const governed = await newSnapshot();
      const coolingOff = await newSnapshot();
      const strict = await newSnapshot();
      const expired = await newSnapshot();
      const unlocked = await newSnapshot();
      await lock({ SnapshotId: governed, LockMode: "governance", LockDuration: 1 });
      await lock({ SnapshotId: coolingOff, LockMode: "compliance", CoolOffPeriod: 1, LockDuration: 1 });
      await lock({ SnapshotId: strict, LockMode: "compliance", LockDuration: 1 });
      await lock({ SnapshotId: expired, LockMode: "governance", LockDuration: 1 });
      proxy.expireLock(expired);

      const states = (infos: LockedSnapshotsInfo[]): Array<[string | undefined, string | undefined]> => infos.map((info) => [info.SnapshotId, info.LockState]);
      assert.deepEqual(states(await lockedSnapshots()), [
        [governed, "governance"],
        [coolingOff, "compliance-cooloff"],
        [strict, "compliance"],
        [expired, "expired"],
      ]);
      assert.deepEqual(states(await lockedSnapshots([unlocked, strict])), [[strict, "compliance"]]);
      assert.deepEqual(states(await lockedSnapshots([unlocked])), []);
      assert.deepEqual(states(await lockedSnapshots(undefined, ["compliance-cooloff", "expired"])), [
        [coolingOff, "compliance-cooloff"],
        [expired, "expired"],
      ]);
      assert.deepEqual(states(await lockedSnapshots([governed, coolingOff], ["governance"])), [[governed, "governance"]]);
      const badFilter = await failure(ec2.send(new DescribeLockedSnapshotsCommand({ Filters: [{ Name: "owner-id", Values: [MOTO_ACCOUNT] }] })));
      assert.deepEqual(badFilter, { name: "InvalidParameterValue", message: "The filter 'owner-id' is invalid", httpStatus: 400 });
    });

    it("lets an injected fault take LockSnapshot first, as for any action", async function () {
      const snapshotId = await newSnapshot();
      proxy.inject({ kind: "error", action: "LockSnapshot", code: "RequestLimitExceeded" });
      assert.equal((await failure(lock({ SnapshotId: snapshotId, LockMode: "governance", LockDuration: 1 }))).name, "RequestLimitExceeded");
      assert.equal(proxy.lockOf(snapshotId), undefined);
      assert.equal((await lock({ SnapshotId: snapshotId, LockMode: "governance", LockDuration: 1 })).LockState, "governance");
    });
  });

  describe("archive tier (proxy)", function () {
    it("archives a completed snapshot with progress over DescribeSnapshotTierStatus answers, then reports it archived", async function () {
      proxy.tieringPlan({ archiveDescribes: 3 });
      const snapshotId = await newSnapshot();
      const before = Date.now();
      const answer = await ec2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }));
      assert.equal(answer.SnapshotId, snapshotId);
      const started = time(answer.TieringStartTime);
      assert.ok(started >= before && started <= Date.now());

      const seen: string[] = [];
      for (let poll = 0; poll < 5; poll++) {
        const status = await tierStatus(snapshotId);
        seen.push(`${status.LastTieringOperationStatus} ${status.LastTieringProgress} ${status.StorageTier}`);
        assert.equal(time(status.LastTieringStartTime), started);
      }
      assert.deepEqual(seen, [
        "archival-in-progress 25 standard",
        "archival-in-progress 50 standard",
        "archival-in-progress 75 standard",
        "archival-completed 100 archive",
        "archival-completed 100 archive",
      ]);
      const status = await tierStatus(snapshotId);
      assert.deepEqual(
        [status.SnapshotId, status.VolumeId, status.Status, status.OwnerId, status.Tags],
        [snapshotId, volumeId, "completed", MOTO_ACCOUNT, [{ Key: TAG, Value: "protection" }]],
      );
      assert.ok(status.ArchivalCompleteTime instanceof Date);
      assert.equal(status.RestoreExpiryTime, undefined);
      assert.equal((await described(snapshotId))?.StorageTier, "archive");
      assert.equal(proxy.tierOf(snapshotId)?.storageTier, "archive");
    });

    it("takes two answers to archive by default, and holdTiering keeps archiving in progress until released", async function () {
      const byDefault = await newSnapshot();
      await ec2.send(new ModifySnapshotTierCommand({ SnapshotId: byDefault, StorageTier: "archive" }));
      const progress: string[] = [];
      for (let poll = 0; poll < 3; poll++) {
        const status = await tierStatus(byDefault);
        progress.push(`${status.LastTieringOperationStatus} ${status.LastTieringProgress}`);
      }
      assert.deepEqual(progress, ["archival-in-progress 33", "archival-in-progress 66", "archival-completed 100"]);

      const held = await newSnapshot();
      const hold = proxy.holdTiering(held);
      await ec2.send(new ModifySnapshotTierCommand({ SnapshotId: held, StorageTier: "archive" }));
      for (let poll = 0; poll < 4; poll++) {
        const status = await tierStatus(held);
        assert.deepEqual([status.LastTieringOperationStatus, status.LastTieringProgress, status.StorageTier], ["archival-in-progress", 0, "standard"]);
      }
      assert.equal((await described(held))?.StorageTier, "standard");
      hold.release();
      assert.equal((await tierStatus(held)).LastTieringProgress, 33);
    });

    it("refuses to archive a pending snapshot, or one already archiving or archived", async function () {
      const hold = proxy.holdNewSnapshots({ volumeIds: [volumeId] });
      const snapshotId = await newSnapshot();
      assert.deepEqual(await failure(ec2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }))), {
        name: "IncorrectState",
        message: `Snapshot ${snapshotId} is in state pending; only completed snapshots can be archived.`,
        httpStatus: 400,
      });
      hold.release();
      assert.equal((await described(snapshotId))?.State, "completed");
      await ec2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }));
      assert.deepEqual(await failure(ec2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }))), {
        name: "IncorrectState",
        message: `Snapshot ${snapshotId} is already being archived.`,
        httpStatus: 400,
      });
      await tierStatus(snapshotId);
      await tierStatus(snapshotId);
      assert.equal((await tierStatus(snapshotId)).StorageTier, "archive");
      assert.deepEqual(await failure(ec2.send(new ModifySnapshotTierCommand({ SnapshotId: snapshotId, StorageTier: "archive" }))), {
        name: "IncorrectState",
        message: `Snapshot ${snapshotId} is already in the archive tier.`,
        httpStatus: 400,
      });
      const missing = "snap-0123456789abcdef0";
      assert.deepEqual(await failure(ec2.send(new ModifySnapshotTierCommand({ SnapshotId: missing, StorageTier: "archive" }))), {
        name: "InvalidSnapshot.NotFound",
        message: `The snapshot '${missing}' does not exist.`,
        httpStatus: 400,
      });
      assert.ok(proxy.requestsFor("ModifySnapshotTier").every((entry) => !entry.forwarded));
    });

    it("restores temporarily: archived until completeRestore, then standard until its period ends; a new period counts from now; expireRestore re-archives", async function () {
      const snapshotId = await newSnapshot();
      await archived(snapshotId);
      const archivedRefusal = `Snapshot ${snapshotId} is in the archive tier; restore it with RestoreSnapshotTier before creating a volume from it.`;
      const createVolume = () => ec2.send(new CreateVolumeCommand({ AvailabilityZone: "us-east-1a", SnapshotId: snapshotId }));
      assert.deepEqual(await failure(createVolume()), { name: "IncorrectState", message: archivedRefusal, httpStatus: 400 });
      const refusedEntry = proxy.requestsFor("CreateVolume").at(-1);
      assert.deepEqual([refusedEntry?.forwarded, refusedEntry?.fault], [false, "refused:IncorrectState"]);
      assert.equal(await volumesFrom(snapshotId), 0);

      const before = Date.now();
      const restore = await ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: snapshotId, TemporaryRestoreDays: 5 }));
      assert.deepEqual([restore.SnapshotId, restore.RestoreDuration, restore.IsPermanentRestore], [snapshotId, 5, false]);
      const restoreStart = time(restore.RestoreStartTime);
      assert.ok(restoreStart >= before && restoreStart <= Date.now());
      for (let poll = 0; poll < 2; poll++) {
        const status = await tierStatus(snapshotId);
        assert.deepEqual(
          [status.LastTieringOperationStatus, status.StorageTier, status.RestoreExpiryTime, time(status.LastTieringStartTime)],
          ["temporary-restore-in-progress", "archive", undefined, restoreStart],
        );
      }
      assert.equal((await described(snapshotId))?.StorageTier, "archive");
      assert.equal((await failure(createVolume())).name, "IncorrectState");
      assert.equal(
        (await failure(ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: snapshotId, TemporaryRestoreDays: 1 })))).message,
        `Snapshot ${snapshotId} is already being restored from the archive tier.`,
      );

      const beforeCompletion = Date.now();
      proxy.completeRestore(snapshotId);
      const completed = await tierStatus(snapshotId);
      assert.deepEqual([completed.LastTieringOperationStatus, completed.StorageTier, completed.LastTieringProgress], ["temporary-restore-completed", "standard", 100]);
      const expiry = time(completed.RestoreExpiryTime);
      assert.ok(expiry >= beforeCompletion + 5 * DAY_MS && expiry <= Date.now() + 5 * DAY_MS);
      const described1 = await described(snapshotId);
      assert.equal(described1?.StorageTier, "standard");
      assert.equal(time(described1?.RestoreExpiryTime), expiry);
      const volume = await createVolume();
      assert.equal(volume.SnapshotId, snapshotId);
      assert.equal(await volumesFrom(snapshotId), 1);

      const beforeChange = Date.now();
      const changed = await ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: snapshotId, TemporaryRestoreDays: 2 }));
      assert.deepEqual([changed.RestoreDuration, changed.IsPermanentRestore, time(changed.RestoreStartTime)], [2, false, restoreStart]);
      const newExpiry = time((await tierStatus(snapshotId)).RestoreExpiryTime);
      assert.ok(newExpiry >= beforeChange + 2 * DAY_MS && newExpiry <= Date.now() + 2 * DAY_MS);

      proxy.expireRestore(snapshotId);
      const expired = await tierStatus(snapshotId);
      assert.deepEqual([expired.LastTieringOperationStatus, expired.StorageTier], ["temporary-restore-completed", "archive"]);
      assert.ok(time(expired.RestoreExpiryTime) <= Date.now());
      assert.equal((await described(snapshotId))?.StorageTier, "archive");
      assert.deepEqual(await failure(createVolume()), { name: "IncorrectState", message: archivedRefusal, httpStatus: 400 });
      assert.equal(await volumesFrom(snapshotId), 1);
    });

    it("restores permanently, and makes a temporary restore permanent", async function () {
      const permanent = await newSnapshot();
      await archived(permanent);
      const answer = await ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: permanent, PermanentRestore: true }));
      assert.deepEqual([answer.IsPermanentRestore, answer.RestoreDuration], [true, undefined]);
      assert.deepEqual([(await tierStatus(permanent)).LastTieringOperationStatus, (await tierStatus(permanent)).StorageTier], ["permanent-restore-in-progress", "archive"]);
      proxy.completeRestore(permanent);
      const done = await tierStatus(permanent);
      assert.deepEqual([done.LastTieringOperationStatus, done.StorageTier, done.RestoreExpiryTime], ["permanent-restore-completed", "standard", undefined]);
      assert.deepEqual(await failure(ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: permanent, TemporaryRestoreDays: 1 }))), {
        name: "IncorrectState",
        message: `Snapshot ${permanent} is in the standard tier; only archived snapshots can be restored.`,
        httpStatus: 400,
      });

      const temporary = await newSnapshot();
      await archived(temporary);
      await ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: temporary, TemporaryRestoreDays: 3 }));
      proxy.completeRestore(temporary);
      const madePermanent = await ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: temporary, PermanentRestore: true }));
      assert.equal(madePermanent.IsPermanentRestore, true);
      const status = await tierStatus(temporary);
      assert.deepEqual([status.LastTieringOperationStatus, status.StorageTier, status.RestoreExpiryTime], ["permanent-restore-completed", "standard", undefined]);
      const snapshot = await described(temporary);
      assert.deepEqual([snapshot?.StorageTier, snapshot?.RestoreExpiryTime], ["standard", undefined]);
    });

    it("validates RestoreSnapshotTier: exactly one of TemporaryRestoreDays and PermanentRestore, and only for an archived snapshot", async function () {
      const snapshotId = await newSnapshot();
      assert.deepEqual(await failure(ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: snapshotId, TemporaryRestoreDays: 1 }))), {
        name: "IncorrectState",
        message: `Snapshot ${snapshotId} is in the standard tier; only archived snapshots can be restored.`,
        httpStatus: 400,
      });
      await archived(snapshotId);
      for (const [input, code, message] of [
        [{}, "InvalidParameterCombination", "Specify either TemporaryRestoreDays (for a temporary restore) or PermanentRestore=true."],
        [{ PermanentRestore: false }, "InvalidParameterCombination", "Specify either TemporaryRestoreDays (for a temporary restore) or PermanentRestore=true."],
        [{ TemporaryRestoreDays: 2, PermanentRestore: true }, "InvalidParameterCombination", "Specify either TemporaryRestoreDays or PermanentRestore=true, not both."],
        [{ TemporaryRestoreDays: 0 }, "InvalidParameterValue", "Value (0) for parameter TemporaryRestoreDays is invalid. TemporaryRestoreDays must be an integer of at least 1."],
      ] as const) {
        assert.deepEqual(
          await failure(ec2.send(new RestoreSnapshotTierCommand({ SnapshotId: snapshotId, ...input }))),
          { name: code, message, httpStatus: 400 },
          JSON.stringify(input),
        );
      }
      assert.equal(proxy.tierOf(snapshotId)?.lastTieringOperationStatus, "archival-completed");
    });

    it("reports never-tiered snapshots in the standard tier with moto's tags, and filters by volume-id and last-tiering-operation", async function () {
      const plain = await newSnapshot(otherVolumeId);
      const tiered = await newSnapshot(otherVolumeId);
      await archived(tiered);
      const answer = await ec2.send(new DescribeSnapshotTierStatusCommand({ Filters: [{ Name: "volume-id", Values: [otherVolumeId] }] }));
      const byId = new Map((answer.SnapshotTierStatuses ?? []).map((status) => [status.SnapshotId, status]));
      assert.deepEqual(byId.get(plain), {
        SnapshotId: plain,
        VolumeId: otherVolumeId,
        Status: "completed",
        OwnerId: MOTO_ACCOUNT,
        Tags: [{ Key: TAG, Value: "protection" }],
        StorageTier: "standard",
      });
      assert.equal(byId.get(tiered)?.StorageTier, "archive");
      const archivedOnly = await ec2.send(
        new DescribeSnapshotTierStatusCommand({
          Filters: [
            { Name: "volume-id", Values: [otherVolumeId] },
            { Name: "last-tiering-operation", Values: ["archival-completed"] },
          ],
        }),
      );
      assert.deepEqual(
        archivedOnly.SnapshotTierStatuses?.map((status) => status.SnapshotId),
        [tiered],
      );
      assert.equal((await described(plain))?.StorageTier, undefined, "moto reports no StorageTier, and the proxy adds none for a never-tiered snapshot");
    });

    it("lets the tiering win over a per-volume enrichment's storageTier in DescribeSnapshots", async function () {
      proxy.enrich(otherVolumeId, { storageTier: "standard" });
      const snapshotId = await newSnapshot(otherVolumeId);
      assert.equal((await described(snapshotId))?.StorageTier, "standard");
      await archived(snapshotId);
      assert.equal((await described(snapshotId))?.StorageTier, "archive");
    });
  });

  it("forgets locks and tiering on reset (proxy)", async function () {
    const snapshotId = await newSnapshot();
    await lock({ SnapshotId: snapshotId, LockMode: "governance", LockDuration: 1 });
    await archived(snapshotId);
    proxy.reset();
    assert.equal(proxy.lockOf(snapshotId), undefined);
    assert.equal(proxy.tierOf(snapshotId), undefined);
    assert.deepEqual(await lockedSnapshots(), []);
    assert.equal((await tierStatus(snapshotId)).StorageTier, "standard");
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    assert.equal(await described(snapshotId, direct), undefined);
  });
});
