import * as assert from "node:assert/strict";
import { Snapshot } from "../../sdk";
import { Deployment } from "../../harness/deployment";
import { EngineWorld } from "../../harness/engineWorld";
import { registerResources } from "../../harness/program";
import { allSnapshots, seedVolume } from "../../harness/seed";

/**
 * No silent wait longer than a moment: the one line a hook writes when it starts waiting through EC2's
 * refusals, as the CLI shows the host's stderr. The refusals (PendingSnapshotLimitExceeded,
 * RequestLimitExceeded) come from the fault proxy; the provider runs with its real retry settings.
 */
describe("what a hook says when it waits", function () {
  let world: EngineWorld;

  before(async function () {
    world = await EngineWorld.start({ EBS_SNAPSHOTS_RETRY_MIN_MS: "1000", EBS_SNAPSHOTS_RETRY_MAX_MS: "30000" });
  });

  after(async function () {
    await world?.stop();
  });

  afterEach(async function () {
    world.proxy.clearFaults();
    await world.stopHosts();
  });

  it("says once per call, with EC2's code, why and until when it retries, however many times it does", async function () {
    // given a volume whose volume lookup is throttled twice and whose create is refused twice for the pending limit (proxy)
    const volumeId = await seedVolume(world.ec2);
    world.proxy.inject({ kind: "error", action: "DescribeVolumes", code: "RequestLimitExceeded", times: 2 });
    world.proxy.inject({ kind: "error", action: "CreateSnapshot", code: "PendingSnapshotLimitExceeded", times: 2 });
    const host = await world.startHost();
    const started = Date.now();

    // when it is created
    const steps = await new Deployment(host).up(await registerResources(() => void new Snapshot("limits", { volumeId })));

    // then it succeeded with one snapshot
    assert.equal(steps[0].ok, true, String(steps[0].error));
    assert.equal((await allSnapshots(world.ec2)).length, 1);
    // and wrote exactly one line per kind of wait, naming the call, EC2's code, the reason and the deadline
    const waits = host.stderr.filter((line) => line.includes("retrying with backoff"));
    const deadline = /until the deadline at \d\d:\d\d:\d\d UTC$/;
    assert.equal(waits.length, 2, waits.join("\n"));
    assert.ok(
      waits[0].startsWith(`Snapshot "limits": DescribeVolumes ${volumeId}: EC2 answered RequestLimitExceeded, because EC2 is throttling the account's API calls; retrying`),
      waits[0],
    );
    assert.ok(
      waits[1].startsWith(
        `Snapshot "limits": CreateSnapshot for volume ${volumeId}: EC2 answered PendingSnapshotLimitExceeded, because the volume has as many pending snapshots as EC2 allows (5, or 1 for st1 and sc1); one must complete first; retrying`,
      ),
      waits[1],
    );
    waits.forEach((line) => assert.match(line, deadline));
    // and the deadline it names is the create's own (60 minutes from the start)
    const [hh, mm, ss] = (waits[0].match(/(\d\d):(\d\d):(\d\d) UTC$/) ?? []).slice(1).map(Number);
    const expected = new Date(started + 60 * 60_000);
    const named = hh * 3600 + mm * 60 + ss;
    const want = expected.getUTCHours() * 3600 + expected.getUTCMinutes() * 60 + expected.getUTCSeconds();
    assert.ok(Math.abs(((named - want + 43_200) % 86_400) - 43_200) <= 5, `named ${waits[0]}, expected about ${expected.toISOString()}`);
  });
});
