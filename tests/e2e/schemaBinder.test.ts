import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { newSandbox, offlineEnvironment, pulumiCli, REPO_ROOT } from "../../harness/pulumiCli";

interface Binding {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pulumi package get-schema <file>`: the CLI reads the file and binds it with Pulumi's schema binder. */
async function bind(schemaFile: string, home: string): Promise<Binding> {
  const { binary } = await pulumiCli();
  const env = { ...process.env, ...offlineEnvironment(newSandbox(home)) };
  return new Promise((resolve) => {
    execFile(binary, ["package", "get-schema", schemaFile], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

describe("schema.json under the real Pulumi schema binder", function () {
  this.timeout(120_000);
  let tmp: string;

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ebs-snapshots-schema-"));
  });

  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("binds with no error and no warning, and the bound package is the checked-in schema", async function () {
    // given the published schema
    const file = path.join(REPO_ROOT, "schema.json");
    // when the CLI binds it
    const result = await bind(file, tmp);
    // then it binds silently
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    // and what it read back is the schema itself: nothing was dropped or reinterpreted
    assert.deepEqual(JSON.parse(result.stdout), JSON.parse(fs.readFileSync(file, "utf8")));
  });

  it("refuses a schema that breaks Pulumi's token rules, so the check above has teeth", async function () {
    // given the schema with a resource whose token names another package
    const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as { resources: Record<string, unknown> };
    schema.resources["other-package:index:Snapshot"] = { properties: {} };
    const file = path.join(tmp, "bad-schema.json");
    fs.writeFileSync(file, JSON.stringify(schema));
    // when the CLI binds it
    const result = await bind(file, tmp);
    // then the binder refuses it, naming the token and the package name it must have
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /invalid token 'other-package:index:Snapshot' \(must have package name 'ebs-snapshots'\)/);
  });
});
