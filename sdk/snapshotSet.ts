import * as pulumi from "@pulumi/pulumi";
import { snapshotSetProvider } from "./providerShim";
import { MODULE, type SnapshotSetMember, type SnapshotState, type Timeouts, type TimeoutsArgs } from "./types";
import { urnInput } from "./urn";

/** Inputs of a {@link SnapshotSet}. */
export interface SnapshotSetArgs {
  /** The instance whose EBS volumes to snapshot together, such as `i-0123456789abcdef0`. Changing it replaces the set. */
  instanceId: pulumi.Input<string>;
  /** Leave the root volume out of the set (default false). Changing it replaces the set. */
  excludeBootVolume?: pulumi.Input<boolean>;
  /**
   * Data volumes to leave out (at most 40, each attached to the instance, never the root volume: use
   * `excludeBootVolume` for that). Changing it replaces the set.
   */
  excludeDataVolumeIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Description of every snapshot of the set, at most 255 characters. Changing it replaces the set. */
  description?: pulumi.Input<string>;
  /** Copy each volume's tags to its snapshot (EC2 `CopyTagsFromSource: volume`). Changing it replaces the set. Default: false. */
  copyTagsFromSource?: pulumi.Input<boolean>;
  /** ARN of the AWS Outpost to store the snapshots on. Changing it replaces the set. */
  outpostArn?: pulumi.Input<string>;
  /**
   * Region of the instance. Defaults to the stack's `aws:region`, then to the AWS SDK's resolution
   * (AWS_REGION, profile). Changing it replaces the set. Leaving it out later never replaces the set:
   * the region it was made in stays in the `region` output.
   */
  region?: pulumi.Input<string>;
  /**
   * Tags applied to every snapshot of the set (at most 50). Updated in place on all of them. Limits: at
   * most 50 tags; each key at most 128 characters, not empty, and may not start with `aws:`; each value
   * at most 256 characters. The key `pulumi-ebs-snapshots:create-token` is reserved for the provider.
   */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Wait until every snapshot of the set is `completed` (default true). */
  waitForCompletion?: pulumi.Input<boolean>;
  /** The provider's own deadlines for create, update and delete. */
  timeouts?: pulumi.Input<TimeoutsArgs>;
}

/**
 * A crash-consistent snapshot of all (or chosen) EBS volumes of an instance, taken in one EC2
 * CreateSnapshots call. All or nothing: if any snapshot of the set fails, every snapshot of it is
 * deleted and the create fails with each volume's reason.
 */
export class SnapshotSet extends pulumi.dynamic.Resource {
  /** The instance whose volumes the set covers. */
  declare public readonly instanceId: pulumi.Output<string>;
  /** Whether the root volume was left out, as given. */
  declare public readonly excludeBootVolume: pulumi.Output<boolean | undefined>;
  /** The data volumes left out, as given. */
  declare public readonly excludeDataVolumeIds: pulumi.Output<string[] | undefined>;
  /** The description of every snapshot of the set, as given. */
  declare public readonly description: pulumi.Output<string | undefined>;
  /** Whether each volume's tags were copied to its snapshot, as given. */
  declare public readonly copyTagsFromSource: pulumi.Output<boolean | undefined>;
  /** The Outpost the snapshots are stored on, as given. */
  declare public readonly outpostArn: pulumi.Output<string | undefined>;
  /** Whether create waits for every snapshot to be `completed`, as given. */
  declare public readonly waitForCompletion: pulumi.Output<boolean | undefined>;
  /** The provider's own deadlines, as given. */
  declare public readonly timeouts: pulumi.Output<Timeouts | undefined>;
  /** The ids of the set's snapshots, one per volume. */
  declare public readonly snapshotIds: pulumi.Output<string[]>;
  /** One entry per volume: snapshot id, volume id, device name, size, encryption, state, progress, tags, product codes. */
  declare public readonly snapshots: pulumi.Output<SnapshotSetMember[]>;
  /** `pending` while any snapshot is pending, `error` if any failed, `completed` when all are. */
  declare public readonly state: pulumi.Output<SnapshotState>;
  /** True only if every snapshot of the set is encrypted. */
  declare public readonly encrypted: pulumi.Output<boolean>;
  /** The tags applied to every snapshot; each snapshot's actual tags are in `snapshots[].tags`. */
  declare public readonly tags: pulumi.Output<Record<string, string>>;
  /** The region the set lives in. */
  declare public readonly region: pulumi.Output<string>;
  /** Snapshots of the set deleted outside Pulumi (present after a refresh finds some missing). */
  declare public readonly missingSnapshotIds: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: SnapshotSetArgs, opts?: pulumi.CustomResourceOptions) {
    // A fresh object each time: the Resource constructor writes __provider into it.
    const props = {
      snapshotIds: undefined,
      snapshots: undefined,
      state: undefined,
      encrypted: undefined,
      tags: undefined,
      region: undefined,
      missingSnapshotIds: undefined,
      excludeBootVolume: undefined,
      excludeDataVolumeIds: undefined,
      description: undefined,
      copyTagsFromSource: undefined,
      outpostArn: undefined,
      waitForCompletion: undefined,
      timeouts: undefined,
      ...args,
      __logicalName: name,
      __urn: urnInput(name, "SnapshotSet", opts),
    };
    super(snapshotSetProvider, name, props, opts, MODULE, "SnapshotSet");
  }
}
