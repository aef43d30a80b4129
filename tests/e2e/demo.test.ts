import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../harness/pulumiCli";

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // As from a shell: without the setting this test run puts in its own environment.
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _quiet, ...env } = process.env;
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "dist", "scripts", "demo.js")], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

/** `npm run demo` after the build: the README's first command, kept true by the test run. */
describe("npm run demo", function () {
  this.timeout(300_000);

  it("runs examples/backup through the real CLI: preview, up, config set, preview --diff, up, destroy, and leaves nothing", async function () {
    // when the demo runs
    const { code, output } = await runDemo();

    // then it succeeds, showing each CLI command it ran with that command's own output
    assert.equal(code, 0, output);
    const commands = [...output.matchAll(/^\$ pulumi (\S+(?: \S+)?)/gm)].map((m) => m[1]);
    assert.deepEqual(
      commands.map((c) => c.replace(/ --.*$/, "").replace(/ -.*$/, "")),
      ["config set-all", "preview", "up", "config set", "preview", "up", "destroy"],
    );
    assert.match(output, /^\$ pulumi preview --diff /m);
    assert.match(output, /Previewing update \(demo\):[\s\S]*\+ 3 to create/);
    assert.match(output, /Updating \(demo\):[\s\S]*\+ 3 created/);
    assert.match(output, /~ Environment: "staging" => "production"/);
    assert.match(output, /~ 2 updated/);
    assert.match(output, /Destroying \(demo\):[\s\S]*- 3 deleted/);
    // and the snapshots pended (proxy) while the CLI showed the provider's progress
    assert.match(output, /SnapshotSet "db-server": snap-[0-9a-f]{17} \d+% pending/);
    assert.match(output, /The emulator holds 0 snapshots after destroy\./);
    // and the AWS SDK's Node-version notice does not clutter it
    assert.doesNotMatch(output, /NodeVersionSupportWarning/);
  });
});
