/**
 * Start-up of a provider process, as the engine meets it: from spawning the process to the first answer
 * of its gRPC server (GetPluginInfo), for the plugin (bin/pulumi-resource-ebs-snapshots, the executable
 * the CLI runs) and for the SDK's dynamic-provider host (node on @pulumi/pulumi/cmd/dynamic-provider),
 * over several runs. Part of `--real-engine` (realEngine.ts); alone: `node dist/bench/providerStartup.js [--runs K]`.
 */
import { spawn } from "node:child_process";
import { devNull } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { freePort } from "../harness/freePort";
import type { ProviderFace } from "../harness/providerHost";
import { REPO_ROOT } from "../harness/pulumiCli";

/** Runs per face that count; each face first runs once more, uncounted, so both are measured with a warm file cache. */
export const DEFAULT_STARTUP_RUNS = 10;
/** Bound on one start-up: a process that printed no port or gave no answer by then fails the bench. */
const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface StartupFigures {
  face: ProviderFace;
  /** ms from spawn to the first GetPluginInfo answer, in run order. */
  samplesMs: number[];
  minMs: number;
  medianMs: number;
  maxMs: number;
  /** The version GetPluginInfo answered. */
  version: string;
}

/** What the engine runs for each face, from this repository. */
function command(face: ProviderFace): { file: string; args: string[] } {
  return face === "plugin"
    ? { file: path.join(REPO_ROOT, "bin", "pulumi-resource-ebs-snapshots"), args: [] }
    : { file: process.execPath, args: [require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [REPO_ROOT] })] };
}

/** This process's environment without anything that could reach AWS or a Pulumi backend. */
function scrubbedEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AWS_|PULUMI_|EBS_SNAPSHOTS_)/.test(key))),
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/**
 * One start-up: spawn, read the port from the first stdout line, dial it and call GetPluginInfo. The
 * engine address is a port nobody listens on (the dynamic host never dials it; the plugin's log falls
 * back to stderr). The process is stopped (SIGTERM, then SIGKILL after 5 s) before this returns.
 */
export async function startupOnce(face: ProviderFace): Promise<{ ms: number; version: string }> {
  const { file, args } = command(face);
  const engineAddress = `127.0.0.1:${await freePort()}`;
  const started = performance.now();
  const child = spawn(file, [...args, engineAddress], { cwd: REPO_ROOT, env: scrubbedEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2_000)));
  let client: ResourceProviderClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const answered = (async () => {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString("utf8");
          const newline = out.indexOf("\n");
          if (newline >= 0) {
            const value = Number(out.slice(0, newline).trim());
            return Number.isInteger(value) && value > 0 ? resolve(value) : reject(new Error(`printed ${JSON.stringify(out.slice(0, newline))} instead of a port`));
          }
        });
        child.once("error", reject);
        void exited.then(() => reject(new Error("exited before printing its port")));
      });
      client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const info = await new Promise<PluginInfo>((resolve, reject) => {
        client?.getPluginInfo(new Empty(), new grpc.Metadata(), { deadline: Date.now() + STARTUP_TIMEOUT_MS }, (error, response) =>
          error === null ? resolve(response) : reject(error),
        );
      });
      return { ms: performance.now() - started, version: info.getVersion() };
    })();
    // Settled either way: after a timeout the stopped process rejects it, and nobody awaits it any more.
    answered.catch(() => undefined);
    return await Promise.race([
      answered,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no GetPluginInfo answer within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    throw new Error(`${face} start-up: ${error instanceof Error ? error.message : String(error)}${stderr ? `\nstderr:\n${stderr}` : ""}`, { cause: error });
  } finally {
    clearTimeout(timer);
    client?.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(kill);
    }
  }
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * `runs` start-ups of each face, one after the other and alternating (plugin, dynamic, plugin, …) so
 * that whatever else loads the machine meets both alike, after one uncounted warm-up each.
 */
export async function measureStartup(runs = DEFAULT_STARTUP_RUNS): Promise<StartupFigures[]> {
  const faces: ProviderFace[] = ["plugin", "dynamic"];
  for (const face of faces) {
    await startupOnce(face);
  }
  const samples = new Map<ProviderFace, { ms: number[]; version: string }>(faces.map((face) => [face, { ms: [], version: "" }]));
  for (let i = 0; i < runs; i += 1) {
    for (const face of faces) {
      const { ms, version } = await startupOnce(face);
      const entry = samples.get(face);
      entry?.ms.push(ms);
      if (entry !== undefined) {
        entry.version = version;
      }
    }
  }
  return faces.map((face) => {
    const { ms, version } = samples.get(face) ?? { ms: [], version: "" };
    const sorted = [...ms].sort((a, b) => a - b);
    return { face, samplesMs: ms, minMs: sorted[0], medianMs: median(sorted), maxMs: sorted[sorted.length - 1], version };
  });
}

/** The start-up line the bench prints. */
export function startupLine(figures: readonly StartupFigures[]): string {
  const name = (face: ProviderFace): string => (face === "plugin" ? "plugin (bin/pulumi-resource-ebs-snapshots)" : "dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider)");
  const runs = figures[0]?.samplesMs.length ?? 0;
  return (
    `provider start-up, spawn to first GetPluginInfo answer, ${runs} runs each (min / median / max): ` +
    figures.map((f) => `${name(f.face)} ${f.minMs.toFixed(0)} / ${f.medianMs.toFixed(0)} / ${f.maxMs.toFixed(0)} ms`).join("; ")
  );
}

if (require.main === module) {
  const at = process.argv.indexOf("--runs");
  const runs = at >= 0 ? Number(process.argv[at + 1]) : DEFAULT_STARTUP_RUNS;
  if (!(Number.isInteger(runs) && runs > 0)) {
    throw new Error("--runs must be a positive whole number");
  }
  measureStartup(runs)
    .then((figures) => console.log(startupLine(figures)))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
