import { partition } from "@aws-sdk/core/client";
import partitionsData from "@aws-sdk/util-endpoints/dist-cjs/lib/aws/partitions.json";
import { writeLine } from "../messages/log";

/**
 * Whether a value can be an AWS region, judged by the AWS SDK's own partition data: each partition's
 * region pattern (`^(us|eu|ap|…)-\w+-\d+$` for aws, `^cn-\w+-\d+$` for aws-cn, …) and the regions the
 * SDK knows. The patterns come from @aws-sdk/util-endpoints' partitions.json (the last release that
 * ships it as data); whether a region is known is asked of the SDK the EC2 client runs on, so a region
 * added since that release still counts as known.
 */
export type RegionVerdict =
  /** A region the SDK knows. */
  | { kind: "known"; partition: string }
  /** Shaped like a region of a partition, but not one this SDK version knows: allowed, since AWS adds regions. */
  | { kind: "unknown"; partition: string }
  /** Matches no partition's pattern: refused before anything is sent. */
  | { kind: "invalid"; nearest?: NearestRegion };

/** The region a slip most likely meant, and what the value was instead. */
export interface NearestRegion {
  region: string;
  /** Why it is the nearest, as a clause: "an availability zone of us-east-1". */
  because: string;
}

interface PartitionsData {
  partitions: readonly { id: string; regionRegex: string }[];
}

const PATTERNS: readonly { id: string; regex: RegExp }[] = (partitionsData as PartitionsData).partitions.map(({ id, regionRegex }) => ({
  id,
  regex: new RegExp(regionRegex),
}));

/** A region this SDK version knows: its partition data names it (with a description). */
export function isKnownRegion(value: string): boolean {
  return (partition(value) as { description?: unknown }).description !== undefined;
}

/**
 * A region names a DNS label and a signing scope, both lower case; the SDK's patterns use `\w`, which
 * would also let `us-EAST-1` or `us-ea_st-1` through as "unknown" regions.
 */
const REGION_CHARACTERS = /^[a-z0-9-]+$/;

export function judgeRegion(value: string): RegionVerdict {
  if (isKnownRegion(value)) {
    return { kind: "known", partition: partition(value).name };
  }
  const matched = REGION_CHARACTERS.test(value) ? PATTERNS.find(({ regex }) => regex.test(value)) : undefined;
  if (matched !== undefined) {
    return { kind: "unknown", partition: matched.id };
  }
  const nearest = nearestRegion(value);
  return nearest === undefined ? { kind: "invalid" } : { kind: "invalid", nearest };
}

/**
 * The known region a common slip stands for: an availability zone (`us-east-1a`, a Local Zone such as
 * `us-east-1-bos-1a`), the wrong case (`US-EAST-1`), or the hyphens left out (`useast1`).
 */
function nearestRegion(value: string): NearestRegion | undefined {
  const trimmed = value.trim();
  const lower = trimmed.toLowerCase();
  const zone = /^([a-z]+(?:-[a-z]+)+-\d+)(?:-[a-z]+-\d+)?[a-z]$/.exec(lower);
  if (zone !== null && isKnownRegion(zone[1])) {
    return { region: zone[1], because: `an availability zone of ${zone[1]}, not a region` };
  }
  if (lower !== value && isKnownRegion(lower)) {
    return { region: lower, because: trimmed === value ? "written in capitals; regions are lower case" : "padded with spaces" };
  }
  const joined = /^([a-z]+)(north|south|east|west|central|northeast|northwest|southeast|southwest)(\d+)$/.exec(lower.replace(/[-_\s]/g, ""));
  if (joined !== null) {
    for (const area of [joined[1], joined[1].replace(/^(us)(gov|iso|isob|isof)$/, "$1-$2").replace(/^(eu)(isoe)$/, "$1-$2")]) {
      const candidate = `${area}-${joined[2]}-${joined[3]}`;
      if (isKnownRegion(candidate)) {
        return { region: candidate, because: "missing its hyphens" };
      }
    }
  }
  return undefined;
}

/** Why a value is not a region, as a clause after the value. */
export function invalidRegionReason(nearest: NearestRegion | undefined): string {
  return nearest === undefined ? "it matches no AWS partition's region pattern (such as us-east-1, eu-west-2, cn-north-1, us-gov-west-1)" : `it is ${nearest.because}`;
}

// One line per region and process: check, preview and every hook would otherwise repeat it.
const announcedUnknown = new Set<string>();

/** The one line for a region shaped right but unknown to this SDK version; `from` names where it came from. */
export function noteUnknownRegion(region: string, from: string): void {
  if (!announcedUnknown.has(region)) {
    announcedUnknown.add(region);
    writeLine(`region "${region}" (from ${from}) is not one this version of the AWS SDK knows; sending to it anyway, since AWS adds regions`);
  }
}
