import { isReservedTagKey, type TagChanges, type TagMap } from "../../inputs/tags";

/**
 * The one CreateTags and one DeleteTags (over every member) that give each snapshot of a set the
 * desired tags. Tags set outside Pulumi on some members are drift like any other:
 * - a desired key missing on a member, or with another value, is set on all members;
 * - a key the set managed before (`previous`) and no longer wants is removed from all members;
 * - any other key on a member is removed too, unless `onlyManaged`: with `copyTagsFromSource` each
 *   snapshot legitimately carries its volume's tags, which the set does not own.
 */
export function memberTagChanges(members: readonly TagMap[], desired: TagMap, previous: TagMap, onlyManaged: boolean): TagChanges {
  const set: TagMap = {};
  for (const [key, value] of Object.entries(desired)) {
    if (members.some((member) => member[key] !== value)) {
      set[key] = value;
    }
  }
  const candidates = new Set(Object.keys(previous));
  if (!onlyManaged) {
    members.forEach((member) => Object.keys(member).forEach((key) => candidates.add(key)));
  }
  const remove = [...candidates]
    // Object.hasOwn, not `in`: tag keys such as "constructor" or "toString" are ordinary keys, not Object.prototype's.
    .filter((key) => !Object.hasOwn(desired, key) && !isReservedTagKey(key) && members.some((member) => Object.hasOwn(member, key)))
    .sort();
  return { set, remove };
}
