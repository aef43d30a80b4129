/**
 * Runs one compiled example program under `pulumi.runtime.setMocks` and writes what it did as JSON:
 * the resources it registered (type, name, inputs), the provider functions it called, its stack exports
 * resolved, and the state the mocks returned for each resource.
 *
 * It runs in a child process of its own (see examplesHarness.ts) because setMocks, the stack's config and
 * the module cache are process-global: each example starts from a clean runtime, whatever ran before.
 *
 *   node examplesRunner.js <compiled example directory> <result file> <project name>
 * with the stack's configuration in PULUMI_CONFIG (JSON, "<project>:<key>" keys), as the Pulumi CLI passes it.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { fakeState, type MockedCall, type RegisteredResource } from "./examplesMocks";

export interface RunResult {
  ok: boolean;
  /** The message of the error that stopped the program, when ok is false. */
  error?: string;
  resources: RegisteredResource[];
  calls: MockedCall[];
  exports: Record<string, unknown>;
}

/** Waits for every Output in the program's exports, however deeply nested. */
function resolveExports(programExports: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    pulumi.output(programExports).apply((value) => {
      resolve(value);
      return value;
    });
  });
}

async function main(): Promise<void> {
  const [programDir, resultFile, project] = process.argv.slice(2);
  if (programDir === undefined || resultFile === undefined || project === undefined) {
    throw new Error("usage: examplesRunner <compiled example directory> <result file> <project name>");
  }
  const result: RunResult = { ok: false, resources: [], calls: [], exports: {} };
  const write = (): void => fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  let settled = false;
  // An error inside an Output callback surfaces as an unhandled rejection, not from require().
  const fail = (error: unknown): void => {
    if (!settled) {
      settled = true;
      result.error = error instanceof Error ? error.message : String(error);
      write();
      process.exit(1);
    }
  };
  process.on("unhandledRejection", fail);
  process.on("uncaughtException", fail);

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const { id, state } = fakeState(args.type, args.name, args.inputs as Record<string, unknown>);
        const { __provider, ...inputs } = args.inputs as Record<string, unknown>;
        result.resources.push({ type: args.type, name: args.name, custom: args.custom ?? true, inputs, hasProvider: typeof __provider === "string", id, state });
        return { id, state };
      },
      call(args) {
        result.calls.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
        if (args.token === "aws:index/getAvailabilityZones:getAvailabilityZones") {
          return { id: "us-west-2", names: ["us-west-2a", "us-west-2b", "us-west-2c"], zoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"] };
        }
        throw new Error(`no mock for the call ${args.token}`);
      },
    },
    project,
    "test",
    false,
  );

  try {
    const programExports = require(programDir) as Record<string, unknown>;
    result.exports = await resolveExports(programExports);
    // Every registration has been answered once the exports resolve; this drains what remains.
    await pulumi.runtime.disconnect();
  } catch (error) {
    fail(error);
    return;
  }
  if (!settled) {
    settled = true;
    result.ok = true;
    write();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
