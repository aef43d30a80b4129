/**
 * The entry of the resource-provider plugin `pulumi-resource-ebs-snapshots` (bin/): the CLI starts it
 * with the engine's address, reads the port it prints, and speaks Pulumi's ResourceProvider protocol
 * to it. One process per provider (the default one, and each explicit provider resource).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { PackageManifest } from "../../schema/packageSchema";
import { EngineLog } from "./engineLog";
import { resourceProvider, ResourceProviderService } from "./server";

/** This package's own manifest, four folders up from dist/provider/faces/plugin. */
function manifest(): PackageManifest {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "package.json"), "utf8")) as PackageManifest;
}

/** The engine's address: the first argument that is not a flag (the CLI may pass `--logtostderr`, `-v=…`, `--tracing …`). */
function engineAddress(args: readonly string[]): string | undefined {
  const rest = [...args];
  while (rest.length > 0) {
    const arg = rest.shift() ?? "";
    if (arg === "--tracing") {
      rest.shift();
    } else if (!arg.startsWith("-")) {
      return arg;
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const log = new EngineLog(engineAddress(process.argv.slice(2)));
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
  server.addService(ResourceProviderService, resourceProvider(manifest(), log));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  });
  // The CLI reads this line as the port to dial; nothing else may go to stdout before it.
  process.stdout.write(`${port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`pulumi-resource-ebs-snapshots failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
