/**
 * `npm run demo`: the main job, examples/backup, through the real Pulumi CLI against an embedded EC2
 * emulator. It needs no AWS account and reaches nothing beyond this machine: moto (a local EC2
 * emulator) runs behind the test suite's fault proxy, so that snapshots pend for a few polls as on EC2;
 * the CLI is the one `npm run pulumi-cli` finds or builds; the stack lives in a local file backend.
 *
 * Every command shown is the command the Automation API ran, and everything under it is that command's
 * own output. Everything it starts is stopped on exit and on Ctrl-C.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import * as automation from "@pulumi/pulumi/automation";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy";
import { startMoto, type MotoServer } from "../harness/moto";
import { isMonitorFlake, newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT } from "../harness/pulumiCli";
import { allSnapshots, KMS_KEY_ARN, REGION, seedInstance, seedVolume } from "../harness/seed";
import { snapshotTable, type ExportedSnapshotResource } from "./demoReport";
import "../harness/quietSdk";

const PROJECT = "ebs-backup";
const STACK = "demo";
const PROGRAM = path.join(REPO_ROOT, "dist", "examples", "backup", "index.js");
const CREDENTIALS = { accessKeyId: "demo", secretAccessKey: "demo" };
/** The commands worth showing; the Automation API also runs bookkeeping ones (version, stack select). */
const SHOWN = new Set(["preview", "up", "destroy", "config", "refresh"]);

/** Set on Ctrl-C: the stop in progress makes later failures expected, not worth reporting. */
let interrupted = false;

const say = (line = ""): void => {
  process.stdout.write(`${line}\n`);
};

/** The inline program: examples/backup as compiled, run afresh each time the CLI asks for it. */
async function program(): Promise<Record<string, unknown>> {
  delete require.cache[PROGRAM];
  return { ...(require(PROGRAM) as Record<string, unknown>) };
}

/**
 * The CLI as the Automation API drives it, announcing each shown command exactly as it is run. The
 * Automation API adds `--client` (the address of this process, which runs the program inline) and
 * `--exec-kind`; nothing else is added or left out.
 */
async function announcedCli(root: string): Promise<automation.PulumiCommand> {
  const cli = await automation.PulumiCommand.get({ root });
  type Run = (args: string[], ...rest: unknown[]) => Promise<unknown>;
  const internal = cli as unknown as { run: Run };
  const run = internal.run.bind(cli);
  internal.run = (args, ...rest) => {
    if (SHOWN.has(args[0] ?? "")) {
      say(`\n$ pulumi ${args.join(" ")}${args.includes("--non-interactive") ? "" : " --non-interactive"}`);
    }
    return run(args, ...rest);
  };
  return cli;
}

/**
 * Runs a command once more if the program, inline in this process, could not reach the CLI's resource
 * monitor: a known flake of several inline programs in one Node process (pulumi/pulumi#7125), which
 * fails before any resource step, so running again changes nothing. Says so when it happens.
 */
async function again<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (!isMonitorFlake(String(error)) || /^ [+~-] +pulumi-nodejs:/m.test(String(error))) {
      throw error;
    }
    say("\n(The program in this process could not reach the CLI's resource monitor before any step began, a known Automation API flake: running the command again.)");
    return command();
  }
}

