import * as assert from "node:assert/strict";
import type { SnapshotSetArgs } from "../../sdk";
import { assertOk, useCliWorld, type CliStack, type CliWorld } from "../support/cliWorld";
import { allSnapshots, seedInstance } from "../../harness/seed";

/**
 * `SnapshotSet` through the real Pulumi CLI against moto. Pending members and a member ending in
 * `error` come from the fault proxy ("(proxy)"); moto completes every snapshot at once.
 */
describe("SnapshotSet under the real Pulumi CLI", function () {
  this.timeout(300_000);
  const current = useCliWorld();
  let world: CliWorld;

  before(function () {
    world = current();
  });

  function setStack(project: string, args: () => SnapshotSetArgs): Promise<CliStack> {
    return world.newStack({
      project,
      program: async () => {
        const set = new world.sdk.SnapshotSet("server", args());
        return { snapshotIds: set.snapshotIds };
      },
    });
  }

  it("fails naming the member that ended in error, deletes every member, and records nothing", async function () {
    // given an instance with three volumes, one of whose snapshots ends in error (proxy)
    const instance = await seedInstance(world.ec2, [{}, { encrypted: true }]);
    const failing = instance.dataVolumes[1].volumeId;
    world.proxy.progressNewSnapshots({ pendingDescribes: 2 });
    world.proxy.progressNewSnapshots({ pendingDescribes: 1, volumeIds: [failing], end: { state: "error", message: "The volume is unreadable." } });
    const stack = await setStack("set-error", () => ({ instanceId: instance.instanceId }));

    // when it is deployed
    const up = await stack.up();

    // then the update fails naming the instance, the failed member and EC2's message, and says all were deleted
    assert.equal(up.ok, false);
    const failedId = world.proxy
      .requestsFor("DeleteSnapshot")
      .map((r) => r.params["SnapshotId"])
      .find((id) => world.proxy.volumeOf(id ?? "") === failing);
    assert.ok(failedId !== undefined);
    assert.match(up.output, new RegExp(`SnapshotSet "server": the snapshot set of instance ${instance.instanceId} failed: .*${failedId}.*${failing}.*The volume is unreadable\\.`));
    assert.match(up.output, /All 3 snapshots of the set were deleted/);
    // and nothing is left in EC2 or in state
    assert.equal(world.proxy.count("DeleteSnapshot"), 3);
    assert.deepEqual(
      (await allSnapshots(world.ec2)).map((s) => s.SnapshotId),
      [],
    );
    assert.equal((await stack.snapshots()).has("server"), false);
  });

  it("records a set still pending at the deadline and completes the same members on the next up", async function () {
    // given members that stay pending (proxy) and a 4-second create deadline
    const instance = await seedInstance(world.ec2);
    const hold = world.proxy.holdNewSnapshots();
    const stack = await setStack("set-deadline", () => ({ instanceId: instance.instanceId, timeouts: { create: "4s" } }));

    // when it is deployed
    const up = await stack.up();

    // then the update fails, and the state records every member with the engine's init errors
    assert.equal(up.ok, false);
    const members = (await allSnapshots(world.ec2)).map((s) => s.SnapshotId ?? "").sort();
    assert.equal(members.length, 3);
    const recorded = (await stack.snapshots()).get("server");
    assert.deepEqual([...((recorded?.outputs?.snapshotIds as string[] | undefined) ?? [])].sort(), members);
    assert.equal(recorded?.initErrors?.length, 1);

    // when EC2 finishes them and the stack is deployed again
    hold.release();
    const resumed = await stack.up();
    // then the same set completes
    assertOk(resumed, "the second up");
    assert.deepEqual(
      resumed.steps.map((s) => [s.name, s.op]),
      [["server", "update"]],
    );
    const after = (await stack.snapshots()).get("server");
    assert.equal(after?.outputs?.state, "completed");
    assert.deepEqual([...((after?.outputs?.snapshotIds as string[] | undefined) ?? [])].sort(), members);
    assert.deepEqual((await allSnapshots(world.ec2)).map((s) => s.SnapshotId ?? "").sort(), members);
  });
});
