import assert from "node:assert/strict";
import { generatedFiles, staleFiles } from "../../scripts/generate";

describe("scripts/generate.ts", () => {
  it("has written every file derived from the specs: schema.json, the README reference and the SDK classes are up to date", () => {
    assert.deepEqual(staleFiles(), [], "run: npm run generate");
  });

  it("generates schema.json, the README, one SDK class per registered resource and the SDK's entry point", () => {
    assert.deepEqual(
      generatedFiles().map(({ file }) => file),
      ["schema.json", "README.md", "sdk/snapshot.ts", "sdk/snapshotSet.ts", "sdk/snapshotCopy.ts", "sdk/index.ts"],
    );
  });

  it("reports a file whose checked-in content differs from the generated one", () => {
    const [schema, ...rest] = generatedFiles();
    assert.deepEqual(staleFiles([{ ...schema, content: `${schema.content} ` }, ...rest]), ["schema.json"]);
  });
});
