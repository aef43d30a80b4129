import { spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./freePort";

/** A running moto_server (a third-party EC2 emulator) on a loopback port, owned by the test run. */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const MOTO_INSTALL_HINT =
  "moto_server was not found on PATH. The EC2 tests run against moto, a local EC2 emulator. " +
  "Install it with: pip install 'moto[server]==5.2.1'  (then check: moto_server --help)";

export class MotoMissingError extends Error {
  override readonly name = "MotoMissingError";
  constructor() {
    super(MOTO_INSTALL_HINT);
  }
}

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

async function waitUntilUp(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const until = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} during startup:\n${output()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (response.status < 500) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer within ${STARTUP_TIMEOUT_MS / 1000}s:\n${output()}`);
}

/** Starts moto_server on a free loopback port; fails with install instructions when it is missing. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_EC2_LOAD_DEFAULT_AMIS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const spawnFailed = new Promise<never>((_, reject) => child.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new MotoMissingError() : error)));
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  try {
    await Promise.race([waitUntilUp(endpoint, child, () => log), spawnFailed]);
  } catch (error) {
    child.kill("SIGKILL");
    process.removeListener("exit", killOnExit);
    throw error;
  }
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) {
        throw new Error(`moto reset failed: HTTP ${response.status}`);
      }
    },
    async stop() {
      process.removeListener("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
