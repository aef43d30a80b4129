import type { Filter, Snapshot, Tag } from "@aws-sdk/client-ec2";
import { randomUUID } from "node:crypto";
import { CREATE_TOKEN_TAG, MAX_TAGS, toEc2Tags, type TagMap } from "./tags";

/**
 * What identifies the snapshots of one create request, so that they can be found after a fault that hid
 * EC2's answer: a random token tag, unique to the request, sent with it. Only snapshots carrying it are
 * ever adopted or deleted as duplicates, so a snapshot made by anyone else is never mistaken for ours.
 *
 * EC2 allows 50 tags. When the user's tags fill all 50, one of them (the last by key) is held back from
 * the request to make room for the token, and set in place of the token once the create is done.
 */
export interface CreationMarker {
  token: string;
  /** The user's tags sent with the create request. */
  sent: TagMap;
  /** The user's tag held back for the token, when all 50 are the user's. */
  deferred?: TagMap;
}

export function newCreationMarker(tags: TagMap): CreationMarker {
  const keys = Object.keys(tags).sort();
  if (keys.length < MAX_TAGS) {
    return { token: randomUUID(), sent: { ...tags } };
  }
  const held = keys[keys.length - 1];
  const { [held]: value, ...sent } = tags;
  return { token: randomUUID(), sent, deferred: { [held]: value } };
}

/** The tags to send with the create request: the user's (bar a deferred one) and the token. */
export function markerTags(marker: CreationMarker): Tag[] {
  return [...toEc2Tags(marker.sent), { Key: CREATE_TOKEN_TAG, Value: marker.token }];
}

/** DescribeSnapshots filters that find the request's snapshots. */
export function markerFilters(marker: CreationMarker): Filter[] {
  return [{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: [marker.token] }];
}

/** True when the snapshot carries the request's token. */
export function matchesMarker(snapshot: Snapshot, marker: CreationMarker): boolean {
  return (snapshot.Tags ?? []).some((tag) => tag.Key === CREATE_TOKEN_TAG && tag.Value === marker.token);
}
