import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CreateSnapshotCommand } from "@aws-sdk/client-ec2";
import type * as automation from "@pulumi/pulumi/automation";
import type * as pulumi from "@pulumi/pulumi";
import { assertOk, useCliWorld, type CliRun, type CliStack, type CliWorld, type ExportedResource } from "../support/cliWorld";
import { allSnapshots, REGION, seedInstance, seedVolume } from "../../harness/seed";

const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot";
const PLUGIN_TYPE = "ebs-snapshots:index:Snapshot";
/** What creates or deletes a snapshot in EC2: none of it may happen while a stack changes faces. */
const SNAPSHOT_WORK = ["CreateSnapshot", "CreateSnapshots", "CopySnapshot", "DeleteSnapshot"];

/**
 * Moving a TypeScript stack from the dynamic face (`pulumi-ebs-snapshots`) to the plugin face
 * (`pulumi-ebs-snapshots/plugin`) through the real Pulumi CLI, as docs/migrating-to-the-plugin.md tells
 * users to: an up that sets `retainOnDelete` on the dynamic resource, an up that drops it and adopts the
 * same snapshot with the plugin class's `import` option, then the `import` option taken out. The plugin
 * is the one the consumer project installed (node_modules/pulumi-ebs-snapshots/bin), named in the
 * project's `plugins: providers:`; the package installed from its tarball, EC2 is moto behind the proxy.
 */
