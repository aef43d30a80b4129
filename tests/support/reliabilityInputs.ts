/**
 * Bad inputs for every resource: a hand-written table and a property-based generator (fast-check, fixed
 * seed). Each bad input is a valid program's inputs with one property made wrong (or one property
 * added or removed); `expected` is the property a failure must name (exactly, or a path under it such as
 * `tags["aws:x"]` or `timeouts.create`). Unknown sentinels may appear in the other properties: they are
 * not bad, and must neither hide the bad property nor be refused themselves.
 *
 * The rules the generator targets are EC2's (see provider/inputs/validate.ts for the pages they come from); the
 * generator decides what is bad with its own definitions below, not with the provider's.
 */
import * as fc from "fast-check";
import { SNAPSHOT_SET_MEMBER } from "../../provider/resources/snapshotSet/spec";
import type { JsonObject, JsonValue } from "../../harness/providerHost";
import { UNKNOWN } from "../../harness/providerHost";
import type { ResourceKind } from "./reliabilityReport";

/** The seed of every generated bad input. */
export const INPUT_SEED = 424_242;

export const TOKEN_TAG = "pulumi-ebs-snapshots:create-token";

/** A property change: a value to set, or `{ remove: true }` to leave the property out. */
export type Change = { set: JsonValue } | { remove: true };

export interface BadInput {
  resource: ResourceKind;
  label: string;
  /** The property the input gets wrong. */
  expected: string;
  /** Changes to a valid program's inputs. */
  changes: Record<string, Change>;
}

