/**
 * The one table the demo prints itself, clearly as its own: one row per snapshot the state records, read
 * from `pulumi stack export`. Everything else the demo shows is the Pulumi CLI's own output.
 */

/** A resource as `pulumi stack export` records it. */
export interface ExportedSnapshotResource {
  urn: string;
  outputs?: Record<string, unknown>;
}

function text(value: unknown): string {
  if (value === undefined || value === null) {
    return "-";
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? "-" : value.map((v) => (typeof v === "object" && v !== null ? String((v as Record<string, unknown>).productCodeId) : String(v))).join(",");
  }
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    "  " +
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/** One row per snapshot: resource, id, volume, device, state, encryption, KMS key, tags, product codes. */
export function snapshotTable(resources: readonly ExportedSnapshotResource[]): string[] {
  const rows: string[][] = [];
  for (const resource of resources) {
    const name = resource.urn.split("::").pop() ?? resource.urn;
    const out = resource.outputs ?? {};
    const isSet = Array.isArray(out.snapshots);
    const members = isSet ? (out.snapshots as Record<string, unknown>[]) : [out];
    for (const m of members) {
      const kms = typeof m.kmsKeyId === "string" ? `…${m.kmsKeyId.slice(-12)}` : "-";
      rows.push([name, text(m.snapshotId), text(m.volumeId), text(isSet ? m.deviceName : undefined), text(m.state), text(m.encrypted), kms, text(m.tags), text(m.productCodes)]);
    }
  }
  return table(["resource", "snapshot", "volume", "device", "state", "encrypted", "kms key", "tags", "product codes"], rows);
}
