/**
 * What the mocked engine answers when an example registers a resource: a made-up id and state shaped like
 * the real provider's outputs (schema.json; examples.test.ts checks them with assertMatchesSchema), so
 * that the examples' exports see realistic values.
 */

export interface RegisteredResource {
  type: string;
  name: string;
  custom: boolean;
  /** The inputs as the engine received them, without the serialized `__provider`. */
  inputs: Record<string, unknown>;
  /** Whether a serialized dynamic provider (`__provider`) came with the inputs. */
  hasProvider: boolean;
  id: string;
  state: Record<string, unknown>;
}

export interface MockedCall {
  token: string;
  inputs: Record<string, unknown>;
}

export const SNAPSHOT_TOKEN = "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot";
export const SNAPSHOT_SET_TOKEN = "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet";
export const SNAPSHOT_COPY_TOKEN = "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotCopy";
export const VOLUME_SET_TOKEN = "pulumi-nodejs:dynamic/ebs-snapshots:VolumeSet";
export const VOLUME_TOKEN = "aws:ebs/volume:Volume";

export const MOCK_REGION = "us-west-2";
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_KMS_KEY = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
/** The volume the mocked aws.ebs.Volume gets. */
export const MOCK_VOLUME_ID = "vol-0aaaaaaaaaaaaaaa1";
/** The volumes the mocked instance of a SnapshotSet has: root first. */
export const MOCK_INSTANCE_VOLUMES = [
  { volumeId: "vol-0bbbbbbbbbbbbbbb1", deviceName: "/dev/xvda", volumeSize: 8 },
  { volumeId: "vol-0bbbbbbbbbbbbbbb2", deviceName: "/dev/sdf", volumeSize: 100 },
];

/** A deterministic 17-hex-digit suffix from a name, so ids are stable between runs. */
function hexId(prefix: string, seed: string): string {
  let hash = 0x811c9dc5;
  for (const ch of seed) {
    hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  }
  return `${prefix}-${hash.toString(16).padStart(8, "0")}${"0".repeat(9)}`;
}

function stringMap(value: unknown): Record<string, string> {
  return value !== null && typeof value === "object" ? (value as Record<string, string>) : {};
}

const START_TIME = "2024-05-01T10:00:00.000Z";

/** The state of a resource of one snapshot (Snapshot, SnapshotCopy), completed, with what only it reports. */
function oneSnapshot(name: string, inputs: Record<string, unknown>, own: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
  const snapshotId = hexId("snap", name);
  const region = typeof inputs.region === "string" ? inputs.region : MOCK_REGION;
  return {
    id: snapshotId,
    state: {
      ...inputs,
      snapshotId,
      arn: `arn:aws:ec2:${region}::snapshot/${snapshotId}`,
      state: "completed",
      progress: 100,
      ownerId: MOCK_ACCOUNT,
      startTime: START_TIME,
      productCodes: [],
      tags: stringMap(inputs.tags),
      ...own,
      region,
    },
  };
}

export function fakeState(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
  switch (type) {
    case SNAPSHOT_TOKEN:
      return oneSnapshot(name, inputs, { encrypted: true, kmsKeyId: MOCK_KMS_KEY, volumeSize: 1 });
    case SNAPSHOT_COPY_TOKEN:
      return oneSnapshot(name, inputs, {
        encrypted: false,
        sourceRegion: typeof inputs.sourceRegion === "string" ? inputs.sourceRegion : typeof inputs.region === "string" ? inputs.region : MOCK_REGION,
      });
    case SNAPSHOT_SET_TOKEN: {
      const volumes = MOCK_INSTANCE_VOLUMES.filter((_, index) => index > 0 || inputs.excludeBootVolume !== true);
      const snapshots = volumes.map((volume) => ({
        snapshotId: hexId("snap", `${name}/${volume.volumeId}`),
        volumeId: volume.volumeId,
        deviceName: volume.deviceName,
        volumeSize: volume.volumeSize,
        encrypted: false,
        state: "completed",
        progress: 100,
        startTime: START_TIME,
        tags: { ...stringMap(inputs.tags), ...(inputs.copyTagsFromSource === true ? { Name: `volume ${volume.deviceName}` } : {}) },
        productCodes: [],
      }));
      return {
        id: hexId("snapset", name),
        state: {
          ...inputs,
          snapshotIds: snapshots.map((s) => s.snapshotId),
          snapshots,
          state: "completed",
          encrypted: false,
          tags: stringMap(inputs.tags),
          region: typeof inputs.region === "string" ? inputs.region : MOCK_REGION,
        },
      };
    }
    case VOLUME_SET_TOKEN: {
      // A SnapshotSet's members arrive whole; the provider keeps only these three fields of each entry.
      const entries = (Array.isArray(inputs.snapshots) ? (inputs.snapshots as Record<string, unknown>[]) : []).map((entry) => ({
        snapshotId: String(entry.snapshotId),
        ...(typeof entry.deviceName === "string" ? { deviceName: entry.deviceName } : {}),
        ...(typeof entry.sizeGiB === "number" ? { sizeGiB: entry.sizeGiB } : {}),
        volumeSize: typeof entry.volumeSize === "number" ? entry.volumeSize : 8,
        encrypted: entry.encrypted === true,
      }));
      const attached = inputs.attach !== undefined;
      const volumes = entries.map(({ volumeSize, encrypted, ...entry }) => ({
        volumeId: hexId("vol", `${name}/${entry.snapshotId}`),
        snapshotId: entry.snapshotId,
        ...(entry.deviceName !== undefined ? { deviceName: entry.deviceName } : {}),
        state: attached ? "in-use" : "available",
        ...(attached ? { attachmentState: "attached" } : {}),
        sizeGiB: entry.sizeGiB ?? volumeSize,
        volumeType: typeof inputs.volumeType === "string" ? inputs.volumeType : "gp3",
        iops: 3000,
        throughput: 125,
        encrypted,
      }));
      return {
        id: hexId("volset", name),
        state: {
          ...inputs,
          snapshots: entries.map(({ volumeSize: _size, encrypted: _encrypted, ...entry }) => entry),
          volumeIds: volumes.map((v) => v.volumeId),
          volumes,
          state: attached ? "in-use" : "available",
          tags: stringMap(inputs.tags),
          region: typeof inputs.region === "string" ? inputs.region : MOCK_REGION,
        },
      };
    }
    case VOLUME_TOKEN:
      return {
        id: MOCK_VOLUME_ID,
        state: {
          ...inputs,
          arn: `arn:aws:ec2:${MOCK_REGION}:${MOCK_ACCOUNT}:volume/${MOCK_VOLUME_ID}`,
          region: MOCK_REGION,
          kmsKeyId: inputs.encrypted === true ? MOCK_KMS_KEY : "",
          iops: 3000,
          throughput: 125,
        },
      };
    default:
      throw new Error(`no mock state for resource type ${type}`);
  }
}