/** Inputs of a valid program, without `__provider` and `__logicalName` (the host adds them from a registration). */
export const VALID: Readonly<Record<ResourceKind, JsonObject>> = {
  Snapshot: { volumeId: "vol-0123456789abcdef0", description: "nightly", tags: { team: "storage" }, waitForCompletion: true, timeouts: { create: "10m" } },
  SnapshotSet: {
    instanceId: "i-0123456789abcdef0",
    excludeBootVolume: false,
    excludeDataVolumeIds: ["vol-0fedcba9876543210"],
    description: "nightly",
    copyTagsFromSource: false,
    tags: { team: "web" },
    waitForCompletion: true,
    timeouts: { create: "10m" },
  },
  VolumeSet: {
    snapshots: [
      { snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf" },
      { snapshotId: "snap-0fedcba9876543210", deviceName: "/dev/sdg", sizeGiB: 20 },
    ],
    availabilityZone: "us-east-1a",
    volumeType: "gp3",
    iops: 3000,
    throughput: 125,
    encrypted: true,
    kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    copyTagsFromSnapshots: false,
    attach: { instanceId: "i-0123456789abcdef0", forceDetachOnDelete: false },
    initialization: { rateMiBps: 200 },
    tags: { team: "db" },
    waitForCompletion: true,
    timeouts: { create: "10m" },
  },
};

/** The properties of the shared table a VolumeSet has (it has no description, Outpost or lock). */
const VOLUME_SET_COMMON = new Set(["tags", "waitForCompletion", "timeouts", "region"]);

/** Applies the changes to a copy of `base`. */
export function applyChanges(base: JsonObject, changes: Record<string, Change>): JsonObject {
  const result: JsonObject = { ...base };
  for (const [key, change] of Object.entries(changes)) {
    if ("remove" in change) {
      delete result[key];
    } else {
      // defineProperty, not assignment: a key such as "constructor" must become an own property.
      Object.defineProperty(result, key, { value: change.set, enumerable: true, writable: true, configurable: true });
    }
  }
  return result;
}

/** True when a failure's property is `expected` or a path under it. */
export function namesProperty(property: string, expected: string): boolean {
  // The provider names a property longer than any EC2 key by its first 40 characters and its length.
  const characters = [...expected];
  const shown = characters.length > 200 ? `${characters.slice(0, 40).join("")}…(${characters.length} characters)` : expected;
  return property === shown || property.startsWith(`${shown}[`) || property.startsWith(`${shown}.`);
}

const HUGE = 300_000;
const set = (value: JsonValue): Change => ({ set: value });
const remove: Change = { remove: true };
const many = (n: number, make: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => make(i));
const fiftyOneTags = Object.fromEntries(many(51, (i) => `k${i}`).map((k) => [k, "v"]));

/** Bad values shared by both resources, by property. */
function commonTable(resource: ResourceKind): BadInput[] {
  const rows: [string, string, JsonValue | typeof remove][] = [
    ["description", "a number", 42],
    ["description", "a list", ["nightly"]],
    ["description", "an object", { text: "nightly" }],
    ["description", "256 characters", "d".repeat(256)],
    ["description", "256 emoji (256 characters, 512 UTF-16 units)", "😀".repeat(256)],
    ["description", `${HUGE} characters`, "d".repeat(HUGE)],
    // EC2's XML answers cannot hand these back unchanged (provider/inputs/roundTrip.ts).
    ["description", "a carriage return (read back as a line feed)", "nightly\r\nbackup"],
    ["description", "a control character XML 1.0 forbids", "nightly\u0007"],
    ["description", "an unpaired surrogate", "nightly\ud800"],
    ["tags", "a string", "team=storage"],
    ["tags", "a list of EC2 Key/Value pairs", [{ Key: "team", Value: "storage" }]],
    ["tags", "a number", 7],
    ["tags", "a boolean", true],
    ["tags", "a number as a value", { team: 5 }],
    ["tags", "a boolean as a value", { team: false }],
    ["tags", "null as a value", { team: null }],
    ["tags", "an object as a value", { team: { name: "storage" } }],
    ["tags", "a list as a value", { team: ["storage"] }],
    ["tags", "an empty key", { "": "x" }],
    ["tags", "a blank key", { "   ": "x" }],
    ["tags", "a key reserved for AWS", { "aws:owner": "me" }],
    ["tags", "a key reserved for AWS in capitals", { "AWS:Owner": "me" }],
    ["tags", "the provider's create-token key", { [TOKEN_TAG]: "mine" }],
    ["tags", "51 tags", fiftyOneTags],
    ["tags", "a 129-character key", { ["k".repeat(129)]: "v" }],
    ["tags", "a 129-emoji key", { ["🔑".repeat(129)]: "v" }],
    ["tags", "a 257-character value", { team: "v".repeat(257) }],
    ["tags", "a 257-character Chinese value", { team: "值".repeat(257) }],
    ["tags", `a ${HUGE}-character value`, { team: "v".repeat(HUGE) }],
    ["tags", `a ${HUGE}-character key`, { ["k".repeat(HUGE)]: "v" }],
    ["tags", "an unknown value beside a reserved key", { team: UNKNOWN, "aws:owner": "me" }],
    ["tags", "a carriage return in a value", { note: "line\rbreak" }],
    ["tags", "a carriage return in a key", { "team\r": "storage" }],
    ["tags", "a NUL in a value", { team: "stor\u0000age" }],
    ["tags", "the noncharacter U+FFFF in a value", { team: "storage\uffff" }],
    ["waitForCompletion", 'the string "true"', "true"],
    ["waitForCompletion", "the number 1", 1],
    ["waitForCompletion", "a list", [true]],
    ["waitForCompletion", "an object", { wait: true }],
    ["timeouts", "a duration string", "10m"],
    ["timeouts", "a number", 600],
    ["timeouts", "a list", ["10m"]],
    ["timeouts", "a number as the create timeout", { create: 600 }],
    ["timeouts", "a word as the create timeout", { create: "soon" }],
    ["timeouts", "a negative duration", { create: "-5m" }],
    ["timeouts", "a zero duration", { create: "0s" }],
    ["timeouts", "a duration below a millisecond", { create: "0.0001ms" }],
    ["timeouts", "an empty duration", { create: "" }],
    ["timeouts", "a space inside a duration", { create: "10 m" }],
    ["timeouts", "days as a unit", { delete: "1d" }],
    ["timeouts", "a duration too long for a number", { update: `${"9".repeat(400)}h` }],
    ["timeouts", "an unknown operation", { destroy: "10m" }],
    ["timeouts", "Terraform's `read` operation", { read: "10m" }],
    ["timeouts", "an unknown create beside a bad update", { create: UNKNOWN, update: "never" }],
    ["region", "capitals", "US-EAST-1"],
    ["region", "a trailing space", "us-east-1 "],
    ["region", "no number", "us-east"],
    ["region", "an availability zone", "us-east-1a"],
    ["region", "a number", 1],
    ["region", "an empty string", ""],
    ["region", "shell metacharacters", "us-east-1; rm -rf /"],
    ["region", "full-width letters", "ｕｓ-east-1"],
    ["outpostArn", "an Outpost id", "op-0123456789abcdef0"],
    ["outpostArn", "a short Outpost id in the ARN", "arn:aws:outposts:us-east-1:123456789012:outpost/op-1"],
    ["outpostArn", "an EC2 instance ARN", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"],
    ["outpostArn", "a number", 123456789012],
    ["lock", "a duration string", "30d"],
    ["lock", "a list", [{ mode: "governance", duration: "30d" }]],
    ["lock", "no mode", { duration: "30d" }],
    ["lock", "an unknown mode", { mode: "legal-hold", duration: "30d" }],
    ["lock", "both a duration and an expiry", { mode: "governance", duration: "30d", expiresAt: "2030-01-01T00:00:00Z" }],
    ["lock", "neither a duration nor an expiry", { mode: "compliance", coolOffHours: 24 }],
    ["lock", "hours as the duration", { mode: "governance", duration: "12h" }],
    ["lock", "zero days", { mode: "governance", duration: "0d" }],
    ["lock", "more than 36500 days", { mode: "governance", duration: "36501d" }],
    ["lock", "days as a number", { mode: "governance", duration: 30 }],
    ["lock", "an expiry that is not ISO 8601", { mode: "compliance", expiresAt: "next year" }],
    ["lock", "a cool-off in governance mode", { mode: "governance", duration: "30d", coolOffHours: 2 }],
    ["lock", "a 73-hour cool-off", { mode: "compliance", duration: "30d", coolOffHours: 73 }],
    ["lock", "a fractional cool-off", { mode: "compliance", duration: "30d", coolOffHours: 1.5 }],
    ["lock", "an unknown setting", { mode: "governance", duration: "30d", legalHold: true }],
  ];
  return rows.map(([expected, what, value]) => ({
    resource,
    label: `${expected}: ${what}`,
    expected,
    changes: { [expected]: value === remove ? remove : set(value) },
  }));
}

const UNKNOWN_PROPERTY_ROWS: Readonly<Record<ResourceKind, [string, JsonValue][]>> = {
  Snapshot: [
    ["volumeID", "vol-0123456789abcdef0"],
    ["volume_id", "vol-0123456789abcdef0"],
    ["snapshotId", "snap-0123456789abcdef0"],
    ["instanceId", "i-0123456789abcdef0"],
    ["Tags", { team: "storage" }],
    [UNKNOWN, "a property named like the unknown sentinel"],
    ["x".repeat(HUGE), "a property with a huge name"],
  ],
  SnapshotSet: [
    ["instanceID", "i-0123456789abcdef0"],
    ["volumeId", "vol-0123456789abcdef0"],
    ["snapshotIds", ["snap-0123456789abcdef0"]],
    ["excludeDataVolumes", ["vol-0123456789abcdef0"]],
    ["copyTags", true],
    [UNKNOWN, "a property named like the unknown sentinel"],
  ],
  VolumeSet: [
    ["snapshotIds", ["snap-0123456789abcdef0"]],
    ["instanceId", "i-0123456789abcdef0"],
    ["availabilityZoneId", "use1-az1"],
    ["size", 20],
    ["description", "restore drill"],
    ["copyTagsFromSource", true],
    ["multiAttachEnabled", true],
    [UNKNOWN, "a property named like the unknown sentinel"],
  ],
};

function unknownProperties(resource: ResourceKind): BadInput[] {
  return UNKNOWN_PROPERTY_ROWS[resource].map(([name, value]) => ({
    resource,
    label: `an unknown property ${name.length > 40 ? `of ${name.length} characters` : JSON.stringify(name)}`,
    expected: name,
    changes: { [name]: set(value) },
  }));
}

function idTable(resource: ResourceKind): BadInput[] {
  const property = resource === "Snapshot" ? "volumeId" : "instanceId";
  const rows: [string, JsonValue | typeof remove][] =
    resource === "Snapshot"
      ? [
          ["missing", remove],
          ["a number", 5],
          ["a boolean", true],
          ["a list", ["vol-0123456789abcdef0"]],
          ["an object", { id: "vol-0123456789abcdef0" }],
          ["an empty string", ""],
          ["a snapshot id", "snap-0123456789abcdef0"],
          ["an instance id", "i-0123456789abcdef0"],
          ["an AMI id", "ami-0123456789abcdef0"],
          ["capital hex digits", "vol-0123456789ABCDEF0"],
          ["16 hex digits", "vol-0123456789abcdef"],
          ["a leading space", " vol-0123456789abcdef0"],
          ["a trailing newline", "vol-0123456789abcdef0\n"],
          ["full-width digits", "vol-０１２３４５６７８９abcdef0"],
          ["an ARN", "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0"],
          [`${HUGE} characters`, `vol-${"a".repeat(HUGE)}`],
          ["the unknown sentinel inside a list", [UNKNOWN]],
        ]
      : [
          ["missing", remove],
          ["a number", 5],
          ["a list", ["i-0123456789abcdef0"]],
          ["an empty string", ""],
          ["a volume id", "vol-0123456789abcdef0"],
          ["a snapshot id", "snap-0123456789abcdef0"],
          ["a short malformed id", "i-123"],
          ["capital hex digits", "i-0123456789ABCDEF0"],
          ["a name tag", "web-server-1"],
          ["an ARN", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"],
          [`${HUGE} characters`, `i-${"0".repeat(HUGE)}`],
          ["the unknown sentinel inside an object", { id: UNKNOWN }],
        ];
  return rows.map(([what, value]) => ({ resource, label: `${property}: ${what}`, expected: property, changes: { [property]: value === remove ? remove : set(value) } }));
}

function setOnlyTable(): BadInput[] {
  const rows: [string, string, JsonValue][] = [
    ["excludeBootVolume", 'the string "true"', "true"],
    ["excludeBootVolume", "the number 0", 0],
    ["copyTagsFromSource", 'EC2\'s wire value "volume"', "volume"],
    ["copyTagsFromSource", "a list", [true]],
    ["excludeDataVolumeIds", "one id as a string", "vol-0123456789abcdef0"],
    ["excludeDataVolumeIds", "a comma-separated string", "vol-0123456789abcdef0,vol-0fedcba9876543210"],
    ["excludeDataVolumeIds", "an object", { "vol-0123456789abcdef0": true }],
    ["excludeDataVolumeIds", "a number in the list", ["vol-0123456789abcdef0", 5]],
    ["excludeDataVolumeIds", "an instance id in the list", ["i-0123456789abcdef0"]],
    ["excludeDataVolumeIds", "a nested list", [["vol-0123456789abcdef0"]]],
    ["excludeDataVolumeIds", "an id listed twice", ["vol-0123456789abcdef0", "vol-0123456789abcdef0"]],
    ["excludeDataVolumeIds", "41 volumes", many(41, (i) => `vol-${i.toString(16).padStart(17, "0")}`)],
    ["excludeDataVolumeIds", "an unknown beside a malformed id", [UNKNOWN, "volume-1"]],
  ];
  return rows.map(([expected, what, value]) => ({ resource: "SnapshotSet", label: `${expected}: ${what}`, expected, changes: { [expected]: set(value) } }));
}

/** The archive-tier inputs, which only a resource of one snapshot has. */
function tierTable(): BadInput[] {
  const rows: [string, string, Record<string, JsonValue>][] = [
    ["storageTier", "a tier EC2 does not have", { storageTier: "glacier" }],
    ["storageTier", "capitals", { storageTier: "ARCHIVE" }],
    ["storageTier", "a boolean", { storageTier: true }],
    ["storageTier", "an archive without waiting for completion", { storageTier: "archive", waitForCompletion: false }],
    ["restore", "a restore beside an archive", { storageTier: "archive", restore: { temporaryDays: 3 } }],
    ["restore", "zero days", { storageTier: "standard", restore: { temporaryDays: 0 } }],
    ["restore", "181 days", { storageTier: "standard", restore: { temporaryDays: 181 } }],
    ["restore", "days as a string", { storageTier: "standard", restore: { temporaryDays: "3" } }],
    ["restore", "temporary and permanent at once", { storageTier: "standard", restore: { temporaryDays: 3, permanent: true } }],
    ["restore", "permanent false without days", { storageTier: "standard", restore: { permanent: false } }],
    ["restore", "a number", { storageTier: "standard", restore: 7 }],
  ];
  return rows.map(([expected, what, values]) => ({
    resource: "Snapshot",
    label: `${expected}: ${what}`,
    expected,
    changes: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, set(value)])),
  }));
}

