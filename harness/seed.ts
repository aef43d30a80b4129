import { CreateVolumeCommand, DescribeSnapshotsCommand, RunInstancesCommand, type EC2Client, type Snapshot } from "@aws-sdk/client-ec2";

export const REGION = "us-east-1";
export const AVAILABILITY_ZONE = `${REGION}a`;
/** A KMS key ARN for encrypted seed volumes; moto records it on the volume but not on its snapshots. */
export const KMS_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0d5b1a1e-5b3c-4e0f-9c1e-6d3f0b2a7c11";

export interface SeedVolume {
  size?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  volumeType?: "gp2" | "gp3" | "io1" | "st1" | "sc1" | "standard";
}

/** A volume in moto, not attached to anything. */
export async function seedVolume(ec2: EC2Client, volume: SeedVolume = {}): Promise<string> {
  const out = await ec2.send(
    new CreateVolumeCommand({
      AvailabilityZone: AVAILABILITY_ZONE,
      Size: volume.size ?? 8,
      VolumeType: volume.volumeType ?? "gp3",
      ...(volume.encrypted ? { Encrypted: true, KmsKeyId: volume.kmsKeyId ?? KMS_KEY_ARN } : {}),
    }),
  );
  if (!out.VolumeId) {
    throw new Error("moto returned no VolumeId");
  }
  return out.VolumeId;
}

export interface SeededInstance {
  instanceId: string;
  rootVolumeId: string;
  rootDevice: string;
  /** Data volumes in the order requested, with their devices. */
  dataVolumes: { volumeId: string; device: string; encrypted: boolean }[];
}

const DATA_DEVICES = ["/dev/sdf", "/dev/sdg", "/dev/sdh", "/dev/sdi", "/dev/sdj"];

/**
 * A running instance whose root volume and data volumes are real moto volumes. moto creates a root
 * volume only when the block device mappings name the root device, so they do. With no data volumes it
 * is a restore's target as a standby launched from an AMI is: a root volume at /dev/sda1 only.
 */
export async function seedInstance(ec2: EC2Client, dataVolumes: SeedVolume[] = [{}, { encrypted: true }], zone: string = AVAILABILITY_ZONE): Promise<SeededInstance> {
  const rootDevice = "/dev/sda1";
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12c6146b",
      MinCount: 1,
      MaxCount: 1,
      InstanceType: "t3.micro",
      Placement: { AvailabilityZone: zone },
      BlockDeviceMappings: [
        { DeviceName: rootDevice, Ebs: { VolumeSize: 8 } },
        ...dataVolumes.map((v, i) => ({
          DeviceName: DATA_DEVICES[i],
          Ebs: { VolumeSize: v.size ?? 10 + i, ...(v.encrypted ? { Encrypted: true, KmsKeyId: v.kmsKeyId ?? KMS_KEY_ARN } : {}) },
        })),
      ],
    }),
  );
  const instance = out.Instances?.[0];
  const mappings = instance?.BlockDeviceMappings ?? [];
  const volumeAt = (device: string): string => {
    const id = mappings.find((m) => m.DeviceName === device)?.Ebs?.VolumeId;
    if (!id) {
      throw new Error(`moto attached no volume at ${device}`);
    }
    return id;
  };
  return {
    instanceId: instance?.InstanceId ?? "",
    rootVolumeId: volumeAt(rootDevice),
    rootDevice,
    dataVolumes: dataVolumes.map((v, i) => ({ volumeId: volumeAt(DATA_DEVICES[i]), device: DATA_DEVICES[i], encrypted: v.encrypted === true })),
  };
}

/** Every snapshot this account has in the emulator (moto seeds none with MOTO_EC2_LOAD_DEFAULT_AMIS=false). */
export async function allSnapshots(ec2: EC2Client): Promise<Snapshot[]> {
  const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }));
  return out.Snapshots ?? [];
}

export function tagsOf(snapshot: Snapshot | undefined): Record<string, string> {
  return Object.fromEntries((snapshot?.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}
