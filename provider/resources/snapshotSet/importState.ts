import type { Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../../ec2/ec2";
import { fromEc2Tags, type TagMap } from "../../inputs/tags";
import { ExplainedError } from "../../messages/failureMessage";

const SNAPSHOT_ID = /^snap-[0-9a-f]+$/;

/** The member ids an import id lists: `snap-…,snap-…`; none when the id is not of that form. */
export function importedMemberIds(id: string): string[] {
  const ids = id.split(",").map((part) => part.trim());
  return ids.every((part) => SNAPSHOT_ID.test(part)) ? ids : [];
}

/** The tags every member carries alike: the set's own tags, as the program would declare them. */
function commonTags(members: readonly Snapshot[]): TagMap {
  const [first, ...rest] = members.map((m) => fromEc2Tags(m.Tags));
  return Object.fromEntries(Object.entries(first ?? {}).filter(([key, value]) => rest.every((tags) => tags[key] === value)));
}

/**
 * What `pulumi import` of a set records, from its members' ids (what the EC2 console lists for one
 * CreateSnapshots request): the instance their volumes are attached to, each member's device, and the
 * description and tags they share.
 */
export async function setImportState(id: string, ec2: Ec2): Promise<Record<string, unknown>> {
  const ids = importedMemberIds(id);
  if (ids.length === 0) {
    throw new ExplainedError(
      `${JSON.stringify(id)} is not an import id of a SnapshotSet`,
      "import a set by the ids of its snapshots joined by commas, such as snap-0123456789abcdef0,snap-0fedcba9876543210",
    );
  }
  const found = await ec2.describeSnapshots(ids);
  const members = ids.map((snapshotId) => found.get(snapshotId)).filter((m): m is Snapshot => m !== undefined);
  const volumes = await ec2.describeVolumes(members.map((m) => m.VolumeId ?? "").filter((v) => v !== ""));
  const attached = volumes.flatMap((v) => (v.Attachments ?? []).map((a) => ({ volumeId: v.VolumeId ?? "", instanceId: a.InstanceId ?? "", device: a.Device ?? "" })));
  const instances = [...new Set(attached.map((a) => a.instanceId))];
  if (instances.length !== 1) {
    throw new ExplainedError(
      `the volumes of snapshots ${ids.join(", ")} are attached to ${instances.length === 0 ? "no instance" : `several instances (${instances.join(", ")})`}, so the set's instanceId cannot be told`,
      "a set is imported while its volumes are attached to the instance it was taken of",
    );
  }
  const descriptions = [...new Set(members.map((m) => m.Description ?? ""))];
  const tags = commonTags(members);
  return {
    instanceId: instances[0],
    snapshotIds: ids,
    snapshots: members.map((m) => ({ snapshotId: m.SnapshotId, volumeId: m.VolumeId, deviceName: attached.find((a) => a.volumeId === m.VolumeId)?.device })),
    ...(descriptions.length === 1 && descriptions[0] !== "" ? { description: descriptions[0] } : {}),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };
}