const SNAP_A = "snap-0123456789abcdef0";
const SNAP_B = "snap-0fedcba9876543210";
const entry = (fields: Record<string, JsonValue> = {}): JsonObject => ({ snapshotId: SNAP_A, deviceName: "/dev/sdf", ...fields });

/**
 * A VolumeSet's own inputs: its entries, zone, the volume type's limits (EC2's documented ranges, with
 * the valid program's gp3 at 3000 IOPS and 125 MiB/s), encryption, attach and initialization.
 */
function volumeSetTable(): BadInput[] {
  const rows: [string, string, Record<string, JsonValue | typeof remove>][] = [
    ["snapshots", "missing", { snapshots: remove }],
    ["snapshots", "one snapshot id as a string", { snapshots: SNAP_A }],
    ["snapshots", "an empty list", { snapshots: [] }],
    ["snapshots", "a list of snapshot ids", { snapshots: [SNAP_A, SNAP_B] }],
    ["snapshots", "an object", { snapshots: { snapshotId: SNAP_A } }],
    ["snapshots", "null as an entry", { snapshots: [entry(), null] }],
    ["snapshots", "an entry without snapshotId", { snapshots: [{ deviceName: "/dev/sdf" }] }],
    ["snapshots", "a malformed snapshot id", { snapshots: [entry({ snapshotId: "snap-123" })] }],
    ["snapshots", "a volume id as the snapshot", { snapshots: [entry({ snapshotId: "vol-0123456789abcdef0" })] }],
    ["snapshots", "a snapshot ARN", { snapshots: [entry({ snapshotId: `arn:aws:ec2:us-east-1::snapshot/${SNAP_A}` })] }],
    ["snapshots", "the same snapshot twice", { snapshots: [entry(), entry({ deviceName: "/dev/sdg" })] }],
    ["snapshots", "the same device twice", { snapshots: [entry(), entry({ snapshotId: SNAP_B })] }],
    ["snapshots", "41 entries", { snapshots: many(41, (i) => `snap-${i.toString(16).padStart(17, "0")}`).map((snapshotId, i) => ({ snapshotId, deviceName: `/dev/xvd${i}` })) }],
    ["snapshots", "a device name without /dev/", { snapshots: [entry({ deviceName: "sdf" })] }],
    ["snapshots", "a device name with a space", { snapshots: [entry({ deviceName: "/dev/sd f" })] }],
    ["snapshots", "a number as the device", { snapshots: [entry({ deviceName: 5 })] }],
    ["snapshots", "no device with attach", { snapshots: [{ snapshotId: SNAP_A }] }],
    ["snapshots", "a size of 0 GiB", { snapshots: [entry({ sizeGiB: 0 })] }],
    ["snapshots", "a fractional size", { snapshots: [entry({ sizeGiB: 10.5 })] }],
    ["snapshots", "a size as a string", { snapshots: [entry({ sizeGiB: "20" })] }],
    ["snapshots", "a size above 64 TiB", { snapshots: [entry({ sizeGiB: 65_537 })] }],
    ["snapshots", "an unknown entry setting", { snapshots: [entry({ size: 20 })] }],
    ["availabilityZone", "missing", { availabilityZone: remove }],
    ["availabilityZone", "a region", { availabilityZone: "us-east-1" }],
    ["availabilityZone", "capitals", { availabilityZone: "US-EAST-1A" }],
    ["availabilityZone", "a zone id", { availabilityZone: "use1-az1" }],
    ["availabilityZone", "a trailing space", { availabilityZone: "us-east-1a " }],
    ["availabilityZone", "an empty string", { availabilityZone: "" }],
    ["availabilityZone", "a list", { availabilityZone: ["us-east-1a"] }],
    ["volumeType", "a type EC2 does not have", { volumeType: "gp4" }],
    ["volumeType", "capitals", { volumeType: "GP3" }],
    ["volumeType", "a number", { volumeType: 3 }],
    ["iops", "a string", { iops: "3000" }],
    ["iops", "zero", { iops: 0 }],
    ["iops", "a fraction", { iops: 3000.5 }],
    ["iops", "below gp3's 3000", { iops: 2999 }],
    ["iops", "above gp3's 80000", { iops: 80_001 }],
    ["iops", "io1 without iops", { volumeType: "io1", iops: remove, throughput: remove }],
    ["iops", "io2 above 256000", { volumeType: "io2", iops: 256_001, throughput: remove }],
    ["iops", "io1 below 100", { volumeType: "io1", iops: 99, throughput: remove }],
    ["iops", "iops on gp2", { volumeType: "gp2", throughput: remove }],
    ["iops", "iops on st1", { volumeType: "st1", throughput: remove }],
    ["throughput", "below gp3's 125", { throughput: 124 }],
    ["throughput", "above gp3's 2000", { throughput: 2_001 }],
    ["throughput", "more than 0.25 MiB/s per IOPS", { iops: 3_000, throughput: 1_000 }],
    ["throughput", "a string", { throughput: "125" }],
    ["throughput", "throughput on io2", { volumeType: "io2", iops: 1_000 }],
    ["throughput", "throughput on sc1", { volumeType: "sc1", iops: remove }],
    ["encrypted", 'the string "true"', { encrypted: "true" }],
    ["encrypted", "false beside a KMS key", { encrypted: false }],
    ["kmsKeyId", "an empty string", { kmsKeyId: "" }],
    ["kmsKeyId", "a key name", { kmsKeyId: "my-key" }],
    ["kmsKeyId", "a number", { kmsKeyId: 5 }],
    ["kmsKeyId", "an EC2 ARN", { kmsKeyId: "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0" }],
    ["copyTagsFromSnapshots", 'the string "yes"', { copyTagsFromSnapshots: "yes" }],
    ["copyTagsFromSnapshots", "the number 1", { copyTagsFromSnapshots: 1 }],
    ["attach", "an instance id as a string", { attach: "i-0123456789abcdef0" }],
    ["attach", "no instance", { attach: {} }],
    ["attach", "a volume id as the instance", { attach: { instanceId: "vol-0123456789abcdef0" } }],
    ["attach", "a malformed instance id", { attach: { instanceId: "i-123" } }],
    ["attach", 'forceDetachOnDelete as "yes"', { attach: { instanceId: "i-0123456789abcdef0", forceDetachOnDelete: "yes" } }],
    ["attach", "a device beside the instance", { attach: { instanceId: "i-0123456789abcdef0", device: "/dev/sdf" } }],
    ["attach", "a list", { attach: [{ instanceId: "i-0123456789abcdef0" }] }],
    ["initialization", "nothing chosen", { initialization: {} }],
    ["initialization", "a rate below 100 MiB/s", { initialization: { rateMiBps: 99 } }],
    ["initialization", "a rate above 300 MiB/s", { initialization: { rateMiBps: 301 } }],
    ["initialization", "a fractional rate", { initialization: { rateMiBps: 150.5 } }],
    ["initialization", "a rate as a string", { initialization: { rateMiBps: "200" } }],
    ["initialization", "a rate and fast snapshot restore", { initialization: { rateMiBps: 200, fastSnapshotRestore: true } }],
    ["initialization", "fast snapshot restore false alone", { initialization: { fastSnapshotRestore: false } }],
    ["initialization", 'fast snapshot restore as "true"', { initialization: { fastSnapshotRestore: "true" } }],
    ["initialization", "an unknown setting", { initialization: { mode: "fast" } }],
    ["initialization", "a number", { initialization: 200 }],
  ];
  return rows.map(([expected, what, values]) => ({
    resource: "VolumeSet",
    label: `${expected}: ${what}`,
    expected,
    changes: Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value === remove ? remove : set(value)])),
  }));
}

