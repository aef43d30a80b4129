/** The `VolumeSet` resource, described once: scripts/generate.ts derives schema.json and the SDK class from it. */
import { commonInputs } from "../../inputs/commonInputs";
import { enumType, objectType, resourceSpec, t } from "../../inputs/spec";
import { INITIALIZATION_RATE, VOLUME_TYPES } from "../../inputs/volumeTypes";

export const VOLUME_TYPE = enumType({
  name: "VolumeType",
  description: "An EBS volume type.",
  values: VOLUME_TYPES.map((value) => ({ value, doc: `The \`${value}\` volume type.` })),
});

export const VOLUME_SET_ENTRY = objectType({
  name: "VolumeSetEntry",
  description: "One snapshot to restore as a volume. A `SnapshotSet`'s `snapshots` output can be passed as it is: its other fields are ignored.",
  properties: {
    snapshotId: { type: t.string, required: true, doc: "The snapshot to restore, `snap-...`, `completed` and in the standard tier." },
    deviceName: { type: t.string, doc: "The device name to attach the volume at, such as `/dev/sdf`: the device it had when the set was taken. Required when `attach` is given." },
    sizeGiB: { type: t.integer, doc: "The volume's size, GiB: at least the snapshot's volume size (the default). Growing it later is done in place." },
  },
});

export const ATTACH = objectType({
  name: "VolumeSetAttach",
  description: "Where the restored volumes are attached.",
  properties: {
    instanceId: {
      type: t.string,
      required: true,
      doc: "The instance to attach every volume to, in `availabilityZone`. Changing it detaches the volumes and attaches them to the new instance.",
    },
    forceDetachOnDelete: {
      type: t.boolean,
      default: false,
      doc: "Force the detach when the set is deleted (EC2 `Force`), which can lose data the instance has not flushed. Default false: a plain detach, which waits for the instance to let go.",
    },
  },
});

export const INITIALIZATION = objectType({
  name: "VolumeSetInitialization",
  description: "How fast the restored volumes fill from their snapshots, a trade-off between restore speed and cost. Without it, blocks load lazily on first read.",
  properties: {
    rateMiBps: {
      type: t.integer,
      doc: `EC2's volume initialization rate (\`VolumeInitializationRate\`), ${INITIALIZATION_RATE.min} to ${INITIALIZATION_RATE.max} MiB/s, billed per volume while initializing.`,
    },
    fastSnapshotRestore: {
      type: t.boolean,
      doc: "Enable fast snapshot restore for the snapshots in `availabilityZone`, wait until it is `enabled`, create the volumes fully initialized, then disable it again, so it is billed only while the restore runs (per snapshot and zone, for each minute it is enabled, with a one-hour minimum).",
    },
  },
});

export const VOLUME_SET_VOLUME = objectType({
  name: "VolumeSetVolume",
  description: "One restored volume of a `VolumeSet`.",
  properties: {
    volumeId: { type: t.string, required: true, doc: "The volume id, `vol-...`." },
    snapshotId: { type: t.string, required: true, doc: "The snapshot it was restored from." },
    deviceName: { type: t.string, doc: "The device it is attached at, or will be." },
    state: { type: t.string, required: true, doc: "EC2's volume state: `creating`, `available`, `in-use`, `deleting`, `deleted` or `error`." },
    attachmentState: { type: t.string, doc: "`attaching`, `attached`, `detaching` or `detached`, when `attach` is given." },
    sizeGiB: { type: t.integer, doc: "The volume's size, GiB." },
    volumeType: { type: t.string, doc: "The volume's type." },
    iops: { type: t.integer, doc: "Provisioned IOPS, where the type has them." },
    throughput: { type: t.integer, doc: "Provisioned throughput, MiB/s (gp3)." },
    encrypted: { type: t.boolean, doc: "True when the volume is encrypted." },
    kmsKeyId: { type: t.string, doc: "ARN of the KMS key that protects the volume." },
    initializationType: { type: t.string, doc: "How EC2 initializes the volume (`default`, `provisioned-rate`), where DescribeVolumeStatus reports it." },
    initializationProgress: { type: t.integer, doc: "Percent of the volume initialized, where DescribeVolumeStatus reports it." },
    initializationState: { type: t.string, doc: "`initializing` or `completed`, where DescribeVolumeStatus reports it." },
  },
});

const common = commonInputs({
  description: "Unused.",
  outpostArn: "Unused.",
  region:
    "Region of the snapshots and of the volumes. Defaults to the provider's region (the stack's `aws:region` on the dynamic face; `ebs-snapshots:region` or an explicit provider's `region` on the plugin face), then to the AWS SDK's resolution. Changing it replaces the set.",
  tags: "Tags applied to every volume (at most 50). Updated in place. Limits: at most 50 tags; each key at most 128 characters, not empty, and may not start with `aws:`; each value at most 256 characters. The key `pulumi-ebs-snapshots:create-token` is reserved for the provider.",
  waitForCompletion:
    "Wait until every volume is `available` and, with `attach`, attached (default true). With false, create returns once every volume is requested, and the next `pulumi up` with it true attaches them. Updated in place.",
});

