import * as assert from "node:assert/strict";
import { CreateTagsCommand, CreateVolumeCommand, DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import * as pulumi from "@pulumi/pulumi";
import { Snapshot } from "../../sdk";
import { Deployment, type DeploymentState } from "../../harness/deployment";
import { startMoto, type MotoServer } from "../../harness/moto";
import { registerResources } from "../../harness/program";
import { HostCallError, ProviderHost, UNKNOWN, type JsonObject } from "../../harness/providerHost";

const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

function hostEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: "20",
    EBS_SNAPSHOTS_POLL_MIN_MS: "20",
    EBS_SNAPSHOTS_POLL_MAX_MS: "200",
    EBS_SNAPSHOTS_RETRY_MIN_MS: "10",
    EBS_SNAPSHOTS_RETRY_MAX_MS: "100",
    EBS_SNAPSHOTS_VOLUME_SPACING_MS: "0",
  };
}

/** The provider tags each snapshot it creates with a token so that it can find it after a lost response; outputs leave it out. */
const CREATE_TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

const SNAPSHOT_URN = "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:Snapshot::db";

describe("engine harness: Snapshot through the SDK's dynamic-provider host", function () {
  let moto: MotoServer;
  let ec2: EC2Client;
  let volumeId: string;
  const hosts: ProviderHost[] = [];

  async function startHost(): Promise<ProviderHost> {
    const host = await ProviderHost.start({ env: hostEnv(moto.endpoint) });
    hosts.push(host);
    await host.configure({ "aws:region": REGION });
    return host;
  }

  async function motoSnapshots(): Promise<{ id: string; tags: Record<string, string> }[]> {
    const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }));
    return Snapshots.map((s) => ({ id: s.SnapshotId ?? "", tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) }));
  }

  function program(tags: Record<string, string>): () => void {
    return () => {
      new Snapshot("db", { volumeId, tags });
    };
  }

  before(async function () {
    moto = await startMoto();
    ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    const volume = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${REGION}a`, Size: 8 }));
    volumeId = volume.VolumeId ?? "";
    assert.match(volumeId, /^vol-/);
  });

  after(async function () {
    for (const host of hosts) {
      await host.stop();
    }
    ec2?.destroy();
    await moto?.stop();
  });

  it("registers the Snapshot's inputs as the engine receives them, __provider included", async function () {
    const [resource, ...others] = await registerResources(program({ team: "storage" }));
    assert.deepEqual(others, []);
    const { __provider: provider, ...inputs } = resource.inputs;
    assert.deepEqual(
      { ...resource, inputs },
      {
        type: "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot",
        name: "db",
        urn: SNAPSHOT_URN,
        custom: true,
        inputs: { volumeId, tags: { team: "storage" }, __logicalName: "db", __urn: "urn:pulumi:stack::project::pulumi-nodejs:dynamic/ebs-snapshots:Snapshot::db" },
      },
    );
    assert.equal(typeof provider, "string");
    assert.match(provider as string, /require\("pulumi-ebs-snapshots\/provider"\)/);
    assert.match(provider as string, /exports\.handler = /);
  });

  it("passes an unknown input of a preview as the sentinel string", async function () {
    assert.equal(UNKNOWN, pulumi.runtime.unknownValue);
    const [resource] = await registerResources(
      () => {
        new Snapshot("db", { volumeId: pulumi.output(pulumi.unknown) as pulumi.Output<string>, tags: { team: "storage" } });
      },
      { preview: true },
    );
    assert.equal(resource.inputs.volumeId, UNKNOWN);
  });

  describe("against moto", function () {
    let host: ProviderHost;
    let deployment: Deployment;
    let snapshotId: string;
    let createToken: string;

    before(async function () {
      host = await startHost();
    });

    it("round-trips nested values and unknowns through Check's protobuf Structs", async function () {
      const [resource] = await registerResources(program({ team: "storage" }));
      const news: JsonObject = {
        ...resource.inputs,
        volumeId: UNKNOWN,
        tags: { team: UNKNOWN, "cost-center": "42" },
        timeouts: { create: "5m", delete: "1m" },
        waitForCompletion: true,
      };
      const checked = await host.check(SNAPSHOT_URN, {}, news);
      assert.deepEqual(checked, { inputs: news, failures: [] });
    });

    it("reports Check failures as failures, not errors", async function () {
      const [resource] = await registerResources(program({ team: "storage" }));
      const { volumeId: _dropped, ...withoutVolume } = resource.inputs;
      const checked = await host.check(SNAPSHOT_URN, {}, withoutVolume);
      assert.deepEqual(checked, { inputs: withoutVolume, failures: [{ property: "volumeId", reason: "volumeId is required" }] });
    });

    it("previews a create without calling Create", async function () {
      const resources = await registerResources(program({ team: "storage" }), { preview: true });
      const preview = new Deployment(host);
      assert.deepEqual(await preview.up(resources, { preview: true }), [{ urn: SNAPSHOT_URN, op: "create", ok: true }]);
      assert.deepEqual(preview.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(await motoSnapshots(), []);
    });

    it("fails a create with the provider's message and records nothing", async function () {
      const failing = new Deployment(host);
      const steps = await failing.up(
        await registerResources(() => {
          new Snapshot("db", { volumeId: "vol-ffffffffffffffff0" });
        }),
      );
      assert.equal(steps.length, 1);
      const [{ error, ...step }] = steps;
      assert.deepEqual(step, { urn: SNAPSHOT_URN, op: "create", ok: false });
      assert.ok(error instanceof HostCallError, String(error));
      assert.equal(error.method, "create");
      assert.equal(error.code, 2 /* UNKNOWN: the host's code for every hook error */);
      assert.equal(
        error.message,
        `Snapshot "db": volume vol-ffffffffffffffff0 does not exist in ${REGION} (EC2 InvalidVolume.NotFound). No snapshot was created. Check volumeId and region.`,
      );
      assert.equal(error.initFailed, undefined);
      assert.deepEqual(failing.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(await motoSnapshots(), []);
    });

    it("creates the snapshot", async function () {
      const stderrBefore = host.stderr.length;
      deployment = new Deployment(host);
      const steps = await deployment.up(await registerResources(program({ team: "storage" })));
      assert.deepEqual(steps, [{ urn: SNAPSHOT_URN, op: "create", ok: true }]);
      const recorded = deployment.state.resources[SNAPSHOT_URN];
      snapshotId = recorded.id;
      assert.match(snapshotId, /^snap-[0-9a-f]+$/);
      assert.equal(recorded.type, "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot");
      assert.equal(recorded.initErrors, undefined);
      const { outputs } = recorded;
      assert.equal(outputs.snapshotId, snapshotId);
      assert.equal(outputs.volumeId, volumeId);
      assert.equal(outputs.state, "completed");
      assert.deepEqual(outputs.tags, { team: "storage" });
      assert.equal(outputs.encrypted, false);
      assert.equal(outputs.region, REGION);
      assert.equal(outputs.arn, `arn:aws:ec2:${REGION}::snapshot/${snapshotId}`);
      assert.equal(typeof outputs.__provider, "string");
      const [listed, ...others] = await motoSnapshots();
      assert.deepEqual(others, []);
      createToken = listed.tags[CREATE_TOKEN_TAG];
      assert.match(createToken, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(listed, { id: snapshotId, tags: { team: "storage", [CREATE_TOKEN_TAG]: createToken } });
      // moto reports completed at once: no progress lines, and nothing else to say.
      assert.deepEqual(host.stderr.slice(stderrBefore), []);
    });

    it("leaves an unchanged snapshot alone", async function () {
      const steps = await deployment.up(await registerResources(program({ team: "storage" })));
      assert.deepEqual(steps, [{ urn: SNAPSHOT_URN, op: "same", ok: true }]);
      assert.equal(deployment.state.resources[SNAPSHOT_URN].id, snapshotId);
    });

    it("updates tags in place", async function () {
      const steps = await deployment.up(await registerResources(program({ team: "storage", tier: "gold" })));
      assert.deepEqual(steps, [{ urn: SNAPSHOT_URN, op: "update", ok: true }]);
      const recorded = deployment.state.resources[SNAPSHOT_URN];
      assert.equal(recorded.id, snapshotId);
      assert.deepEqual(recorded.outputs.tags, { team: "storage", tier: "gold" });
      assert.deepEqual(recorded.inputs.tags, { team: "storage", tier: "gold" });
      assert.deepEqual(await motoSnapshots(), [{ id: snapshotId, tags: { team: "storage", tier: "gold", [CREATE_TOKEN_TAG]: createToken } }]);
    });

    it("refreshes from JSON state through a fresh host after a crash", async function () {
      await host.kill();
      assert.notEqual(host.exit, undefined);
      await ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: "drift", Value: "yes" }] }));
      host = await startHost();
      deployment = new Deployment(host, JSON.parse(JSON.stringify(deployment.state)) as DeploymentState);
      assert.deepEqual(await deployment.refresh(), [{ urn: SNAPSHOT_URN, op: "refresh", ok: true }]);
      assert.deepEqual(deployment.state.resources[SNAPSHOT_URN].outputs.tags, { team: "storage", tier: "gold", drift: "yes" });
    });

    it("destroys the snapshot", async function () {
      assert.deepEqual(await deployment.destroy(), [{ urn: SNAPSHOT_URN, op: "delete", ok: true }]);
      assert.deepEqual(deployment.state, { resources: {}, pendingDeletes: [] });
      assert.deepEqual(await motoSnapshots(), []);
    });
  });
});