/** The hand-written bad inputs of one resource. */
export function badInputTable(resource: ResourceKind): BadInput[] {
  if (resource === "VolumeSet") {
    return [...volumeSetTable(), ...commonTable(resource).filter((input) => VOLUME_SET_COMMON.has(input.expected)), ...unknownProperties(resource)];
  }
  return [...idTable(resource), ...commonTable(resource), ...unknownProperties(resource), ...(resource === "SnapshotSet" ? setOnlyTable() : tierTable())];
}

// ---------------------------------------------------------------------------------------------------
// Generated bad inputs. The definitions of "valid" here are the suite's own reading of EC2's rules.

const HEX = "0123456789abcdef";
const VALID_ID: Readonly<Record<string, RegExp>> = {
  vol: /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
  i: /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/,
};
const VALID_REGION = /^[a-z]{2,4}(?:-[a-z0-9]+)*-[a-z]+-\d+$/;
const VALID_DURATION = /^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h))+$/;
const codePoints = (text: string): number => [...text].length;

/** Any JSON value that is not a string (null aside: the engine treats a null input as absent). */
const notAString: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3, noNullPrototype: true }),
);

const notABoolean: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constantFrom("true", "false", "yes", "", "1", "0"),
  fc.integer(),
  fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.boolean(), { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
);