export const VOLUME_SET_SPEC = resourceSpec({
  typeName: "VolumeSet",
  description:
    "Restores snapshots, typically a `SnapshotSet`'s, as a set of EBS volumes in one availability zone (EC2 CreateVolume), attached to an instance at the devices they had (AttachVolume). All or nothing: if any volume fails, every volume this create made is detached and deleted, and the create fails with each volume's reason. Before anything is made, every snapshot is checked (`completed`, not archived, in the region) and so are the instance's zone and free device names.\n\nA set restores at most 40 volumes. Deleting it detaches the volumes, then deletes them.",
  inputs: {
    snapshots: {
      type: t.list(t.object(VOLUME_SET_ENTRY)),
      required: true,
      change: "replace",
      rule: "restoreEntries",
      doc: "The snapshots to restore, one volume each: `{snapshotId, deviceName?, sizeGiB?}`. A `SnapshotSet`'s `snapshots` output can be passed as it is. At most 40 entries, no snapshot twice, no device name twice. Changing it replaces the set, except that a larger `sizeGiB` grows the volume in place.",
    },
    availabilityZone: {
      type: t.string,
      required: true,
      change: "replace",
      rule: "availabilityZone",
      doc: "The availability zone of the volumes, such as `us-east-1a`, in the region. Changing it replaces the set.",
    },
    volumeType: {
      type: t.enum(VOLUME_TYPE),
      change: "update",
      default: "gp3",
      rule: "volumeType",
      doc: "The volumes' type (default `gp3`). Changed in place with ModifyVolume.",
    },
    iops: {
      type: t.integer,
      change: "update",
      rule: "wholeNumber",
      doc: "Provisioned IOPS per volume: gp3 3000 to 80000 (500 per GiB above 3000), io1 100 to 64000 (50 per GiB), io2 100 to 256000 (1000 per GiB); required for io1 and io2, refused for the others. Changed in place with ModifyVolume.",
    },
    throughput: {
      type: t.integer,
      change: "update",
      rule: "wholeNumber",
      doc: "Provisioned throughput per volume, MiB/s: gp3 only, 125 to 2000, and no more than 0.25 MiB/s per provisioned IOPS. Changed in place with ModifyVolume.",
    },
    encrypted: {
      type: t.boolean,
      change: "replace",
      rule: "boolean",
      doc: "Encrypt the volumes. A volume restored from an encrypted snapshot is always encrypted, so false is refused for one. Changing it replaces the set.",
    },
    kmsKeyId: {
      type: t.string,
      change: "replace",
      absent: "",
      rule: "kmsKeyId",
      doc: "The KMS key to encrypt the volumes with (re-encrypting at restore); implies `encrypted`. Changing it replaces the set.",
    },
    copyTagsFromSnapshots: {
      type: t.boolean,
      change: "update",
      default: false,
      rule: "boolean",
      doc: "Give each volume its snapshot's tags (the program's `tags` win on the same key). Default false. Updated in place.",
    },
    attach: {
      type: t.object(ATTACH),
      change: "update",
      absent: {},
      rule: "attach",
      doc: "Attach every volume to this instance at its entry's `deviceName`. The instance must be in `availabilityZone` and every device name free on it, which is checked before any volume is made. Changing the instance detaches and attaches in place.",
    },
    initialization: {
      type: t.object(INITIALIZATION),
      change: "update",
      absent: {},
      rule: "initialization",
      doc: `How the volumes are initialized from their snapshots: \`{rateMiBps}\` (EC2's volume initialization rate, ${INITIALIZATION_RATE.min} to ${INITIALIZATION_RATE.max} MiB/s) or \`{fastSnapshotRestore: true}\` (enabled for the restore only). It applies to the restore, so changing it later changes nothing in EC2 and replaces nothing.`,
    },
    region: common.region,
    tags: common.tags,
    waitForCompletion: common.waitForCompletion,
    timeouts: common.timeouts,
  },
  outputs: {
    snapshots: { echo: true, doc: "The snapshots restored, as given (only `snapshotId`, `deviceName` and `sizeGiB` of each entry are kept)." },
    availabilityZone: { echo: true, doc: "The volumes' availability zone." },
    volumeType: { echo: true, doc: "The volumes' type, as given." },
    iops: { echo: true, doc: "Provisioned IOPS, as given." },
    throughput: { echo: true, doc: "Provisioned throughput, as given." },
    encrypted: { echo: true, doc: "Whether encryption was asked for, as given; each volume's is in `volumes[].encrypted`." },
    kmsKeyId: { echo: true, doc: "The KMS key asked for, as given; each volume's key is in `volumes[].kmsKeyId`." },
    copyTagsFromSnapshots: { echo: true, doc: "Whether each volume has its snapshot's tags, as given." },
    attach: { echo: true, doc: "Where the volumes are attached, as given." },
    initialization: { echo: true, doc: "How the volumes were initialized, as given." },
    waitForCompletion: { echo: true, doc: "Whether create waits for every volume, as given." },
    timeouts: { echo: true, doc: "The provider's own deadlines, as given." },
    volumeIds: { type: t.list(t.string), required: true, doc: "The restored volumes' ids, in the order of `snapshots`." },
    volumes: { type: t.list(t.object(VOLUME_SET_VOLUME)), required: true, doc: "One entry per restored volume, in the order of `snapshots`." },
    state: {
      type: t.string,
      required: true,
      doc: "`creating` while any volume is being made, `error` if any failed, `in-use` when every volume is attached, `available` otherwise.",
    },
    tags: { type: t.map(t.string), required: true, doc: "The tags applied to every volume, as given." },
    region: { type: t.string, required: true, doc: "The region the volumes live in." },
    missingVolumeIds: {
      type: t.list(t.string),
      doc: "Volumes of the set deleted outside Pulumi (after a refresh finds some missing). A set that lost volumes is replaced whole on the next update.",
    },
  },
});
