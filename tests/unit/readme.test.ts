import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_SETTINGS, SETTINGS_ENV } from "../../provider/runtime/settings";

const ROOT = path.join(__dirname, "..", "..", "..");
const readme = (): string => fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
  it("gives the two set-up commands of a fresh clone: the demo and the tests", () => {
    assert.match(readme(), /^npm ci && npm run demo\b/m);
    assert.match(readme(), /^npm test\b/m);
  });

  it("is what CI runs: a clean install, the Pulumi CLI through the project's script, lint and typecheck, then exactly the README's test command", () => {
    const lines = fs
      .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    assert.deepEqual(lines.slice(-5), ["npm ci", "npm run --silent pulumi-cli", "npm run lint", "npm run typecheck", "npm test"]);
  });

  it("documents every tunable environment variable with its default", () => {
    for (const [key, name] of Object.entries(SETTINGS_ENV) as [keyof typeof SETTINGS_ENV, string][]) {
      assert.match(readme(), new RegExp(`\\| \`${name}\` \\| ${DEFAULT_SETTINGS[key]} \\|`), name);
    }
    assert.match(readme(), /\| `EBS_SNAPSHOTS_REQUEST_RATE_SCALE` \| 1 \|/);
  });
});
