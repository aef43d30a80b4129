/**
 * `npm run demo`: the main job on an embedded default. It needs no AWS account and no Pulumi CLI:
 * it starts moto (a local EC2 emulator) behind the fault proxy (so snapshots pend for a few polls,
 * as on EC2), seeds an instance and a volume, and runs examples/backup through the SDK's own
 * dynamic-provider host exactly as `pulumi up` drives it: preview, up with live progress, outputs, a
 * tag change as an in-place update, destroy. Everything it starts is stopped on exit and on Ctrl-C.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Deployment, type Step } from "../tests/support/deployment";
import { startFaultProxy, type FaultProxy } from "../tests/support/faultProxy";
import { startMoto, type MotoServer } from "../tests/support/moto";
import { registerResources, type RegisteredResource } from "../tests/support/program";
import { ProviderHost } from "../tests/support/providerHost";
import { EC2Client } from "@aws-sdk/client-ec2";
import { allSnapshots, KMS_KEY_ARN, REGION, seedInstance, seedVolume } from "../tests/support/seed";
import { changedKeys, outputTable, planLines } from "./demoReport";
import "../tests/support/quietSdk";

const PROJECT = "ebs-backup";
const STACK = "demo";
const PROGRAM = path.join(__dirname, "..", "examples", "backup", "index.js");
const CREDENTIALS = { accessKeyId: "demo", secretAccessKey: "demo" };

/** Set on Ctrl-C: the stop in progress makes later failures expected, not worth reporting. */
let interrupted = false;

const say = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};

/** Runs the example program as the Pulumi language host would, with the stack's config. */
async function program(config: Record<string, string>, preview: boolean): Promise<RegisteredResource[]> {
  return registerResources(
    () => {
      for (const [key, value] of Object.entries(config)) {
        pulumi.runtime.setConfig(`${PROJECT}:${key}`, value);
      }
      delete require.cache[require.resolve(PROGRAM)];
      require(PROGRAM);
    },
    { project: PROJECT, stack: STACK, preview },
  );
}

async function plan(deployment: Deployment, config: Record<string, string>): Promise<void> {
  const resources = await program(config, true);
  const before = deployment.state.resources;
  const steps = await deployment.up(resources, { preview: true });
  const diffs = new Map(resources.map((r) => [r.urn, changedKeys(before[r.urn]?.inputs, r.inputs)]));
  planLines(steps, diffs).forEach((line) => say(line));
}

function report(steps: Step[], started: number): void {
  for (const step of steps) {
    const name = step.urn.split("::").pop();
    say(`  ${step.ok ? "done" : "FAILED"}: ${step.op} ${name}${step.ok ? "" : ` - ${step.error?.message}`}`);
  }
  say(`  (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  if (steps.some((s) => !s.ok)) {
    throw new Error("a step failed");
  }
}

async function main(): Promise<void> {
  let moto: MotoServer | undefined;
  let proxy: FaultProxy | undefined;
  let host: ProviderHost | undefined;
  let ec2: EC2Client | undefined;
  const stop = async (): Promise<void> => {
    await host?.stop().catch(() => undefined);
    ec2?.destroy();
    await proxy?.close().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
  };
  process.once("SIGINT", () => {
    interrupted = true;
    say("\nInterrupted: stopping the emulator and the provider host...");
    void stop().then(() => process.exit(130));
  });

  try {
    say("pulumi-ebs-snapshots demo: examples/backup through Pulumi's dynamic-provider host, against a local EC2 emulator.");
    say("No AWS account is used; nothing leaves this machine.\n");

    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    say(`EC2 emulator (moto) on ${moto.endpoint}, behind a proxy on ${proxy.endpoint} that makes snapshots pend for a few polls.`);

    const instance = await seedInstance(ec2, [{ size: 100 }, { size: 50, encrypted: true }]);
    const archive = await seedVolume(ec2, { size: 200, encrypted: true });
    // What moto leaves out of snapshots, the proxy adds: the volume's KMS key, and a Marketplace product code.
    for (const v of instance.dataVolumes.filter((d) => d.encrypted)) {
      proxy.enrich(v.volumeId, { kmsKeyId: KMS_KEY_ARN, storageTier: "standard" });
    }
    proxy.enrich(archive, { kmsKeyId: KMS_KEY_ARN, storageTier: "standard", productCodes: [{ id: "2qbrqa8lrc2e7ad1ojrmnd0ba", type: "marketplace" }] });
    proxy.progressNewSnapshots({ pendingDescribes: 4 });
    say(`Seeded instance ${instance.instanceId} (root ${instance.rootVolumeId}, data ${instance.dataVolumes.map((d) => d.volumeId).join(", ")})`);
    say(`and archive volume ${archive} (encrypted).\n`);

    host = await ProviderHost.start({
      env: {
        AWS_ENDPOINT_URL_EC2: proxy.endpoint,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        // Real EC2 takes minutes; the emulator's snapshots are polled every second or so.
        EBS_SNAPSHOTS_POLL_MIN_MS: "500",
        EBS_SNAPSHOTS_POLL_MAX_MS: "1500",
        EBS_SNAPSHOTS_VOLUME_SPACING_MS: "0",
      },
      onLine: (_stream, line) => say(`    ${line}`),
    });
    await host.configure({ "aws:region": REGION });
    const deployment = new Deployment(host);
    const config = { instanceId: instance.instanceId, archiveVolumeId: archive, environment: "staging" };

    say(`Previewing update (${STACK}):`);
    await plan(deployment, config);
    say(`\nUpdating (${STACK}):`);
    let started = Date.now();
    report(await deployment.up(await program(config, false), { parallel: true }), started);
    say("\nOutputs:");
    outputTable(deployment).forEach((line) => say(line));

    const production = { ...config, environment: "production" };
    say("\n$ pulumi config set environment production");
    say(`Previewing update (${STACK}):`);
    await plan(deployment, production);
    say(`\nUpdating (${STACK}):`);
    started = Date.now();
    report(await deployment.up(await program(production, false), { parallel: true }), started);
    outputTable(deployment).forEach((line) => say(line));

    say(`\nDestroying (${STACK}):`);
    started = Date.now();
    report(await deployment.destroy({ parallel: true }), started);
    const left = await allSnapshots(ec2);
    say(`\nThe emulator holds ${left.length} snapshot${left.length === 1 ? "" : "s"} after destroy.`);
    if (left.length > 0) {
      throw new Error(`snapshots left behind: ${left.map((s) => s.SnapshotId).join(", ")}`);
    }
  } finally {
    if (!interrupted) {
      await stop();
      say("Stopped the emulator and the provider host.");
    }
  }
}

main().catch((error: unknown) => {
  if (interrupted) {
    return;
  }
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
