import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CreateSnapshotCommand, CreateSnapshotsCommand } from "@aws-sdk/client-ec2";
import { EngineWorld } from "../../harness/engineWorld";
import type { JsonObject, ProviderHost } from "../../harness/providerHost";
import { REPO_ROOT } from "../../harness/pulumiCli";
import { allSnapshots, seedInstance, seedVolume, tagsOf } from "../../harness/seed";

const SNAPSHOT_URN = "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:Snapshot::db";
const SET_URN = "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet::web";

interface RecordedResource {
  type: string;
  id: string;
  inputs: JsonObject;
  outputs: JsonObject;
}

/** The fixture with its {{placeholders}} filled in, so that its ids name snapshots that exist now. */
function fixture(version: string, values: Record<string, string>): Record<string, RecordedResource> {
  let text = fs.readFileSync(path.join(REPO_ROOT, "tests", "fixtures", `state-${version}.json`), "utf8");
  for (const [name, value] of Object.entries(values)) {
    text = text.split(`{{${name}}}`).join(value);
  }
  assert.doesNotMatch(text, /\{\{\w+\}\}/, "every placeholder of the fixture is filled");
  return (JSON.parse(text) as { resources: Record<string, RecordedResource> }).resources;
}

/**
 * State is a contract: `delete` runs the `__provider` stored in state, and refresh and update read the
 * outputs an earlier version wrote. This takes the state release 0.1.0 wrote (a fixture, never edited)
 * and refreshes, updates and deletes it with the current code, through the SDK's dynamic-provider host
 * against moto. Everything here is moto's; no fault is injected.
 */
describe("state written by an earlier release", function () {
  let world: EngineWorld;
  let host: ProviderHost;
  let recorded: Record<string, RecordedResource>;

  before(async function () {
    world = await EngineWorld.start();
    const volume = await seedVolume(world.ec2, { encrypted: true });
    const instance = await seedInstance(world.ec2);
    const single = await world.ec2.send(
      new CreateSnapshotCommand({ VolumeId: volume, Description: "nightly", TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Team", Value: "storage" }] }] }),
    );
    const set = await world.ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instance.instanceId },
        TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Team", Value: "web" }] }],
      }),
    );
    const memberOf = (volumeId: string): string => set.Snapshots?.find((s) => s.VolumeId === volumeId)?.SnapshotId ?? "";
    recorded = fixture("0.1.0", {
      volume,
      snapshot: single.SnapshotId ?? "",
      instance: instance.instanceId,
      rootVolume: instance.rootVolumeId,
      dataVolume0: instance.dataVolumes[0].volumeId,
      dataVolume1: instance.dataVolumes[1].volumeId,
      member0: memberOf(instance.rootVolumeId),
      member1: memberOf(instance.dataVolumes[0].volumeId),
      member2: memberOf(instance.dataVolumes[1].volumeId),
      startTime: (single.StartTime ?? new Date()).toISOString(),
    });
    host = await world.startHost();
  });

  after(async function () {
    await world?.stop();
  });

  for (const urn of [SNAPSHOT_URN, SET_URN]) {
    const kind = urn.split("::").pop() === "db" ? "Snapshot" : "SnapshotSet";

    it(`refreshes, updates the tags of, and deletes a ${kind} from 0.1.0 state with its stored __provider`, async function () {
      const { id, inputs, outputs } = recorded[urn];
      const ids = Array.isArray(outputs.snapshotIds) ? (outputs.snapshotIds as string[]) : [id];

      // refresh: the same resource, as EC2 has it now
      const read = await host.read(urn, id, outputs, inputs);
      assert.equal(read.id, id);
      assert.deepEqual([read.properties.state, read.properties.tags], ["completed", outputs.tags]);

      // update: a tag change goes to every snapshot, and the outputs keep the shape of the old ones
      const news = { ...inputs, tags: { Team: "platform", Release: "0.2" } };
      const updated = await host.update(urn, id, outputs, news, { oldInputs: inputs });
      assert.deepEqual(updated.properties.tags, news.tags);
      const after = (await allSnapshots(world.ec2)).filter((s) => ids.includes(s.SnapshotId ?? ""));
      assert.deepEqual(
        after.map((s) => tagsOf(s)),
        ids.map(() => news.tags),
      );
      // the only output it did not have is the one added since 0.1.0 (CHANGELOG: sharing's read-back);
      // sharedWithAccounts is left out where the program declares no sharing (its accounts are not read)
      assert.deepEqual(
        Object.keys(updated.properties)
          .filter((key) => !(key in outputs))
          .sort(),
        ["public"],
      );

      // delete, with the provider and outputs exactly as 0.1.0 recorded them
      await host.delete(urn, id, outputs, { oldInputs: inputs });
      const left = (await allSnapshots(world.ec2)).filter((s) => ids.includes(s.SnapshotId ?? ""));
      assert.deepEqual(left, []);
    });
  }
});
