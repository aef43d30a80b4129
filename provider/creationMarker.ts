import type { Filter, Snapshot, Tag } from "@aws-sdk/client-ec2";
import { randomUUID } from "node:crypto";
import { CREATE_TOKEN_TAG, fromEc2Tags, MAX_TAGS, sameTags, toEc2Tags, type TagMap } from "./tags";

/**
 * What identifies the snapshots one create request made, so that they can be found after a fault that
 * hid EC2's answer. A random token tag when there is room for it; with all 50 tags taken by the user,
 * the volume, the exact tags, the description and the start time.
 */
export interface CreationMarker {
  token?: string;
  volumeIds?: readonly string[];
  tags: TagMap;
  description?: string;
  /** Earliest plausible StartTime of a snapshot made by the request, allowing for clock skew. */
  notBefore: number;
}

const CLOCK_SKEW_MS = 60_000;

export function newCreationMarker(tags: TagMap, description: string | undefined, volumeIds?: readonly string[]): CreationMarker {
  const roomForToken = Object.keys(tags).length < MAX_TAGS;
  return {
    ...(roomForToken ? { token: randomUUID() } : {}),
    ...(volumeIds ? { volumeIds } : {}),
    tags,
    ...(description !== undefined ? { description } : {}),
    notBefore: Date.now() - CLOCK_SKEW_MS,
  };
}

/** The tags to send with the create request. */
export function markerTags(marker: CreationMarker): Tag[] {
  const tags = toEc2Tags(marker.tags);
  if (marker.token !== undefined) {
    tags.push({ Key: CREATE_TOKEN_TAG, Value: marker.token });
  }
  return tags;
}

/** DescribeSnapshots filters that narrow the search for the request's snapshots. */
export function markerFilters(marker: CreationMarker): Filter[] {
  if (marker.token !== undefined) {
    return [{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: [marker.token] }];
  }
  return marker.volumeIds && marker.volumeIds.length > 0 ? [{ Name: "volume-id", Values: [...marker.volumeIds] }] : [];
}

/** True when the snapshot was made by the request the marker describes. */
export function matchesMarker(snapshot: Snapshot, marker: CreationMarker): boolean {
  if (marker.token !== undefined) {
    return (snapshot.Tags ?? []).some((tag) => tag.Key === CREATE_TOKEN_TAG && tag.Value === marker.token);
  }
  const started = snapshot.StartTime?.getTime();
  return (
    started !== undefined &&
    started >= marker.notBefore &&
    (snapshot.Description ?? "") === (marker.description ?? "") &&
    (marker.volumeIds === undefined || marker.volumeIds.includes(snapshot.VolumeId ?? "")) &&
    sameTags(fromEc2Tags(snapshot.Tags), marker.tags)
  );
}
