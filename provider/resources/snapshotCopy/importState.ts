import type { Ec2 } from "../../ec2/ec2";
import { ExplainedError } from "../../messages/failureMessage";

/** `<copy id>`, or `<copy id>:<source snapshot id>`, or `<copy id>:<source snapshot id>:<source region>`. */
const IMPORT_ID = /^(snap-[0-9a-f]+)(?::(snap-[0-9a-f]+)(?::([a-z0-9-]+))?)?$/;
/** The description EC2 gives a copy made without one. */
const COPIED = /^\[Copied (snap-[0-9a-f]+) from ([a-z0-9-]+)\]$/;

/** The copy's own snapshot id in an import id (or a recorded id, which is the copy's id alone). */
export function copySnapshotIdOf(id: string): string {
  return id.split(":")[0];
}

/**
 * What `pulumi import` of a copy records: its source, which EC2 keeps nowhere but in the description
 * it gives a copy made without one. For a copy described otherwise, the import id names the source.
 */
export async function copyImportState(id: string, ec2: Ec2): Promise<Record<string, unknown>> {
  const parts = IMPORT_ID.exec(id);
  if (parts === null) {
    throw new ExplainedError(
      `${JSON.stringify(id)} is not an import id of a SnapshotCopy`,
      "import it by the copy's snapshot id (snap-…), adding its source as snap-copy:snap-source or snap-copy:snap-source:source-region when the copy has a description of its own",
    );
  }
  const [, copyId, sourceId, sourceRegion] = parts;
  if (sourceId !== undefined) {
    return { sourceSnapshotId: sourceId, ...(sourceRegion !== undefined ? { sourceRegion } : {}) };
  }
  const copy = await ec2.describeAnySnapshot(copyId);
  const copied = COPIED.exec(copy?.Description ?? "");
  if (copied === null) {
    throw new ExplainedError(
      `snapshot ${copyId} does not say which snapshot it copies: its description is ${JSON.stringify(copy?.Description ?? "")}, not EC2's "[Copied snap-… from <region>]"`,
      `import it as ${copyId}:<source snapshot id>, or ${copyId}:<source snapshot id>:<source region> for a source in another region`,
    );
  }
  return { sourceSnapshotId: copied[1], ...(copied[2] !== ec2.region ? { sourceRegion: copied[2] } : {}) };
}
