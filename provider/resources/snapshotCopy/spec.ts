/** The `SnapshotCopy` resource, described once: scripts/generate.ts derives schema.json and the SDK class from it. */
import { commonInputs } from "../../inputs/commonInputs";
import { tierInputs } from "../../inputs/protectionInputs";
import { resourceSpec, t } from "../../inputs/spec";
import { snapshotOutputSpecs } from "../snapshotOutputSpecs";

const common = commonInputs({
  description: "Description of the copy, at most 255 characters. EC2's default names the source. Changing it replaces the copy.",
  outpostArn: "ARN of the AWS Outpost to copy the snapshot to (CopySnapshot's DestinationOutpostArn). Changing it replaces the copy.",
  region:
    "The destination region, where the copy is made and lives. Defaults to the provider's region (the stack's `aws:region` on the dynamic face; `ebs-snapshots:region` or an explicit provider's `region` on the plugin face), then to the AWS SDK's resolution (AWS_REGION, profile). Changing it replaces the copy. Leaving it out later never replaces the copy.",
  tags: "Tags of the copy. Updated in place. They win over tags copied from the source with the same key. Limits: at most 50 tags; each key at most 128 characters, not empty, and may not start with `aws:`; each value at most 256 characters. The key `pulumi-ebs-snapshots:create-token` is reserved for the provider.",
  waitForCompletion:
    "Wait until EC2 reports the copy `completed` (default true). With false, create returns as soon as EC2 accepted the copy, in state `pending`. Updated in place.",
});

export const SNAPSHOT_COPY_SPEC = resourceSpec({
  typeName: "SnapshotCopy",
  description:
    "A copy of an EBS snapshot (EC2 CopySnapshot), within a region or across regions, of this account's snapshot or of one another account shared with it; re-encrypted with another KMS key if asked, and time-based if `completionDurationMinutes` is given. Create waits through `pending` in the destination region.\n\nA copy of an encrypted snapshot is always encrypted. A KMS key that does not exist or is not granted to this account shows only later, as the copy ending in `error`.",
  inputs: {
    sourceSnapshotId: {
      type: t.string,
      required: true,
      change: "replace",
      rule: "snapshotId",
      doc: "The snapshot to copy, such as `snap-0123456789abcdef0`. Changing it replaces the copy.",
    },
    sourceRegion: {
      type: t.string,
      change: "replace",
      // Recorded as resolved; a program that leaves it out must not replace the copy because of it.
      onlyWhenGiven: true,
      rule: "region",
      doc: "The region the source snapshot is in. Defaults to the destination region. Changing it replaces the copy; leaving it out later does not.",
    },
    encrypted: {
      type: t.boolean,
      change: "replace",
      // The output is what EC2 reports (true under an account's encryption by default, too).
      onlyWhenGiven: true,
      rule: "boolean",
      doc: "Encrypt the copy (with `kmsKeyId`, or the account's default EBS key). A copy of an encrypted source is encrypted whatever this says, so `false` is refused for one. Changing it replaces the copy.",
    },
    kmsKeyId: {
      type: t.string,
      change: "replace",
      // Left out, the output is the key EC2 chose.
      onlyWhenGiven: true,
      rule: "kmsKeyId",
      doc: "The KMS key (id, alias or ARN) to encrypt the copy with; needs `encrypted: true`. Changing it replaces the copy.",
    },
    completionDurationMinutes: {
      type: t.integer,
      change: "replace",
      rule: "completionMinutes",
      doc: "Makes a time-based copy that EC2 completes within this many minutes: 15 to 2880, in steps of 15. The default create deadline is at least this plus 30 minutes. Changing it replaces the copy.",
    },
    copyTagsFromSource: {
      type: t.boolean,
      change: "replace",
      default: false,
      rule: "boolean",
      doc: "Copy the source snapshot's tags to the copy (EC2 itself does not); `tags` win on the same key. Changing it replaces the copy.",
    },
    ...common,
    ...tierInputs,
  },
  outputs: {
    sourceSnapshotId: { echo: true, doc: "The snapshot copied." },
    sourceRegion: { type: t.string, required: true, doc: "The region of the source snapshot, as resolved when the copy was made." },
    description: { echo: true, doc: "The description of the copy, as given." },
    completionDurationMinutes: { echo: true, doc: "The time-based copy's completion duration, as given." },
    copyTagsFromSource: { echo: true, doc: "Whether the source's tags were copied, as given." },
    outpostArn: { echo: true, doc: "The Outpost the copy is stored on, as given." },
    waitForCompletion: { echo: true, doc: "Whether create waits for `completed`, as given." },
    timeouts: { echo: true, doc: "The provider's own deadlines, as given." },
    ...snapshotOutputSpecs({
      encrypted: "True when the copy is encrypted (always, for a copy of an encrypted snapshot).",
      kmsKeyId: "ARN of the KMS key that protects the copy, when EC2 reports it; otherwise the key given.",
      volumeSize: "Size of the source snapshot's volume, GiB.",
      productCodes: "Marketplace product codes of the copy (DescribeSnapshotAttribute). Empty when there are none.",
      tags: "The copy's tags as EC2 has them, so that changes made outside Pulumi show as drift. AWS's own `aws:` tags and the provider's create token are left out.",
      region: "The region the copy lives in.",
    }),
    transferType: { type: t.string, doc: "`standard` or `time-based`, when EC2 reports it." },
  },
});
