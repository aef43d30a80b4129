import { execFile, spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./freePort";

/** A running moto_server (a third-party EC2 emulator) on a loopback port, owned by the test run. */
export interface MotoServer {
  endpoint: string;
  port: number;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The moto the tests are written against. What moto lacks (pending states, throttling, Snapshot Lock,
 * the archive tier) the fault proxy supplies; another moto version would change which answers are
 * moto's, so a different one fails the run instead of passing or failing for another reason.
 */
export const MOTO_VERSION = "5.2.1";

export const MOTO_INSTALL_HINT =
  "moto_server was not found on PATH. The EC2 tests run against moto, a local EC2 emulator. " +
  `Install it with: pip install 'moto[server]==${MOTO_VERSION}'  (then check: moto_server --help)`;

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

/** The moto version python3 imports, or undefined when python3 has no moto (moto_server may still be on PATH). */
function installedMotoVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("python3", ["-c", "import moto; print(moto.__version__)"], { timeout: 30_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** Starts moto_server on a free loopback port; fails with install instructions when it is missing or another version. */
export async function startMoto(): Promise<MotoServer> {
  const version = await installedMotoVersion();
  if (version !== undefined && version !== MOTO_VERSION) {
    throw new Error(`moto ${version} is installed, but the tests are written against moto ${MOTO_VERSION}. Install it with: pip install 'moto[server]==${MOTO_VERSION}'`);
  }
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