/** Unicode text of every kind: ASCII, grapheme clusters, astral characters, controls. */
const anyText = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ minLength, maxLength, unit: "grapheme" }), fc.string({ minLength, maxLength, unit: "binary" }), fc.string({ minLength, maxLength }));

/** Ids of the wrong kind or shape, strings that are no id at all, and values that are not strings. */
function badId(kind: "vol" | "i"): fc.Arbitrary<JsonValue> {
  const wrongShape = fc
    .tuple(fc.constantFrom("vol-", "i-", "snap-", "ami-", "eni-", "VOL-", "", "vol_", "i_"), fc.string({ unit: fc.constantFrom(...HEX, ..."ABCDEFxyz-"), maxLength: 24 }))
    .map(([prefix, rest]) => `${prefix}${rest}`);
  const huge = fc.integer({ min: 1_000, max: 20_000 }).map((n) => `${kind}-${"a".repeat(n)}`);
  return fc.oneof(wrongShape, anyText(0, 40), huge, notAString).filter((value) => typeof value !== "string" || !VALID_ID[kind].test(value));
}

const badDescription: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.oneof(fc.string({ minLength: 256, maxLength: 600, unit: "grapheme" }), fc.string({ minLength: 256, maxLength: 3_000 })).filter((text) => codePoints(text) > 255),
  notAString,
);

const reservedKey = fc.string({ maxLength: 20 }).chain((rest) => fc.constantFrom(`aws:${rest}`, `AWS:${rest}`, `Aws:${rest}`, TOKEN_TAG));
const blankKey = fc.constantFrom("", " ", "   ", "\t", "\n", " \u3000");
const longKey = anyText(129, 400).filter((key) => codePoints(key) > 128);
const longValue = anyText(257, 800).filter((value) => codePoints(value) > 256);
const fineKey = fc.string({ minLength: 1, maxLength: 20, unit: "grapheme" }).filter((key) => key.trim() !== "" && !key.toLowerCase().startsWith("aws:") && key !== TOKEN_TAG);

const badTags: fc.Arbitrary<JsonValue> = fc.oneof(
  notAString.filter((value) => Array.isArray(value) || typeof value !== "object"),
  fc.string({ maxLength: 30 }),
  fc.tuple(fc.oneof(reservedKey, blankKey, longKey), fc.string({ maxLength: 10 })).map(([key, value]) => ({ team: "ok", [key]: value })),
  fc.tuple(fineKey, fc.oneof(longValue, notAString)).map(([key, value]) => ({ [key]: value })),
  fc.integer({ min: 51, max: 80 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]))),
);

const badDuration: fc.Arbitrary<JsonValue> = fc.oneof(
  anyText(0, 12).filter((text) => !VALID_DURATION.test(text.trim())),
  fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom("d", "w", "y", "min", "sec", "hours", "", " m", "M", "H")).map(([n, unit]) => `${n}${unit}`),
  fc.constantFrom("0s", "0m", "0h0m0s", "0.0001ms", "-1m", "+1m", "1e3s", "∞h"),
  notAString,
);

