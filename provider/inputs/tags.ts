import type { Tag } from "@aws-sdk/client-ec2";

export type TagMap = Record<string, string>;

/** EC2 allows 50 tags per snapshot. */
export const MAX_TAGS = 50;

/**
 * Tag that marks a snapshot with the token of the request that created it. After a fault that leaves
 * unknown whether EC2 made the snapshot, the provider looks for this tag before trying again, so a lost
 * response never turns into a second, unrecorded snapshot.
 */
export const CREATE_TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

/** Tags users cannot manage: AWS's own `aws:` keys and the provider's create token. */
export function isReservedTagKey(key: string): boolean {
  return key.toLowerCase().startsWith("aws:") || key === CREATE_TOKEN_TAG;
}

export function toEc2Tags(tags: TagMap): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** The user-visible tags of a snapshot, in key order so that outputs are stable. */
export function fromEc2Tags(tags: readonly Tag[] | undefined): TagMap {
  const result: TagMap = {};
  for (const tag of [...(tags ?? [])].sort((a, b) => ((a.Key ?? "") < (b.Key ?? "") ? -1 : (a.Key ?? "") > (b.Key ?? "") ? 1 : 0))) {
    if (tag.Key !== undefined && !isReservedTagKey(tag.Key)) {
      result[tag.Key] = tag.Value ?? "";
    }
  }
  return result;
}

/** The EC2 calls that turn `current` tags into `desired`: keys to set (new or changed) and keys to remove. */
export interface TagChanges {
  set: TagMap;
  remove: string[];
}

export function tagChanges(current: TagMap, desired: TagMap): TagChanges {
  const set: TagMap = {};
  for (const [key, value] of Object.entries(desired)) {
    if (current[key] !== value) {
      set[key] = value;
    }
  }
  const remove = Object.keys(current).filter((key) => !Object.hasOwn(desired, key) && !isReservedTagKey(key));
  return { set, remove };
}

export function sameTags(a: TagMap, b: TagMap): boolean {
  const changes = tagChanges(a, b);
  return Object.keys(changes.set).length === 0 && changes.remove.length === 0;
}
