/**
 * The instances of the simulated EC2, which a SnapshotSet (CreateSnapshots) needs: seeded in memory,
 * each with the volumes attached to it (a volume names its instance and device in `attachment`), and
 * described in EC2's DescribeInstances shape, block device mappings and root device included, because
 * that is what the provider plans a set from (provider/resources/snapshotSet/plan.ts).
 */
import type { SimVolume } from "./ec2Simulator";
import type { XmlFields } from "./ec2Xml";

export interface SimInstance {
  instanceId: string;
  availabilityZone: string;
  /** EC2's RootDeviceName: the device of the boot volume (which `ExcludeBootVolume` leaves out). */
  rootDeviceName: string;
  /** Default "running". */
  state?: "running" | "stopped";
  /** Hibernation enabled: EC2 takes no multi-volume snapshot set of such an instance. */
  hibernation?: boolean;
  instanceType?: string;
}

export interface AttachedVolume {
  volume: SimVolume;
  device: string;
  root: boolean;
}

/** EC2's instance state codes. */
const STATE_CODES = { running: 16, stopped: 80 } as const;

/** The EBS volumes attached to the instance, the root volume first, then by device name (EC2's order). */
export function attachedVolumes(instance: SimInstance, volumes: Iterable<SimVolume>): AttachedVolume[] {
  const attached: AttachedVolume[] = [];
  for (const volume of volumes) {
    if (volume.attachment?.instanceId === instance.instanceId) {
      attached.push({ volume, device: volume.attachment.device, root: volume.attachment.device === instance.rootDeviceName });
    }
  }
  return attached.sort((a, b) => Number(b.root) - Number(a.root) || a.device.localeCompare(b.device));
}

/** One `<item>` of a reservation's instancesSet. `attachedAt` is an ISO time before the run. */
export function instanceXml(instance: SimInstance, attached: readonly AttachedVolume[], attachedAt: string): XmlFields {
  const state = instance.state ?? "running";
  return {
    instanceId: instance.instanceId,
    imageId: "ami-0b0000000000000a1",
    instanceState: { code: STATE_CODES[state], name: state },
    privateDnsName: "ip-10-0-0-1.ec2.internal",
    instanceType: instance.instanceType ?? "m5.large",
    launchTime: attachedAt,
    placement: { availabilityZone: instance.availabilityZone, groupName: "", tenancy: "default" },
    monitoring: { state: "disabled" },
    architecture: "x86_64",
    rootDeviceType: "ebs",
    rootDeviceName: instance.rootDeviceName,
    blockDeviceMapping: attached.map((a) => ({
      deviceName: a.device,
      ebs: { volumeId: a.volume.volumeId, status: "attached", attachTime: attachedAt, deleteOnTermination: a.root },
    })),
    virtualizationType: "hvm",
    hypervisor: "xen",
    ebsOptimized: true,
    enaSupport: true,
    hibernationOptions: { configured: instance.hibernation ?? false },
    stateReason: state === "stopped" ? { code: "Client.UserInitiatedShutdown", message: "Client.UserInitiatedShutdown: User initiated shutdown" } : undefined,
  };
}
