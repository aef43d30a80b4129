import assert from "node:assert/strict";
import * as path from "node:path";
import * as prettier from "prettier";
import { generatedFiles, staleFiles } from "../../scripts/generate";
import { ROOT } from "../../scripts/generate/schema";

describe("scripts/generate.ts", () => {
  it("has written every file derived from the specs: schema.json, the API reference (docs/reference.md) and the SDK classes are up to date", () => {
    assert.deepEqual(staleFiles(), [], "run: npm run generate");
  });

  it("generates schema.json, the API reference, one SDK class per registered resource and the SDK's entry point, then the plugin face's provider, classes and entry point", () => {
    assert.deepEqual(
      generatedFiles().map(({ file }) => file),
      [
        "schema.json",
        "docs/reference.md",
        "sdk/snapshot.ts",
        "sdk/snapshotSet.ts",
        "sdk/snapshotCopy.ts",
        "sdk/volumeSet.ts",
        "sdk/index.ts",
        "sdk/plugin/provider.ts",
        "sdk/plugin/snapshot.ts",
        "sdk/plugin/snapshotSet.ts",
        "sdk/plugin/snapshotCopy.ts",
        "sdk/plugin/volumeSet.ts",
        "sdk/plugin/index.ts",
      ],
    );
  });

  it("generates every .ts file already formatted as prettier wants, so npm run lint passes on generated output", async () => {
    const unformatted: string[] = [];
    for (const { file, content } of generatedFiles().filter(({ file }) => file.endsWith(".ts"))) {
      const filepath = path.join(ROOT, file);
      // The options the CLI (`prettier --check` in npm run lint) resolves for this file.
      const options = await prettier.resolveConfig(filepath, { editorconfig: true });
      assert.notEqual(options, null, `no prettier config found for ${file}`);
      if (!(await prettier.check(content, { ...options, filepath }))) {
        unformatted.push(file);
      }
    }
    assert.deepEqual(unformatted, [], "the generator's templates (scripts/generate/sdkClass.ts, pluginClass.ts, pluginProvider.ts) emit what prettier would reformat");
  });

  it("reports a file whose checked-in content differs from the generated one", () => {
    const [schema, ...rest] = generatedFiles();
    assert.deepEqual(staleFiles([{ ...schema, content: `${schema.content} ` }, ...rest]), ["schema.json"]);
  });
});
