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
  for (const tag of [...(tags ?? [])].sort((a, b) => (a.Key ?? "").localeCompare(b.Key ?? ""))) {
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
  const remove = Object.keys(current).filter((key) => !(key in desired) && !isReservedTagKey(key));
  return { set, remove };
}

export function sameTags(a: TagMap, b: TagMap): boolean {
  const changes = tagChanges(a, b);
  return Object.keys(changes.set).length === 0 && changes.remove.length === 0;
}

/**
 * The tags of a snapshot set as one map, computed from the tags of each member so that drift on any
 * member shows up in a diff against the managed tags:
 * - a key every member has with one value reports that value;
 * - a managed key that some member has with another value reports that other value (an update re-applies it);
 * - a managed key that some member lacks is left out (an update adds it back);
 * - an unmanaged key on some members is reported with a member's value (an update removes it), unless
 *   `onlyManaged` is set, as it is when tags were copied from the volumes and differ between members legitimately.
 */
export function setTags(members: readonly TagMap[], managed: TagMap, onlyManaged: boolean): TagMap {
  const result: TagMap = {};
  if (members.length === 0) {
    return result;
  }
  const keys = new Set<string>(Object.keys(managed));
  if (!onlyManaged) {
    members.forEach((member) => Object.keys(member).forEach((key) => keys.add(key)));
  }
  for (const key of [...keys].sort()) {
    const values = members.map((member) => (key in member ? member[key] : undefined));
    const present = values.filter((value): value is string => value !== undefined);
    if (present.length === 0) {
      continue;
    }
    if (key in managed) {
      const deviating = present.find((value) => value !== managed[key]);
      if (deviating !== undefined) {
        result[key] = deviating;
      } else if (present.length === members.length) {
        result[key] = managed[key];
      }
    } else {
      result[key] = present[0];
    }
  }
  return result;
}
