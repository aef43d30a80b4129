import type { Deployment, Step } from "../tests/support/deployment";
import type { JsonObject, JsonValue } from "../tests/support/providerHost";

/** How the demo prints what Pulumi would print: plans, steps and outputs, without the Pulumi CLI. */

const SYMBOL: Record<Step["op"], string> = { create: "+", update: "~", replace: "+-", same: " ", delete: "-", refresh: "~" };

export function typeAndName(urn: string): { type: string; name: string } {
  const [, typePart = "", name = ""] = urn.split("::").slice(1);
  return { type: typePart.replace("pulumi-nodejs:dynamic/", ""), name };
}

/** Input keys whose values differ, as the CLI lists them after "[diff: ...]". */
export function changedKeys(before: JsonObject | undefined, after: JsonObject | undefined): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...keys].filter((k) => !k.startsWith("__") && JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k])).sort();
}

export function planLines(steps: Step[], diffs: ReadonlyMap<string, string[]>): string[] {
  const lines = steps.map((step) => {
    const { type, name } = typeAndName(step.urn);
    const diff = diffs.get(step.urn) ?? [];
    const detail = step.op === "update" || step.op === "replace" ? `  [diff: ${diff.map((k) => `~${k}`).join(", ")}]` : "";
    const failed = step.ok ? "" : `  FAILED: ${step.error?.message ?? "unknown error"}`;
    return `  ${SYMBOL[step.op].padEnd(2)} ${type.padEnd(29)} ${name.padEnd(12)} ${step.op}${detail}${failed}`;
  });
  const counts = new Map<string, number>();
  steps.forEach((s) => counts.set(s.op, (counts.get(s.op) ?? 0) + 1));
  const summary = [...counts].map(([op, n]) => `${n} to ${op}`).join(", ");
  return [...lines, `Resources: ${summary || "no changes"}`];
}

function text(value: JsonValue | undefined): string {
  if (value === undefined || value === null) {
    return "-";
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value);
    return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k}=${String(v)}`).join(" ");
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? "-" : value.map((v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? String(v.productCodeId) : String(v))).join(",");
  }
  return String(value);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => "  " + cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/** One row per snapshot: ids, state, encryption, KMS key, tags and product codes. */
export function outputTable(deployment: Deployment): string[] {
  const rows: string[][] = [];
  for (const [urn, resource] of Object.entries(deployment.state.resources)) {
    const { name } = typeAndName(urn);
    const out = resource.outputs;
    const members = Array.isArray(out.snapshots) ? (out.snapshots as JsonObject[]) : [out];
    for (const m of members) {
      const kms = m.kmsKeyId === undefined ? "-" : `…${String(m.kmsKeyId).slice(-12)}`;
      rows.push([name, text(m.snapshotId), text(m.volumeId), text(m.deviceName ?? (Array.isArray(out.snapshots) ? undefined : "-")), text(m.state), text(m.encrypted), kms, text(m.tags), text(m.productCodes)]);
    }
  }
  return table(["resource", "snapshot", "volume", "device", "state", "encrypted", "kms key", "tags", "product codes"], rows);
}
