import type { Filter, Snapshot, Tag } from "@aws-sdk/client-ec2";
import { createHash, randomUUID } from "node:crypto";
import { CREATE_TOKEN_TAG, MAX_TAGS, toEc2Tags, type TagChanges, type TagMap } from "../inputs/tags";

/**
 * What identifies the snapshots of one create request, so that they can be found after a fault that hid
 * EC2's answer: a token tag, unique to the request, sent with it. Only snapshots carrying it are ever
 * adopted or deleted as duplicates, so a snapshot made by anyone else is never mistaken for ours.
 *
 * While the create is in flight, the token also names the resource: `<resource key>.<request id>`, the
 * key being a digest of the resource's URN. A create that never returned (the CLI terminated with a
 * second Ctrl-C, the provider process killed) leaves its snapshot with that token and no state recording
 * it; the next create of the same resource finds it by the key and resumes it instead of taking a second
 * one. Once a snapshot is recorded, in full or as partial state, its token is cut to the request id
 * alone, so a recorded snapshot is never resumed by a later create (a forced replacement, say).
 *
 * EC2 allows 50 tags. When the user's tags fill all 50, one of them (the last by key) is held back from
 * the request to make room for the token, and set in place of the token once the create is recorded;
 * an update that needs all 50 places removes the token. That capacity lives in this file only:
 * `withTags`, `recordingCalls` and `withRoomForUserTags`.
 */
export interface CreationMarker {
  /** The tag value sent with the request, while it is in flight. */
  token: string;
  /** The request's own random id: the tag value once the snapshots are recorded. */
  id: string;
  /** The user's tags sent with the create request. */
  sent: TagMap;
  /** The user's tag held back for the token, when all 50 are the user's. */
  deferred?: TagMap;
}

const KEY_SEPARATOR = ".";

/** The resource key of a URN, as in-flight tokens carry it; undefined when the SDK sent no URN (older SDKs). */
export function resourceKey(urn: unknown): string | undefined {
  return typeof urn === "string" && urn.startsWith("urn:pulumi:") ? createHash("sha256").update(urn).digest("hex").slice(0, 16) : undefined;
}

function withTags(token: string, id: string, tags: TagMap): CreationMarker {
  const keys = Object.keys(tags).sort();
  if (keys.length < MAX_TAGS) {
    return { token, id, sent: { ...tags } };
  }
  const held = keys[keys.length - 1];
  const { [held]: value, ...sent } = tags;
  return { token, id, sent, deferred: { [held]: value } };
}

export function newCreationMarker(tags: TagMap, key?: string): CreationMarker {
  const id = randomUUID();
  return withTags(key === undefined ? id : `${key}${KEY_SEPARATOR}${id}`, id, tags);
}

/** The marker of an interrupted create being resumed, with the tags the resource wants now. */
export function resumedMarker(token: string, tags: TagMap): CreationMarker {
  return withTags(token, token.slice(token.indexOf(KEY_SEPARATOR) + 1), tags);
}

/** The tags to send with the create request: the user's (bar a deferred one) and the token. */
export function markerTags(marker: CreationMarker): Tag[] {
  return [...toEc2Tags(marker.sent), { Key: CREATE_TOKEN_TAG, Value: marker.token }];
}

/** DescribeSnapshots filters that find the request's snapshots. */
export function markerFilters(marker: CreationMarker): Filter[] {
  return [{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: [marker.token] }];
}

/**
 * The DescribeSnapshots filter that finds every snapshot whose create has not recorded it, of any
 * resource: only in-flight tokens contain the separator (request ids are UUIDs, and so were the tokens
 * of earlier versions).
 */
export function inFlightFilter(): Filter {
  return { Name: `tag:${CREATE_TOKEN_TAG}`, Values: [`*${KEY_SEPARATOR}*`] };
}

/** The filter that finds what a create of this resource made and has not recorded (a restore's volumes). */
export function inFlightFilterFor(key: string): Filter {
  return { Name: `tag:${CREATE_TOKEN_TAG}`, Values: [`${key}${KEY_SEPARATOR}*`] };
}

/** Anything EC2 tags: a snapshot, a volume. */
type Tagged = Pick<Snapshot, "Tags">;

/** True when the snapshot's token says a create of this resource made it and has not recorded it. */
export function inFlightFor(snapshot: Tagged, key: string): boolean {
  return (tokenOf(snapshot) ?? "").startsWith(`${key}${KEY_SEPARATOR}`);
}

/** The snapshot's create token, if it carries one. */
export function tokenOf(snapshot: Tagged): string | undefined {
  return (snapshot.Tags ?? []).find((tag) => tag.Key === CREATE_TOKEN_TAG)?.Value;
}

/** True when the snapshot carries the request's token. */
export function matchesMarker(snapshot: Snapshot, marker: CreationMarker): boolean {
  return tokenOf(snapshot) === marker.token;
}

/**
 * The tag that marks a snapshot as recorded, if it still carries an in-flight token (a create recorded
 * as partial state whose marking failed, or state from before the marking): its request id alone.
 */
export function recordedToken(snapshot: Snapshot): TagMap {
  const token = tokenOf(snapshot);
  return token !== undefined && token.includes(KEY_SEPARATOR) ? { [CREATE_TOKEN_TAG]: token.slice(token.indexOf(KEY_SEPARATOR) + 1) } : {};
}

/**
 * The tag calls that mark a create's snapshots as recorded: the token cut to the request id, or, when
 * all 50 tags are the user's, the token removed and the held-back tag set in its place. `held` is that tag.
 */
export function recordingCalls(marker: CreationMarker): { remove: string[]; set: TagMap; held: TagMap } {
  if (marker.deferred !== undefined) {
    return { remove: [CREATE_TOKEN_TAG], set: marker.deferred, held: marker.deferred };
  }
  return { remove: [], set: marker.token !== marker.id ? { [CREATE_TOKEN_TAG]: marker.id } : {}, held: {} };
}

/**
 * The token has done its job once a snapshot is recorded. It stays as provenance, except when the
 * user's tags need all 50 places: then the changes also remove it.
 */
export function withRoomForUserTags(changes: TagChanges, snapshots: readonly Snapshot[], desired: TagMap): TagChanges {
  const carriesToken = snapshots.some((s) => tokenOf(s) !== undefined);
  return Object.keys(desired).length >= MAX_TAGS && carriesToken ? { ...changes, remove: [...changes.remove, CREATE_TOKEN_TAG] } : changes;
}