const badTimeouts: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })),
  fc.tuple(fc.constantFrom("create", "update", "delete"), badDuration).map(([key, value]) => ({ [key]: value })),
  fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !["create", "update", "delete"].includes(key)),
      fc.constant("10m"),
    )
    .map(([key, value]) => ({ [key]: value })),
);

const badRegion: fc.Arbitrary<JsonValue> = fc
  .oneof(
    anyText(0, 30),
    fc
      .tuple(fc.constantFrom("us-east-1", "eu-west-3", "ap-southeast-2"), fc.integer({ min: 0, max: 8 }), fc.constantFrom(" ", "_", "A", "é", ".", "/", "\u0000"))
      .map(([region, at, insert]) => `${region.slice(0, at)}${insert}${region.slice(at)}`),
    notAString,
  )
  .filter((value) => typeof value !== "string" || !VALID_REGION.test(value));

const badOutpostArn: fc.Arbitrary<JsonValue> = fc
  .oneof(
    anyText(0, 60),
    fc.string({ unit: fc.constantFrom(...HEX), maxLength: 20 }).map((hex) => `arn:aws:outposts:us-east-1:123456789012:outpost/op-${hex}`),
    notAString,
  )
  .filter((value) => typeof value !== "string" || !/^arn:aws[a-z-]*:outposts:[a-z0-9-]+:\d{12}:outpost\/op-[0-9a-f]{17}$/.test(value));

