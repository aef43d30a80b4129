/**
 * A measured run in a child process of its own, as worker.ts and refreshWorker.ts are: the parent sends
 * the run's description as the first IPC message (a fleet of 2,000 resources is too long for argv) and
 * receives one report; the child loads the provider as the dynamic-provider host's shim does.
 */
import { fork } from "node:child_process";
import { resolve } from "node:path";
import type * as ProviderModule from "../provider/index";

/** Runs `script` (a file of this folder, compiled) with `spec` and resolves with the report it sends; `what` names the run in errors. */
export async function runWorker<S, R>(script: string, spec: S, env: NodeJS.ProcessEnv, what: string): Promise<R> {
  const child = fork(resolve(__dirname, script), [], { env, stdio: ["ignore", "ignore", "pipe", "ipc"] });
  child.send(spec as object);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
  });
  return new Promise<R>((resolveReport, reject) => {
    let received: R | undefined;
    child.on("message", (message) => (received = message as R));
    child.on("error", reject);
    child.on("exit", (code) => (received !== undefined && code === 0 ? resolveReport(received) : reject(new Error(`${what} exited with ${code}; stderr:\n${stderr}`))));
  });
}

/** In the child: the run's description, sent by runWorker. */
export function receiveSpec<S>(): Promise<S> {
  return new Promise<S>((resolveSpec) => process.once("message", (message) => resolveSpec(message as S)));
}

/** In the child: sends the report and ends the process (0 once sent, 1 if the run failed). */
export function runChild<R>(main: () => Promise<R>): void {
  main()
    .then((report) => new Promise<void>((resolveSent, reject) => process.send!(report, (error: Error | null) => (error ? reject(error) : resolveSent()))))
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
}

/** The provider module as the host's shim loads it: by package name, unless BENCH_PROVIDER_MODULE names a candidate build. */
export function loadProvider(): typeof ProviderModule {
  const candidate = process.env.BENCH_PROVIDER_MODULE;
  return require(candidate !== undefined && candidate !== "" ? candidate : "pulumi-ebs-snapshots/provider") as typeof ProviderModule;
}
