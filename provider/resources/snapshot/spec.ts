/** The `Snapshot` resource, described once: scripts/generate.ts derives schema.json and the SDK class from it. */
import { commonInputs } from "../../inputs/commonInputs";
import { tierInputs } from "../../inputs/protectionInputs";
import { resourceSpec, t } from "../../inputs/spec";
import { snapshotOutputSpecs } from "../snapshotOutputSpecs";

const common = commonInputs({
  description: "Description of the snapshot, at most 255 characters. Changing it replaces the snapshot.",
  outpostArn:
    "ARN of the AWS Outpost to store the snapshot on, for a volume on an Outpost. Changing it replaces the snapshot. Must be an Outpost ARN such as `arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0`.",
  region:
    "Region of the volume. Defaults to the provider's region (the stack's `aws:region` on the dynamic face; `ebs-snapshots:region` or an explicit provider's `region` on the plugin face), then to the AWS SDK's resolution (AWS_REGION, profile). Changing it replaces the snapshot. Leaving it out later never replaces the snapshot: the region it was made in stays in the `region` output.",
  tags: "Tags of the snapshot (at most 50; keys may not start with `aws:`). Updated in place. Limits: at most 50 tags; each key at most 128 characters, not empty, and may not start with `aws:`; each value at most 256 characters. The key `pulumi-ebs-snapshots:create-token` is reserved for the provider.",
  waitForCompletion:
    "Wait until EC2 reports the snapshot `completed` (default true). With false, create returns as soon as EC2 accepted the snapshot, in state `pending`. Updated in place; a snapshot still `pending` in state is waited for again on the next update while this is true.",
});

export const SNAPSHOT_SPEC = resourceSpec({
  typeName: "Snapshot",
  description:
    "A point-in-time snapshot of one EBS volume (EC2 CreateSnapshot). Create waits through `pending` with backoff; encryption, KMS key, tags and product codes are outputs.\n\nA snapshot captures only what has reached the volume: for a consistent snapshot of an attached volume, pause writes or stop the instance, above all for a root volume. Snapshots of encrypted volumes are encrypted.",
  inputs: {
    volumeId: {
      type: t.string,
      required: true,
      change: "replace",
      rule: "volumeId",
      doc: "The EBS volume to snapshot, such as `vol-0123456789abcdef0`. Changing it replaces the snapshot. Must be `vol-` followed by 8 or 17 hexadecimal digits.",
    },
    ...common,
    ...tierInputs,
  },
  outputs: {
    volumeId: { echo: true, doc: "The snapshotted volume." },
    description: { echo: true, doc: "The description of the snapshot, as given." },
    outpostArn: { echo: true, doc: "The Outpost the snapshot is stored on, as given." },
    waitForCompletion: { echo: true, doc: "Whether create waits for `completed`, as given." },
    timeouts: { echo: true, doc: "The provider's own deadlines, as given." },
    ...snapshotOutputSpecs({
      encrypted: "True when the snapshot is encrypted (always, for a snapshot of an encrypted volume).",
      kmsKeyId: "ARN of the KMS key that protects the snapshot.",
      volumeSize: "Size of the snapshotted volume, GiB.",
      productCodes: "Marketplace product codes propagated from the volume (DescribeSnapshotAttribute). Empty when there are none.",
      tags: "The snapshot's tags as EC2 has them, so that changes made outside Pulumi show as drift. AWS's own `aws:` tags and the provider's create token are left out.",
      region: "The region the snapshot lives in.",
    }),
  },
});
