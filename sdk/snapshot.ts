import * as pulumi from "@pulumi/pulumi";
import { snapshotProvider } from "./providerShim";
import { MODULE, type ProductCode, type SnapshotState, type Timeouts, type TimeoutsArgs } from "./types";
import { urnInput } from "./urn";

/** Inputs of a {@link Snapshot}. */
export interface SnapshotArgs {
  /** The EBS volume to snapshot, such as `vol-0123456789abcdef0`. Changing it replaces the snapshot. */
  volumeId: pulumi.Input<string>;
  /** Description of the snapshot, at most 255 characters. Changing it replaces the snapshot. */
  description?: pulumi.Input<string>;
  /** ARN of the AWS Outpost to store the snapshot on, for a volume on an Outpost. Changing it replaces the snapshot. */
  outpostArn?: pulumi.Input<string>;
  /**
   * Region of the volume. Defaults to the stack's `aws:region`, then to the AWS SDK's resolution
   * (AWS_REGION, profile). Changing it replaces the snapshot. Leaving it out later never replaces the
   * snapshot: the region it was made in stays in the `region` output.
   */
  region?: pulumi.Input<string>;
  /**
   * Tags of the snapshot (at most 50; keys may not start with `aws:`). Updated in place. Limits: at most
   * 50 tags; each key at most 128 characters, not empty, and may not start with `aws:`; each value at
   * most 256 characters. The key `pulumi-ebs-snapshots:create-token` is reserved for the provider.
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Wait until EC2 reports the snapshot `completed` (default true). With false, create returns as soon
   * as EC2 accepted the snapshot, in state `pending`.
   */
  waitForCompletion?: pulumi.Input<boolean>;
  /** The provider's own deadlines for create, update and delete. */
  timeouts?: pulumi.Input<TimeoutsArgs>;
}

/**
 * A point-in-time snapshot of one EBS volume (EC2 CreateSnapshot). Create waits through `pending` with
 * backoff; encryption, KMS key, tags and product codes are outputs.
 */
export class Snapshot extends pulumi.dynamic.Resource {
  /** The snapshotted volume. */
  declare public readonly volumeId: pulumi.Output<string>;
  /** The description of the snapshot, as given. */
  declare public readonly description: pulumi.Output<string | undefined>;
  /** The Outpost the snapshot is stored on, as given. */
  declare public readonly outpostArn: pulumi.Output<string | undefined>;
  /** Whether create waits for `completed`, as given. */
  declare public readonly waitForCompletion: pulumi.Output<boolean | undefined>;
  /** The provider's own deadlines, as given. */
  declare public readonly timeouts: pulumi.Output<Timeouts | undefined>;
  /** The snapshot id, `snap-...` (also the resource's id). */
  declare public readonly snapshotId: pulumi.Output<string>;
  /** `arn:aws:ec2:<region>::snapshot/<id>`. */
  declare public readonly arn: pulumi.Output<string>;
  /** `pending`, `completed` or `error` (also `recoverable`/`recovering` for archived snapshots). */
  declare public readonly state: pulumi.Output<SnapshotState>;
  /** EC2's explanation when the snapshot failed. */
  declare public readonly stateMessage: pulumi.Output<string | undefined>;
  /** Percent complete, 0-100. */
  declare public readonly progress: pulumi.Output<number | undefined>;
  /** True when the snapshot is encrypted (always, for a snapshot of an encrypted volume). */
  declare public readonly encrypted: pulumi.Output<boolean | undefined>;
  /** ARN of the KMS key that protects the snapshot. */
  declare public readonly kmsKeyId: pulumi.Output<string | undefined>;
  /** The data encryption key identifier, when EC2 reports one. */
  declare public readonly dataEncryptionKeyId: pulumi.Output<string | undefined>;
  /** The AWS account that owns the snapshot. */
  declare public readonly ownerId: pulumi.Output<string | undefined>;
  /** The AWS owner alias (such as `amazon`), when EC2 reports one. */
  declare public readonly ownerAlias: pulumi.Output<string | undefined>;
  /** Size of the snapshotted volume, GiB. */
  declare public readonly volumeSize: pulumi.Output<number | undefined>;
  /** ISO 8601 time the snapshot was started. */
  declare public readonly startTime: pulumi.Output<string | undefined>;
  /** ISO 8601 time the snapshot completed, when EC2 reports it. */
  declare public readonly completionTime: pulumi.Output<string | undefined>;
  /** `standard` or `archive`, when EC2 reports it. */
  declare public readonly storageTier: pulumi.Output<string | undefined>;
  /** Marketplace product codes propagated from the volume (DescribeSnapshotAttribute). */
  declare public readonly productCodes: pulumi.Output<ProductCode[]>;
  /** The snapshot's tags as EC2 has them, so that changes made outside Pulumi show as drift. */
  declare public readonly tags: pulumi.Output<Record<string, string>>;
  /** The region the snapshot lives in. */
  declare public readonly region: pulumi.Output<string>;

  constructor(name: string, args: SnapshotArgs, opts?: pulumi.CustomResourceOptions) {
    // A fresh object each time: the Resource constructor writes __provider into it.
    const props = {
      snapshotId: undefined,
      arn: undefined,
      state: undefined,
      stateMessage: undefined,
      progress: undefined,
      encrypted: undefined,
      kmsKeyId: undefined,
      dataEncryptionKeyId: undefined,
      ownerId: undefined,
      ownerAlias: undefined,
      volumeSize: undefined,
      startTime: undefined,
      completionTime: undefined,
      storageTier: undefined,
      productCodes: undefined,
      tags: undefined,
      region: undefined,
      description: undefined,
      outpostArn: undefined,
      waitForCompletion: undefined,
      timeouts: undefined,
      ...args,
      __logicalName: name,
      __urn: urnInput(name, "Snapshot", opts),
    };
    super(snapshotProvider, name, props, opts, MODULE, "Snapshot");
  }
}