async function main(): Promise<void> {
  let moto: MotoServer | undefined;
  let proxy: FaultProxy | undefined;
  let ec2: EC2Client | undefined;
  fs.mkdirSync(path.join(REPO_ROOT, ".cache"), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(REPO_ROOT, ".cache", "demo-"));
  const stop = async (): Promise<void> => {
    ec2?.destroy();
    await proxy?.close().catch(() => undefined);
    await moto?.stop().catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => {
    interrupted = true;
    say("\nInterrupted: the CLI cancels its own run; stopping the emulator...");
    void stop().then(() => process.exit(130));
  });

  try {
    say("pulumi-ebs-snapshots demo: examples/backup through the real Pulumi CLI, against a local EC2 emulator.");
    say("No AWS account is used; nothing leaves this machine.\n");
    say("The Pulumi CLI, from `npm run pulumi-cli` (a first run builds it from Go modules, with progress below):");
    const cli = await pulumiCli();
    say(`  ${cli.binary} (${cli.version})\n`);

    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    ec2 = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: CREDENTIALS });
    say(`EC2 emulator (moto) on ${moto.endpoint}, behind a proxy on ${proxy.endpoint} that makes snapshots pend for a few polls.`);
    const instance = await seedInstance(ec2, [{ size: 100 }, { size: 50, encrypted: true }]);
    const archive = await seedVolume(ec2, { size: 200, encrypted: true });
    // What moto leaves out of snapshots, the proxy adds: the volumes' KMS key, and a Marketplace product code.
    for (const v of instance.dataVolumes.filter((d) => d.encrypted)) {
      proxy.enrich(v.volumeId, { kmsKeyId: KMS_KEY_ARN, storageTier: "standard" });
    }
    proxy.enrich(archive, { kmsKeyId: KMS_KEY_ARN, storageTier: "standard", productCodes: [{ id: "2qbrqa8lrc2e7ad1ojrmnd0ba", type: "marketplace" }] });
    proxy.progressNewSnapshots({ pendingDescribes: 4 });
    say(`Seeded instance ${instance.instanceId} (root ${instance.rootVolumeId}, data ${instance.dataVolumes.map((d) => d.volumeId).join(", ")})`);
    say(`and archive volume ${archive} (encrypted). The stack lives in a local file backend under ${path.relative(REPO_ROOT, workDir)}/.`);

    const stack = await automation.LocalWorkspace.createOrSelectStack(
      { stackName: STACK, projectName: PROJECT, program },
      {
        // Inside the repository, so that the provider the CLI starts here resolves pulumi-ebs-snapshots
        // (and @pulumi/pulumi) from its node_modules, as in a user's project.
        workDir,
        pulumiCommand: await announcedCli(cli.root),
        projectSettings: { name: PROJECT, runtime: "nodejs", description: "examples/backup, run by npm run demo" },
        envVars: {
          ...offlineEnvironment(newSandbox(workDir)),
          AWS_ENDPOINT_URL_EC2: proxy.endpoint,
          AWS_REGION: REGION,
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          // Real EC2 takes minutes; the emulator's snapshots are polled every second or so.
          EBS_SNAPSHOTS_DESCRIBE_INTERVAL_MS: "500",
          EBS_SNAPSHOTS_POLL_MIN_MS: "500",
          EBS_SNAPSHOTS_POLL_MAX_MS: "1500",
          EBS_SNAPSHOTS_VOLUME_SPACING_MS: "0",
        },
      },
    );
    await stack.setAllConfig({
      "aws:region": { value: REGION },
      instanceId: { value: instance.instanceId },
      archiveVolumeId: { value: archive },
      environment: { value: "staging" },
    });
    const color = process.stdout.isTTY ? "always" : "never";
    const show = (out: string): void => {
      process.stdout.write(out);
    };

    await again(() => stack.preview({ color, onOutput: show }));
    await again(() => stack.up({ color, onOutput: show }));
    const state = async (): Promise<ExportedSnapshotResource[]> => {
      const exported = (await stack.exportStack()).deployment as { resources?: (ExportedSnapshotResource & { type: string })[] };
      return (exported.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/ebs-snapshots:"));
    };
    say("\nWhat the state records, one row per snapshot (from `pulumi stack export`):");
    snapshotTable(await state()).forEach((line) => say(line));

    await stack.setConfig("environment", { value: "production" });
    await again(() => stack.preview({ color, diff: true, onOutput: show }));
    await again(() => stack.up({ color, onOutput: show }));
    say("\nWhat the state records now:");
    snapshotTable(await state()).forEach((line) => say(line));

    await again(() => stack.destroy({ color, onOutput: show }));
    const left = await allSnapshots(ec2);
    say(`\nThe emulator holds ${left.length} snapshot${left.length === 1 ? "" : "s"} after destroy.`);
    if (left.length > 0) {
      throw new Error(`snapshots left behind: ${left.map((s) => s.SnapshotId).join(", ")}`);
    }
  } finally {
    if (!interrupted) {
      await stop();
      say("Stopped the emulator.");
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