describe("Moving a stack from the dynamic face to the plugin face under the real Pulumi CLI", function () {
  this.timeout(300_000);
  const current = useCliWorld();
  let world: CliWorld;

  before(function () {
    world = current();
  });

  /** The plugin face's classes, as the consumer project installed them. */
  function pluginSdk(): typeof import("../../sdk/plugin") {
    return world.consumer.load<typeof import("../../sdk/plugin")>("pulumi-ebs-snapshots/plugin");
  }

  /** The stack's Pulumi.yaml names the plugin the consumer project installed, and its config the plugin's region. */
  async function usePlugin(stack: CliStack): Promise<void> {
    const workspace = stack.stack.workspace;
    const settings = await workspace.projectSettings();
    const plugins = { providers: [{ name: "ebs-snapshots", path: path.join(world.consumer.dir, "node_modules", "pulumi-ebs-snapshots", "bin") }] };
    // ProjectSettings does not type `plugins`; the Automation API writes Pulumi.yaml as given.
    await workspace.saveProjectSettings({ ...settings, plugins } as automation.ProjectSettings);
    await stack.setConfig("ebs-snapshots:region", REGION);
  }

  async function snapshotIds(): Promise<string[]> {
    return (await allSnapshots(world.ec2)).map((s) => s.SnapshotId ?? "").sort();
  }

  async function resourcesOf(stack: CliStack, type: string): Promise<ExportedResource[]> {
    return (await stack.exported()).resources.filter((r) => r.type === type);
  }

  /** Each step's resource type and op, as the engine reported them. */
  function stepsOf(run: CliRun): string[][] {
    return run.steps.map((s) => [s.urn.split("::")[2], s.name, s.op]);
  }

  function snapshotWork(): Record<string, number> {
    return Object.fromEntries(SNAPSHOT_WORK.map((action) => [action, world.proxy.count(action)]));
  }

  it("adopts the dynamic Snapshot's snapshot with the plugin class and import after an up with retainOnDelete: no snapshot taken or deleted, what only the program says updated in place, no diff after, none with import taken out", async function () {
    // given a stack deployed with the dynamic Snapshot
    const volumeId = await seedVolume(world.ec2);
    type Phase = "dynamic" | "retain" | "import" | "plugin";
    let phase: Phase = "dynamic";
    let importId = "";
    // description and tags the import reads from EC2; timeouts and sharing only the program says
    const args = { volumeId, description: "nightly data", tags: { Team: "storage" }, timeouts: { create: "20m" }, sharing: { accountIds: ["111122223333"] } };
    const stack = await world.newStack({
      project: "face-migration",
      program: async () => {
        if (phase === "dynamic" || phase === "retain") {
          const opts: pulumi.CustomResourceOptions = phase === "retain" ? { retainOnDelete: true } : {};
          return { snapshotId: new world.sdk.Snapshot("data", args, opts).snapshotId };
        }
        const opts: pulumi.CustomResourceOptions = phase === "import" ? { import: importId } : {};
        return { snapshotId: new (pluginSdk().Snapshot)("data", args, opts).snapshotId };
      },
    });
    assertOk(await stack.up(), "up on the dynamic face");
    const taken = await snapshotIds();
    assert.equal(taken.length, 1);
    const [snapshotId] = taken;
    assert.equal((await resourcesOf(stack, DYNAMIC_TYPE))[0]?.id, snapshotId);
    world.proxy.clearRequests();

    // when the dynamic resource gets retainOnDelete, in an up of its own
    phase = "retain";
    assertOk(await stack.up(), "up with retainOnDelete");
    assert.deepEqual(
      (await stack.exported()).resources.filter((r) => r.type === DYNAMIC_TYPE).map((r) => (r as { retainOnDelete?: boolean }).retainOnDelete),
      [true],
    );

    // and the program swaps it for the plugin class with import: the snapshot's id, the plugin named in Pulumi.yaml
    await usePlugin(stack);
    phase = "import";
    importId = snapshotId;
    const preview = await stack.preview();
    assertOk(preview, "preview of the swap");
    const up = await stack.up();
    assertOk(up, "up of the swap");

    // then the reviewer saw, and the up did, an import of the plugin resource, an update in place that records
    // what only the program says, and a delete of the dynamic one that leaves EC2 alone
    for (const run of [preview, up]) {
      assert.deepEqual(stepsOf(run), [
        [PLUGIN_TYPE, "data", "import"],
        [PLUGIN_TYPE, "data", "update"],
        [DYNAMIC_TYPE, "data", "delete"],
      ]);
    }
    assert.match(preview.output, /= {2}ebs-snapshots:index:Snapshot data import/);
    assert.match(preview.output, /~ {2}ebs-snapshots:index:Snapshot data update \[diff: \+sharing,timeouts\]/);
    assert.match(preview.output, /- {2}pulumi-nodejs:dynamic\/ebs-snapshots:Snapshot data delete\[retain\]/);
    assert.doesNotMatch(up.output, /\$PATH/, "the plugin came from Pulumi.yaml, not from PATH");
    const [recorded, ...others] = await resourcesOf(stack, PLUGIN_TYPE);
    assert.equal(others.length, 0);
    assert.equal(recorded.id, snapshotId);
    assert.equal(recorded.outputs?.snapshotId, snapshotId);
    assert.equal(recorded.outputs?.volumeId, volumeId);
    assert.deepEqual(recorded.outputs?.tags, { Team: "storage" });
    assert.deepEqual(recorded.outputs?.sharedWithAccounts, ["111122223333"]);
    assert.deepEqual(recorded.inputs?.timeouts, { create: "20m" });
    assert.deepEqual(await resourcesOf(stack, DYNAMIC_TYPE), []);
    assert.equal((await stack.stack.outputs()).snapshotId?.value, snapshotId);
    assert.deepEqual(await snapshotIds(), [snapshotId]);
    assert.deepEqual(snapshotWork(), { CreateSnapshot: 0, CreateSnapshots: 0, CopySnapshot: 0, DeleteSnapshot: 0 });

    // and a preview with import still in the program expects no changes
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes with import");

    // when import is taken out of the program, no change either: a preview and an up that change nothing
    phase = "plugin";
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes without import");
    assertOk(await stack.up({ expectNoChanges: true }), "up --expect-no-changes without import");
    assert.deepEqual(await snapshotIds(), [snapshotId]);
    assert.deepEqual(snapshotWork(), { CreateSnapshot: 0, CreateSnapshots: 0, CopySnapshot: 0, DeleteSnapshot: 0 });
    assert.equal((await resourcesOf(stack, PLUGIN_TYPE))[0]?.id, snapshotId);
  });

  it("moves a SnapshotSet and a SnapshotCopy the same way: the set imported by its snapshotIds joined by commas, the copy by its id and its source's", async function () {
    // given a stack with a dynamic SnapshotSet of an instance and a dynamic SnapshotCopy of one of its snapshots
    const { instanceId } = await seedInstance(world.ec2);
    type Phase = "dynamic" | "retain" | "import" | "plugin";
    let phase: Phase = "dynamic";
    let setImportId = "";
    let copyImportId = "";
    const setArgs = { instanceId, description: "nightly set", tags: { Team: "storage" } };
    const stack = await world.newStack({
      project: "face-migration-set",
      program: async () => {
        if (phase === "dynamic" || phase === "retain") {
          const opts: pulumi.CustomResourceOptions = phase === "retain" ? { retainOnDelete: true } : {};
          const set = new world.sdk.SnapshotSet("nightly", setArgs, opts);
          const copy = new world.sdk.SnapshotCopy("copy", { sourceSnapshotId: set.snapshotIds.apply((ids) => ids[0]) }, opts);
          return { snapshotIds: set.snapshotIds, copyId: copy.snapshotId };
        }
        const plugin = pluginSdk();
        const set = new plugin.SnapshotSet("nightly", setArgs, phase === "import" ? { import: setImportId } : {});
        const copy = new plugin.SnapshotCopy("copy", { sourceSnapshotId: set.snapshotIds.apply((ids) => ids[0]) }, phase === "import" ? { import: copyImportId } : {});
        return { snapshotIds: set.snapshotIds, copyId: copy.snapshotId };
      },
    });
    assertOk(await stack.up(), "up on the dynamic face");
    const before = await snapshotIds();
    const outputs = await stack.stack.outputs();
    const memberIds = outputs.snapshotIds?.value as string[];
    const copyId = outputs.copyId?.value as string;
    assert.equal(before.length, memberIds.length + 1);
    world.proxy.clearRequests();

    // when both get retainOnDelete, then are swapped for the plugin classes with import
    phase = "retain";
    assertOk(await stack.up(), "up with retainOnDelete");
    await usePlugin(stack);
    phase = "import";
    setImportId = memberIds.join(",");
    // The copy's id names its source too: moto, unlike EC2, leaves a copy's description empty, and a copy may have its own.
    copyImportId = `${copyId}:${memberIds[0]}`;
    const up = await stack.up();
    assertOk(up, "up of the swap");

    // then the plugin records the same snapshots, EC2 keeps them all, and nothing is left to change
    assert.deepEqual(stepsOf(up).sort(), [
      ["ebs-snapshots:index:SnapshotCopy", "copy", "import"],
      ["ebs-snapshots:index:SnapshotSet", "nightly", "import"],
      ["pulumi-nodejs:dynamic/ebs-snapshots:SnapshotCopy", "copy", "delete"],
      ["pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet", "nightly", "delete"],
    ]);
    // (the snapshots are the same; the resources' ids are now the import ids, which name the same snapshots)
    const [set] = await resourcesOf(stack, "ebs-snapshots:index:SnapshotSet");
    const [copy] = await resourcesOf(stack, "ebs-snapshots:index:SnapshotCopy");
    assert.deepEqual([set?.id, set?.outputs?.snapshotIds], [setImportId, memberIds]);
    assert.deepEqual([copy?.id, copy?.outputs?.snapshotId, copy?.outputs?.sourceSnapshotId], [copyImportId, copyId, memberIds[0]]);
    assert.deepEqual(await snapshotIds(), before);
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes with import");
    phase = "plugin";
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes without import");
    assert.deepEqual(snapshotWork(), { CreateSnapshot: 0, CreateSnapshots: 0, CopySnapshot: 0, DeleteSnapshot: 0 });
  });

  it("refuses a swap whose args would replace the snapshot: the preview warns of a replacement, the up fails after the import, and with the args corrected the next up completes", async function () {
    // given a dynamic Snapshot, retained
    const volumeId = await seedVolume(world.ec2);
    let phase: "retain" | "import" = "retain";
    let description = "nightly data";
    let importId = "";
    const stack = await world.newStack({
      project: "face-migration-mismatch",
      program: async () => {
        const snapshot =
          phase === "retain"
            ? new world.sdk.Snapshot("data", { volumeId, description }, { retainOnDelete: true })
            : new (pluginSdk().Snapshot)("data", { volumeId, description }, { import: importId });
        return { snapshotId: snapshot.snapshotId };
      },
    });
    assertOk(await stack.up(), "up on the dynamic face, retained");
    const [snapshotId] = await snapshotIds();
    world.proxy.clearRequests();

    // when the plugin class comes with a description that differs from the snapshot's (a change that replaces)
    await usePlugin(stack);
    phase = "import";
    importId = snapshotId;
    description = "changed";
    const preview = await stack.preview();
    const up = await stack.up();

    // then the preview shows the replacement with Pulumi's warning, and the up refuses it
    assertOk(preview, "preview of the mismatched swap");
    assert.match(preview.output, /\+- ebs-snapshots:index:Snapshot data replace \[diff: ~description\]/);
    assert.match(preview.output, /previously-imported resources that still specify an ID may not be replaced/);
    assert.equal(up.ok, false, up.output);
    assert.match(up.output, /previously-imported resources that still specify an ID may not be replaced/);
    assert.deepEqual(await snapshotIds(), [snapshotId]);
    assert.deepEqual(snapshotWork(), { CreateSnapshot: 0, CreateSnapshots: 0, CopySnapshot: 0, DeleteSnapshot: 0 });

    // when the description is put back, the next up completes the swap with the same snapshot
    description = "nightly data";
    assertOk(await stack.up(), "up with the args corrected");
    assert.deepEqual(
      (await stack.exported()).resources.filter((r) => r.type === PLUGIN_TYPE || r.type === DYNAMIC_TYPE).map((r) => [r.type, r.id]),
      [[PLUGIN_TYPE, snapshotId]],
    );
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes");
    assert.deepEqual(await snapshotIds(), [snapshotId]);
    assert.deepEqual(snapshotWork(), { CreateSnapshot: 0, CreateSnapshots: 0, CopySnapshot: 0, DeleteSnapshot: 0 });
  });

  it("cannot adopt a snapshot on the dynamic face: the import option ends in the dynamic-provider host's 'code must be a string, not undefined'", async function () {
    // given a snapshot made outside Pulumi
    const volumeId = await seedVolume(world.ec2);
    const made = await world.ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const snapshotId = made.SnapshotId ?? "";

    // when a program adopts it with the dynamic Snapshot and import
    const stack = await world.newStack({
      project: "dynamic-import",
      program: async () => ({ snapshotId: new world.sdk.Snapshot("data", { volumeId }, { import: snapshotId }).snapshotId }),
    });
    const up = await stack.up();

    // then the up fails with the host's raw message (a dynamic resource's provider is in its state, which an import has none of)
    assert.equal(up.ok, false, up.output);
    assert.match(`${up.output}\n${up.error ?? ""}`, /code must be a string, not undefined/);
    assert.deepEqual(await resourcesOf(stack, DYNAMIC_TYPE), []);
    assert.deepEqual(await snapshotIds(), [snapshotId]);
  });
});
