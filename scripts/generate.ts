/**
 * Writes every file derived from the resource specs (provider/resources/specs.ts): schema.json, the
 * API reference (docs/reference.md), the SDK's dynamic resource classes (sdk/) and the plugin face's classes
 * (sdk/plugin/, the package's `./plugin` export). `node dist/scripts/generate.js --write`
 * rewrites them; without --write it lists the files that are stale and exits non-zero
 * (tests/unit/generate.test.ts runs the same check).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REFERENCE_FILE, renderReference, type PackageSchema } from "./generate/reference";
import { renderSchema, ROOT } from "./generate/schema";
import { pluginFileOf, renderPluginClass, renderPluginIndex, PLUGIN_SDK_DIR } from "./generate/pluginClass";
import { PLUGIN_PROVIDER_FILE, renderPluginProvider, type ProviderSchema } from "./generate/pluginProvider";
import { registeredResources } from "./generate/registry";
import { lowerFirst, renderSdkClass, renderSdkIndex, sdkFileOf } from "./generate/sdkClass";

export interface GeneratedFile {
  /** Relative to the repository root. */
  file: string;
  content: string;
}

function read(file: string): string {
  const full = path.join(ROOT, file);
  return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : "";
}

export function generatedFiles(): GeneratedFile[] {
  const resources = registeredResources();
  const schema = renderSchema(resources.map((r) => r.spec));
  const parsed = JSON.parse(schema) as PackageSchema & { provider: ProviderSchema };
  const specFile = (typeName: string): string => `provider/resources/${lowerFirst(typeName)}/spec.ts`;
  return [
    { file: "schema.json", content: schema },
    { file: REFERENCE_FILE, content: renderReference(parsed) },
    ...resources.map(({ spec, hookSet }) => ({ file: sdkFileOf(spec), content: renderSdkClass(spec, specFile(spec.typeName), hookSet) })),
    { file: "sdk/index.ts", content: renderSdkIndex(resources.map((r) => r.spec)) },
    { file: PLUGIN_PROVIDER_FILE, content: renderPluginProvider(parsed.provider) },
    ...resources.map(({ spec }) => ({ file: pluginFileOf(spec), content: renderPluginClass(spec, specFile(spec.typeName)) })),
    { file: `${PLUGIN_SDK_DIR}/index.ts`, content: renderPluginIndex(resources.map((r) => r.spec)) },
  ];
}

/** The generated files whose checked-in content differs from what the specs give now. */
export function staleFiles(files: GeneratedFile[] = generatedFiles()): string[] {
  return files.filter(({ file, content }) => read(file) !== content).map(({ file }) => file);
}

if (require.main === module) {
  const files = generatedFiles();
  if (process.argv.includes("--write")) {
    for (const { file, content } of files) {
      fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
      fs.writeFileSync(path.join(ROOT, file), content);
    }
  } else {
    const stale = staleFiles(files);
    if (stale.length > 0) {
      process.stderr.write(`stale generated files (run: npm run generate):\n${stale.map((file) => `  ${file}\n`).join("")}`);
      process.exitCode = 1;
    }
  }
}