const badExcluded: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.boolean(),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
  ),
  fc.tuple(fc.array(fc.constant("vol-0123456789abcdef0"), { maxLength: 1 }), badId("vol")).map(([good, bad]) => [...good, bad]),
  fc.integer({ min: 41, max: 60 }).map((n) => Array.from({ length: n }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`)),
  fc.constant<JsonValue>(["vol-0123456789abcdef0", "vol-0fedcba9876543210", "vol-0123456789abcdef0"]),
);

/** A snapshot id by the suite's own reading of EC2's: `snap-` and 8 or 17 lower-case hex digits. */
const VALID_SNAPSHOT_ID = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/**
 * Anything that could pass for an availability zone, read liberally (a region's characters ending in a
 * digit and a letter): the generator keeps only values that are bad under any reading.
 */
const ZONE_LIKE = /^[a-z0-9-]+\d[a-z]$/;
/** Anything that could pass for a KMS key id, alias or ARN, read liberally. */
const KMS_LIKE = /^(?:[0-9a-f-]{36}|mrk-[0-9a-f]+|alias\/\S+|arn:\S+:kms:\S+)$/;
/** A device name, read liberally: `/dev/` and letters or digits, or a Windows `xvd…` name. */
const DEVICE_LIKE = /^(?:\/dev\/[a-z0-9]+|xvd[a-z]+)$/;

/** A whole number above zero is a valid IOPS or throughput for some volume type; anything else is not. */
const notAPositiveWhole: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.integer({ max: 0 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.integer({ min: 1, max: 100_000 }).map(String),
  notAString.filter((value) => typeof value !== "number"),
);

/** One entry made wrong in one way, beside a valid one (each entry keeps its device: the valid program attaches). */
const badEntry: fc.Arbitrary<JsonValue> = fc.oneof(
  fc
    .oneof(badId("vol"), anyText(0, 30), notAString)
    .filter((value) => typeof value !== "string" || !VALID_SNAPSHOT_ID.test(value))
    .map((snapshotId): JsonValue => ({ snapshotId, deviceName: "/dev/sdf" })),
  fc
    .oneof(
      anyText(0, 20).filter((d) => !DEVICE_LIKE.test(d)),
      notAString,
    )
    .map((deviceName): JsonValue => ({ snapshotId: "snap-0123456789abcdef0", deviceName })),
  fc
    .oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 65_537 }),
      fc.double({ min: 1, max: 1_000, noNaN: true }).filter((n) => !Number.isInteger(n)),
      notAString,
    )
    .map((sizeGiB): JsonValue => ({ snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf", sizeGiB })),
  fc.constant<JsonValue>({ deviceName: "/dev/sdf" }),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((key) => !["snapshotId", "deviceName", "sizeGiB", "__proto__"].includes(key) && !SET_MEMBER_FIELDS.has(key))
    .map((key): JsonValue => ({ snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf", [key]: 1 })),
);

/** Fields of a SnapshotSet's members that a VolumeSet entry accepts and ignores: the member's type, from its spec. */
const SET_MEMBER_FIELDS = new Set(Object.keys(SNAPSHOT_SET_MEMBER.properties).filter((key) => key !== "snapshotId" && key !== "deviceName"));

const badSnapshots: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.boolean(),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2, noNullPrototype: true }),
  ),
  fc.constant<JsonValue>([]),
  badEntry.map((bad): JsonValue => [{ snapshotId: "snap-0fedcba9876543210", deviceName: "/dev/sdg" }, bad]),
  fc.array(fc.string({ unit: fc.constantFrom(...HEX), minLength: 17, maxLength: 17 }), { minLength: 1, maxLength: 3 }).map((ids): JsonValue => ids.map((id) => `snap-${id}`)),
  fc
    .integer({ min: 41, max: 60 })
    .map((n): JsonValue => Array.from({ length: n }, (_, i) => ({ snapshotId: `snap-${i.toString(16).padStart(17, "0")}`, deviceName: `/dev/xvd${i}` }))),
  fc.constant<JsonValue>([
    { snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf" },
    { snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdg" },
  ]),
);

const badZone: fc.Arbitrary<JsonValue> = fc
  .oneof(anyText(0, 30), fc.constantFrom("us-east-1", "eu-west-3", "US-EAST-1A", "use1-az1", "us-east-1a ", " us-east-1a", "us-east-1A", "us_east_1a"), notAString)
  .filter((value) => typeof value !== "string" || !ZONE_LIKE.test(value));

const badVolumeType: fc.Arbitrary<JsonValue> = fc
  .oneof(anyText(0, 12), fc.constantFrom("gp4", "GP3", "io3", "ssd", "magnetic", "gp3 "), notAString)
  .filter((value) => typeof value !== "string" || !["gp3", "gp2", "io1", "io2", "st1", "sc1", "standard"].includes(value));

const badKmsKey: fc.Arbitrary<JsonValue> = fc.oneof(anyText(0, 60), notAString).filter((value) => typeof value !== "string" || !KMS_LIKE.test(value));

const badAttach: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 })),
  fc.constant<JsonValue>({}),
  badId("i").map((instanceId): JsonValue => ({ instanceId })),
  notABoolean.map((forceDetachOnDelete): JsonValue => ({ instanceId: "i-0123456789abcdef0", forceDetachOnDelete })),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((key) => !["instanceId", "forceDetachOnDelete", "__proto__"].includes(key))
    .map((key): JsonValue => ({ instanceId: "i-0123456789abcdef0", [key]: "x" })),
);

const badInitialization: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 })),
  fc.constant<JsonValue>({}),
  fc.constant<JsonValue>({ fastSnapshotRestore: false }),
  fc
    .oneof(
      fc.integer({ max: 99 }),
      fc.integer({ min: 301 }),
      fc.double({ min: 100, max: 300, noNaN: true }).filter((n) => !Number.isInteger(n)),
      notAString,
    )
    .map((rateMiBps): JsonValue => ({ rateMiBps })),
  notABoolean.map((fastSnapshotRestore): JsonValue => ({ fastSnapshotRestore })),
  fc.integer({ min: 100, max: 300 }).map((rateMiBps): JsonValue => ({ rateMiBps, fastSnapshotRestore: true })),
);

/** An unknown property name: not declared, not housekeeping. */
function unknownName(resource: ResourceKind): fc.Arbitrary<string> {
  // "__proto__" is left out: protobuf's Struct.toJavaScript assigns keys to a plain object, so a property
  // of that name never reaches any hook (the host drops it before the provider runs).
  const declared = new Set([...Object.keys(VALID[resource]), "region", "outpostArn", "__provider", "__logicalName", "__proto__"]);
  return fc.string({ minLength: 1, maxLength: 24, unit: "grapheme" }).filter((name) => !declared.has(name));
}

/** The properties a generated input may get wrong, and how. */
function targets(resource: ResourceKind): [string, fc.Arbitrary<JsonValue | typeof remove>][] {
  const common: [string, fc.Arbitrary<JsonValue>][] = [
    ["description", badDescription],
    ["tags", badTags],
    ["waitForCompletion", notABoolean],
    ["timeouts", badTimeouts],
    ["region", badRegion],
    ["outpostArn", badOutpostArn],
  ];
  if (resource === "Snapshot") {
    return [["volumeId", fc.oneof({ weight: 1, arbitrary: fc.constant(remove) }, { weight: 6, arbitrary: badId("vol") })], ...common];
  }
  if (resource === "VolumeSet") {
    return [
      ["snapshots", fc.oneof({ weight: 1, arbitrary: fc.constant(remove) }, { weight: 8, arbitrary: badSnapshots })],
      ["availabilityZone", fc.oneof({ weight: 1, arbitrary: fc.constant(remove) }, { weight: 6, arbitrary: badZone })],
      ["volumeType", badVolumeType],
      ["iops", notAPositiveWhole],
      ["throughput", notAPositiveWhole],
      ["encrypted", notABoolean],
      ["kmsKeyId", badKmsKey],
      ["copyTagsFromSnapshots", notABoolean],
      ["attach", badAttach],
      ["initialization", badInitialization],
      ...common.filter(([property]) => VOLUME_SET_COMMON.has(property)),
    ];
  }
  return [
    ["instanceId", fc.oneof({ weight: 1, arbitrary: fc.constant(remove) }, { weight: 6, arbitrary: badId("i") })],
    ["excludeBootVolume", notABoolean],
    ["copyTagsFromSource", notABoolean],
    ["excludeDataVolumeIds", badExcluded],
    ...common,
  ];
}

/**
 * Some valid properties replaced by the unknown sentinel (whole values, tag values, one timeout, one
 * excluded id), as a preview sends them: they must not hide the bad property.
 */
function unknowns(resource: ResourceKind, target: string): fc.Arbitrary<Record<string, Change>> {
  const own: Record<ResourceKind, Record<string, JsonValue>> = {
    Snapshot: { description: UNKNOWN, volumeId: UNKNOWN },
    SnapshotSet: { description: UNKNOWN, instanceId: UNKNOWN, excludeDataVolumeIds: [UNKNOWN] },
    VolumeSet: {
      snapshots: [{ snapshotId: UNKNOWN, deviceName: "/dev/sdf" }, UNKNOWN],
      availabilityZone: UNKNOWN,
      volumeType: UNKNOWN,
      attach: { instanceId: UNKNOWN },
      initialization: UNKNOWN,
    },
  };
  const candidates: Record<string, JsonValue> = {
    tags: { team: UNKNOWN },
    timeouts: { create: UNKNOWN },
    waitForCompletion: UNKNOWN,
    ...own[resource],
  };
  const names = Object.keys(candidates).filter((name) => name !== target);
  return fc.subarray(names, { maxLength: 2 }).map((chosen) => Object.fromEntries(chosen.map((name) => [name, set(candidates[name])])));
}

function generated(resource: ResourceKind): fc.Arbitrary<BadInput> {
  const byProperty = targets(resource).map(([property, value]) =>
    fc.tuple(value, unknowns(resource, property)).map(([bad, others]): BadInput => ({
      resource,
      label: `${property} = ${bad === remove ? "(missing)" : preview(bad)}${Object.keys(others).length > 0 ? ` with unknown ${Object.keys(others).join(", ")}` : ""}`,
      expected: property,
      changes: { ...others, [property]: bad === remove ? remove : set(bad) },
    })),
  );
  const extra = fc
    .tuple(unknownName(resource), fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()))
    .map(([name, value]): BadInput => ({ resource, label: `unknown property ${preview(name)}`, expected: name, changes: { [name]: set(value) } }));
  return fc.oneof(...byProperty, extra);
}

function preview(value: JsonValue | string): string {
  // JSON.stringify gives undefined only for undefined, which String names.
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > 60 ? `${text.slice(0, 57)}…(${text.length} chars)` : text;
}

/** `count` generated bad inputs of one resource, the same on every run. */
export function generatedBadInputs(resource: ResourceKind, count: number, seed: number = INPUT_SEED): BadInput[] {
  const offset: Record<ResourceKind, number> = { Snapshot: 0, SnapshotSet: 1, VolumeSet: 2 };
  return fc.sample(generated(resource), { seed: seed + offset[resource], numRuns: count });
}

/** Valid inputs holding unknown sentinels in every place a preview can put one: Check must accept them all. */
export function unknownSentinelInputs(resource: ResourceKind): { label: string; changes: Record<string, Change> }[] {
  const common: [string, Record<string, Change>][] = [
    ["the description unknown", { description: set(UNKNOWN) }],
    ["the whole tags map unknown", { tags: set(UNKNOWN) }],
    ["one tag value unknown", { tags: set({ team: UNKNOWN, env: "prod" }) }],
    ["waitForCompletion unknown", { waitForCompletion: set(UNKNOWN) }],
    ["the whole timeouts object unknown", { timeouts: set(UNKNOWN) }],
    ["one timeout unknown", { timeouts: set({ create: UNKNOWN, delete: "5m" }) }],
    ["the region unknown", { region: set(UNKNOWN) }],
    ["the Outpost ARN unknown", { outpostArn: set(UNKNOWN) }],
  ];
  if (resource === "VolumeSet") {
    const own: [string, Record<string, Change>][] = [
      ["the snapshots list unknown", { snapshots: set(UNKNOWN) }],
      ["one entry unknown", { snapshots: set([{ snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf" }, UNKNOWN]) }],
      ["one snapshot id unknown", { snapshots: set([{ snapshotId: UNKNOWN, deviceName: "/dev/sdf" }]) }],
      ["one device name unknown", { snapshots: set([{ snapshotId: "snap-0123456789abcdef0", deviceName: UNKNOWN }]) }],
      ["one size unknown", { snapshots: set([{ snapshotId: "snap-0123456789abcdef0", deviceName: "/dev/sdf", sizeGiB: UNKNOWN }]) }],
      ["the zone unknown", { availabilityZone: set(UNKNOWN) }],
      ["the volume type unknown beside io2 IOPS", { volumeType: set(UNKNOWN), iops: set(64_000), throughput: remove }],
      ["iops unknown", { iops: set(UNKNOWN) }],
      ["throughput unknown", { throughput: set(UNKNOWN) }],
      ["encrypted unknown", { encrypted: set(UNKNOWN) }],
      ["the KMS key unknown", { kmsKeyId: set(UNKNOWN) }],
      ["copyTagsFromSnapshots unknown", { copyTagsFromSnapshots: set(UNKNOWN) }],
      ["attach unknown", { attach: set(UNKNOWN) }],
      ["the instance to attach to unknown", { attach: set({ instanceId: UNKNOWN }) }],
      ["initialization unknown", { initialization: set(UNKNOWN) }],
      ["the initialization rate unknown", { initialization: set({ rateMiBps: UNKNOWN }) }],
      [
        "every input unknown",
        {
          snapshots: set(UNKNOWN),
          availabilityZone: set(UNKNOWN),
          volumeType: set(UNKNOWN),
          iops: set(UNKNOWN),
          throughput: set(UNKNOWN),
          attach: set(UNKNOWN),
          initialization: set(UNKNOWN),
          tags: set(UNKNOWN),
          timeouts: set(UNKNOWN),
        },
      ],
    ];
    const shared = common.filter(([, changes]) => Object.keys(changes).every((key) => VOLUME_SET_COMMON.has(key)));
    return [...own, ...shared].map(([label, changes]) => ({ label, changes }));
  }
  const own: [string, Record<string, Change>][] =
    resource === "Snapshot"
      ? [
          ["the volume id unknown", { volumeId: set(UNKNOWN) }],
          ["every input unknown", { volumeId: set(UNKNOWN), description: set(UNKNOWN), tags: set(UNKNOWN), waitForCompletion: set(UNKNOWN), timeouts: set(UNKNOWN) }],
        ]
      : [
          ["the instance id unknown", { instanceId: set(UNKNOWN) }],
          ["excludeBootVolume unknown", { excludeBootVolume: set(UNKNOWN) }],
          ["copyTagsFromSource unknown", { copyTagsFromSource: set(UNKNOWN) }],
          ["the whole exclusion list unknown", { excludeDataVolumeIds: set(UNKNOWN) }],
          ["one excluded id unknown", { excludeDataVolumeIds: set([UNKNOWN, "vol-0fedcba9876543210"]) }],
          ["every input unknown", { instanceId: set(UNKNOWN), excludeDataVolumeIds: set(UNKNOWN), tags: set(UNKNOWN), copyTagsFromSource: set(UNKNOWN), timeouts: set(UNKNOWN) }],
        ];
  return [...own, ...common].map(([label, changes]) => ({ label, changes }));
}
