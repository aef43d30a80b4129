/**
 * Finds the example projects, reads their Pulumi.yaml, and runs each compiled program under mocks in a
 * child process of its own (examplesRunner.ts), so that no example sees another's mocks, config or modules.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunResult } from "./examplesRunner";
import { REPO_ROOT } from "./schemaShape";

export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");
/** Where `npx tsc -p tsconfig.json` puts the compiled examples. */
export const COMPILED_EXAMPLES_DIR = path.join(REPO_ROOT, "dist", "examples");
const RUNNER = path.join(__dirname, "examplesRunner.js");

/**
 * The TypeScript examples (runtime nodejs). The others run through the plugin: the YAML one in
 * tests/e2e/yamlBackup.test.ts, the Python one in tests/e2e/pythonSdk.test.ts.
 */
export function exampleNames(): string[] {
  return fs
    .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^runtime:\s*nodejs\s*$/m.test(fs.readFileSync(path.join(EXAMPLES_DIR, entry.name, "Pulumi.yaml"), "utf8")))
    .map((entry) => entry.name)
    .sort();
}

export type ProjectValue = string | { [key: string]: ProjectValue };

/**
 * Reads the subset of YAML that Pulumi.yaml files here use: `key: scalar` and nested blocks of them,
 * indented by two spaces, with `#` comments. Anything else throws, so a richer file fails loudly here
 * rather than being misread.
 */
export function parseProjectFile(text: string): Record<string, ProjectValue> {
  const root: Record<string, ProjectValue> = {};
  const stack: { indent: number; node: Record<string, ProjectValue> }[] = [{ indent: -1, node: root }];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/\s+#.*$/, "");
    if (line.trim() === "" || line.trim().startsWith("#")) {
      return;
    }
    const match = /^( *)([A-Za-z0-9_.:-]+):(?: (.*))?$/.exec(line);
    if (match === null || match[1].length % 2 !== 0) {
      throw new Error(`line ${index + 1} is not "key: value" YAML this reader understands: ${raw}`);
    }
    const indent = match[1].length;
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) {
      stack.pop();
    }
    const parent = stack[stack.length - 1];
    if (indent !== parent.indent + 2 && !(parent.indent === -1 && indent === 0)) {
      throw new Error(`line ${index + 1} is indented unexpectedly: ${raw}`);
    }
    const value = match[3]?.trim();
    if (value === undefined || value === "") {
      const node: Record<string, ProjectValue> = {};
      parent.node[match[2]] = node;
      stack.push({ indent, node });
    } else {
      parent.node[match[2]] = value.replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
    }
  });
  return root;
}

export function readProjectFile(dir: string): Record<string, ProjectValue> {
  return parseProjectFile(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
}

export interface ExampleRun extends RunResult {
  exitCode: number | null;
  stderr: string;
}

/**
 * Runs the compiled example `name` under mocks with `config` as its stack configuration
 * (keys without a namespace belong to the project, as `pulumi config set` stores them).
 */
export async function runExample(name: string, config: Record<string, string>): Promise<ExampleRun> {
  const project = readProjectFile(path.join(EXAMPLES_DIR, name)).name;
  if (typeof project !== "string") {
    throw new Error(`examples/${name}/Pulumi.yaml has no name`);
  }
  const pulumiConfig = Object.fromEntries(Object.entries(config).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value]));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  const resultFile = path.join(workDir, "result.json");
  // Nothing of the calling process's Pulumi context leaks in: only the config given here.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PULUMI_")));
  env.PULUMI_CONFIG = JSON.stringify(pulumiConfig);
  try {
    const { exitCode, stderr } = await new Promise<{ exitCode: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [RUNNER, path.join(COMPILED_EXAMPLES_DIR, name), resultFile, project], {
        cwd: REPO_ROOT,
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderrText = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderrText += chunk));
      child.on("error", reject);
      child.on("close", (code) => resolve({ exitCode: code, stderr: stderrText }));
    });
    if (!fs.existsSync(resultFile)) {
      throw new Error(`the runner for examples/${name} wrote no result (exit ${exitCode}):\n${stderr}`);
    }
    const result = JSON.parse(fs.readFileSync(resultFile, "utf8")) as RunResult;
    return { ...result, exitCode, stderr };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
