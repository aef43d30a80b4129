import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const readme = (): string => fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README's commands; tests/unit/docs.test.ts checks the rest of what it and docs/ say. */
describe("README", () => {
  it("gives the two set-up commands of a fresh clone: the demo and the tests", () => {
    assert.match(readme(), /^npm ci && npm run demo\b/m);
    assert.match(readme(), /^npm test\b/m);
  });

  it("is what CI runs: a clean install, the Pulumi CLI through the project's script, lint and typecheck, then exactly the README's test command, last", () => {
    const ci = fs
      .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#") && !/^(set|cd) /.test(l));
    const testCommand = /^(npm test)\b/m.exec(readme())?.[1];
    assert.equal(ci[ci.length - 1], testCommand);
    const order = ["npm ci", "npm run --silent pulumi-cli", "npm run lint", "npm run typecheck", "npm test"].map((command) => ci.indexOf(command));
    assert.ok(
      order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])),
      `.ci/run runs ${ci.join("; ")}`,
    );
  });
});
