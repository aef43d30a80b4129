/** The `SnapshotSet` resource, described once: scripts/generate.ts derives schema.json and the SDK class from it. */
import { commonInputs } from "../../inputs/commonInputs";
import { lockOutputSpecs } from "../../inputs/protectionInputs";
import { objectType, resourceSpec, t } from "../../inputs/spec";
import { PRODUCT_CODE, SNAPSHOT_STATE } from "../snapshotTypes";

export const SNAPSHOT_SET_MEMBER = objectType({
  name: "SnapshotSetMember",
  description: "One volume's snapshot within a `SnapshotSet`.",
  properties: {
    snapshotId: { type: t.string, required: true, doc: "The snapshot id, `snap-...`." },
    volumeId: { type: t.string, required: true, doc: "The snapshotted volume." },
    deviceName: { type: t.string, doc: "The volume's device name on the instance, such as `/dev/xvda`, when known." },
    volumeSize: { type: t.integer, doc: "Size of the snapshotted volume, GiB." },
    encrypted: { type: t.boolean, doc: "True when this snapshot is encrypted." },
    kmsKeyId: { type: t.string, doc: "ARN of the KMS key that protects this snapshot." },
    state: { type: t.enum(SNAPSHOT_STATE), required: true, doc: "The state of this snapshot." },
    stateMessage: { type: t.string, doc: "EC2's explanation when this snapshot failed." },
    progress: { type: t.number, doc: "Percent complete, 0-100." },
    startTime: { type: t.string, doc: "ISO 8601 time this snapshot was started." },
    tags: { type: t.map(t.string), required: true, doc: "This snapshot's tags as EC2 has them (`aws:` tags and the provider's create token left out)." },
    productCodes: { type: t.list(t.object(PRODUCT_CODE)), required: true, doc: "Marketplace product codes propagated from the volume." },
    lockState: { type: t.string, doc: "EC2's lock state of this snapshot, when locked." },
    lockExpiresOn: { type: t.string, doc: "ISO 8601 time this snapshot's lock expires, when known." },
  },
});

const common = commonInputs({
  description: "Description of every snapshot of the set, at most 255 characters. Changing it replaces the set.",
  outpostArn:
    "ARN of the AWS Outpost to store the snapshots on. Changing it replaces the set. Must be an Outpost ARN such as `arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0`.",
  region:
    "Region of the instance. Defaults to the provider's region (the stack's `aws:region` on the dynamic face; `ebs-snapshots:region` or an explicit provider's `region` on the plugin face), then to the AWS SDK's resolution (AWS_REGION, profile). Changing it replaces the set. Leaving it out later never replaces the set: the region it was made in stays in the `region` output.",
  tags: "Tags applied to every snapshot of the set (at most 50). Updated in place on all of them. Limits: at most 50 tags; each key at most 128 characters, not empty, and may not start with `aws:`; each value at most 256 characters. The key `pulumi-ebs-snapshots:create-token` is reserved for the provider.",
  waitForCompletion: "Wait until every snapshot of the set is `completed` (default true). Updated in place.",
});

export const SNAPSHOT_SET_SPEC = resourceSpec({
  typeName: "SnapshotSet",
  description:
    "A crash-consistent snapshot of all (or chosen) EBS volumes of an instance, taken in one EC2 CreateSnapshots call. All or nothing: if any snapshot of the set fails, every snapshot of it is deleted and the create fails with each volume's reason.\n\nA set covers at most 40 volumes. Instances with hibernation enabled cannot be snapshotted this way.",
  inputs: {
    instanceId: {
      type: t.string,
      required: true,
      change: "replace",
      rule: "instanceId",
      doc: "The instance whose EBS volumes to snapshot together, such as `i-0123456789abcdef0`. Changing it replaces the set. Must be `i-` followed by 8 or 17 hexadecimal digits.",
    },
    excludeBootVolume: {
      type: t.boolean,
      change: "replace",
      default: false,
      rule: "boolean",
      doc: "Leave the root volume out of the set (default false). Changing it replaces the set.",
    },
    excludeDataVolumeIds: {
      type: t.list(t.string),
      change: "replace",
      absent: [],
      unordered: true,
      rule: "excludedVolumes",
      doc: "Data volumes to leave out (at most 40, each attached to the instance, never the root volume: use `excludeBootVolume` for that). Changing it replaces the set. Limits: at most 40 volume ids, each a volume id, none listed twice. Order does not matter.",
    },
    description: common.description,
    copyTagsFromSource: {
      type: t.boolean,
      change: "replace",
      default: false,
      rule: "boolean",
      doc: "Copy each volume's tags to its snapshot (EC2 `CopyTagsFromSource: volume`). Changing it replaces the set. Default: false.",
    },
    outpostArn: common.outpostArn,
    region: common.region,
    tags: common.tags,
    waitForCompletion: common.waitForCompletion,
    timeouts: common.timeouts,
    sharing: common.sharing,
    lock: common.lock,
  },
  outputs: {
    instanceId: { echo: true, doc: "The instance whose volumes the set covers." },
    excludeBootVolume: { echo: true, doc: "Whether the root volume was left out, as given." },
    excludeDataVolumeIds: { echo: true, doc: "The data volumes left out, as given." },
    description: { echo: true, doc: "The description of every snapshot of the set, as given." },
    copyTagsFromSource: { echo: true, doc: "Whether each volume's tags were copied to its snapshot, as given." },
    outpostArn: { echo: true, doc: "The Outpost the snapshots are stored on, as given." },
    waitForCompletion: { echo: true, doc: "Whether create waits for every snapshot to be `completed`, as given." },
    timeouts: { echo: true, doc: "The provider's own deadlines, as given." },
    snapshotIds: { type: t.list(t.string), required: true, doc: "The ids of the set's snapshots, one per volume." },
    snapshots: {
      type: t.list(t.object(SNAPSHOT_SET_MEMBER)),
      required: true,
      doc: "One entry per volume: snapshot id, volume id, device name, size, encryption, state, progress, tags, product codes.",
    },
    state: { type: t.enum(SNAPSHOT_STATE), required: true, doc: "`pending` while any snapshot is pending, `error` if any failed, `completed` when all are." },
    encrypted: { type: t.boolean, required: true, doc: "True only if every snapshot of the set is encrypted." },
    tags: { type: t.map(t.string), required: true, doc: "The tags applied to every snapshot; each snapshot's actual tags are in `snapshots[].tags`." },
    sharing: { echo: true, doc: "The sharing asked for every snapshot of the set, as given." },
    sharedWithAccounts: {
      type: t.list(t.string),
      doc: "Every account EC2 says may create volumes from any snapshot of the set, read back on refresh so that changes made outside Pulumi show. Present when the program declares `sharing`, or when a snapshot of the set is public; otherwise left out (the accounts were not read), never stale.",
    },
    public: {
      type: t.boolean,
      doc: "True when EC2 says anyone may create volumes from any snapshot of the set; read on every refresh, whether or not the program declares `sharing`.",
    },
    ...lockOutputSpecs(),
    region: { type: t.string, required: true, doc: "The region the set lives in." },
    missingSnapshotIds: {
      type: t.list(t.string),
      doc: "Snapshots of the set deleted outside Pulumi (present after a refresh finds some missing). A set with missing snapshots is replaced on the next update, because it is no longer one crash-consistent set.",
    },
  },
});
