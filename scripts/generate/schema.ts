/** schema.json, the published contract: the plugin's package schema (provider/schema/packageSchema.ts). */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceSpec } from "../../provider/inputs/spec";
import { packageSchema, type PackageManifest } from "../../provider/schema/packageSchema";

export const ROOT = path.join(__dirname, "..", "..", "..");

export function renderSchema(specs: readonly ResourceSpec[]): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as PackageManifest;
  return `${JSON.stringify(packageSchema(specs, manifest), null, 2)}\n`;
}
