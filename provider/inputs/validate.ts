import { LOGICAL_NAME_KEY, URN_KEY } from "./bookkeepingInputs";
import { COMMON_INPUT_NAMES } from "./commonInputs";
import { parseDuration } from "./duration";
import { invalidRegionReason, judgeRegion, noteUnknownRegion } from "./region";
import { roundTripProblem } from "./roundTrip";
import { CREATE_TOKEN_TAG, MAX_TAGS } from "./tags";
import type { ResourceSpec, RuleName } from "./spec";
import { isUnknown } from "./unknown";
import { INITIALIZATION_RATE, isVolumeType, VOLUME_TYPES } from "./volumeTypes";

/** A rejected input, as the Pulumi engine shows it: which property, and why. */
export interface CheckFailure {
  property: string;
  reason: string;
}

type Props = Record<string, unknown>;
/** Returns the failures of one property's value; values still unknown during preview never reach a rule. */
type Rule = (value: unknown, property: string) => CheckFailure[];

// Limits, each from the EC2 documentation page named beside it.
/** CreateSnapshot: "Description ... Up to 255 characters". */
const MAX_DESCRIPTION = 255;
/** Tagging your Amazon EC2 resources: keys up to 128 Unicode characters, values up to 256. */
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;
/** CreateSnapshots: "ExcludeDataVolumeIds ... up to 40 volumes". */
export const MAX_EXCLUDED_VOLUMES = 40;

const VOLUME_ID = /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const OUTPOST_ARN = /^arn:aws[a-z-]*:outposts:[a-z0-9-]+:\d{12}:outpost\/op-[0-9a-f]{17}$/;
const TIMEOUT_KEYS = ["create", "update", "delete"] as const;
/** Keys every resource may carry besides its declared inputs: the host's `__provider` and the SDK's bookkeeping inputs. */
const HOUSEKEEPING_KEYS = new Set(["__provider", LOGICAL_NAME_KEY, URN_KEY]);

/** Unicode characters, as EC2 counts them, not UTF-16 code units. */
function length(text: string): number {
  return [...text].length;
}

/** Shows a value in a message without flooding it. */
function show(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : Array.isArray(value)
        ? "a list"
        : value === null
          ? "null"
          : typeof value === "object"
            ? "an object"
            : typeof value === "number" || typeof value === "boolean" || value === undefined
              ? String(value)
              : typeof value;
  return length(text) > 60 ? `${[...text].slice(0, 57).join("")}…"` : text;
}

/** Longer than any key EC2 accepts (tag keys: 128), so a path names any plausible key whole. */
const MAX_PATH_KEY = 200;

/** A key as it appears in a property path: whole up to MAX_PATH_KEY characters, cut with its length beyond. */
function pathKey(key: string): string {
  return length(key) > MAX_PATH_KEY ? `${[...key].slice(0, 40).join("")}…(${length(key)} characters)` : key;
}

function typeName(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fail(property: string, reason: string): CheckFailure[] {
  return [{ property, reason }];
}

function pattern(regex: RegExp, what: string, example: string): Rule {
  return (value, property) => {
    if (typeof value !== "string") {
      return fail(property, `${property} must be ${what} such as ${example}, got ${typeName(value)}`);
    }
    return regex.test(value) ? [] : fail(property, `${property} must be ${what} such as ${example}, got ${show(value)}`);
  };
}

const volumeId = pattern(VOLUME_ID, "an EBS volume id", "vol-0123456789abcdef0");
const instanceId = pattern(INSTANCE_ID, "an EC2 instance id", "i-0123456789abcdef0");
/**
 * A region by the AWS SDK's partition data (inputs/region.ts): refused when it matches no partition's
 * pattern; one shaped right but unknown to this SDK gets one line naming `from`. The resources' `region`
 * inputs and the plugin's provider configuration are checked alike.
 */
export function regionFailures(value: unknown, property: string, from: string): CheckFailure[] {
  const expected = `${property} must be an AWS region such as us-east-1`;
  if (typeof value !== "string") {
    return fail(property, `${expected}, got ${typeName(value)}`);
  }
  const verdict = judgeRegion(value);
  if (verdict.kind === "unknown") {
    noteUnknownRegion(value, from);
  }
  if (verdict.kind !== "invalid") {
    return [];
  }
  const instead = verdict.nearest === undefined ? "" : `; use "${verdict.nearest.region}"`;
  return fail(property, `${expected}, got ${show(value)}: ${invalidRegionReason(verdict.nearest)}${instead}`);
}

const region: Rule = (value, property) => regionFailures(value, property, `the resource's \`${property}\` input`);
const outpostArn = pattern(OUTPOST_ARN, "an Outpost ARN", "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0");

const boolean: Rule = (value, property) => (typeof value === "boolean" ? [] : fail(property, `${property} must be true or false, got ${typeName(value)}`));

const description: Rule = (value, property) => {
  if (typeof value !== "string") {
    return fail(property, `${property} must be a string, got ${typeName(value)}`);
  }
  if (length(value) > MAX_DESCRIPTION) {
    return fail(property, `${property} must be at most ${MAX_DESCRIPTION} characters, got ${length(value)}`);
  }
  const problem = roundTripProblem(value);
  return problem === undefined ? [] : fail(property, `${property} ${problem}`);
};

/** Tagging your Amazon EC2 resources: 50 tags per resource, reserved `aws:` prefix, key and value lengths. */
const tags: Rule = (value, property) => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail(property, `${property} must be a map of tag keys to string values, got ${typeName(value)}`);
  }
  const entries = Object.entries(value);
  const failures: CheckFailure[] = [];
  if (entries.length > MAX_TAGS) {
    // Named at one key, so that the CLI shows that key rather than the whole map in front of the reason.
    // A map's keys reach the provider in no order the program chose (the engine sorts them), so the
    // key named is the first one too many in sorted order, the same however the program wrote them.
    const tooMany = entries.map(([key]) => key).sort()[MAX_TAGS];
    failures.push({
      property: `${property}[${JSON.stringify(pathKey(tooMany))}]`,
      reason: `${property} has ${entries.length} tags; EC2 allows at most ${MAX_TAGS} per snapshot`,
    });
  }
  for (const [key, tagValue] of entries) {
    const at = `${property}[${JSON.stringify(pathKey(key))}]`;
    if (length(key.trim()) === 0) {
      failures.push({ property: at, reason: `tag keys must not be empty` });
    } else if (length(key) > MAX_TAG_KEY) {
      failures.push({ property: at, reason: `tag key is ${length(key)} characters; EC2 allows at most ${MAX_TAG_KEY}` });
    } else if (key.toLowerCase().startsWith("aws:")) {
      failures.push({ property: at, reason: `tag keys starting with "aws:" are reserved for AWS` });
    } else if (key === CREATE_TOKEN_TAG) {
      failures.push({ property: at, reason: `tag key ${key} is reserved for the provider's create token` });
    } else if (key === "__proto__") {
      // A JavaScript object cannot carry this key through Pulumi's serialization; it would be dropped silently.
      failures.push({ property: at, reason: `tag key __proto__ cannot be managed through Pulumi's JavaScript runtime` });
    } else if (roundTripProblem(key) !== undefined) {
      failures.push({ property: at, reason: `the tag key ${roundTripProblem(key)}` });
    }
    if (isUnknown(tagValue)) {
      continue;
    }
    if (typeof tagValue !== "string") {
      failures.push({ property: at, reason: `tag values must be strings, got ${typeName(tagValue)}` });
    } else if (length(tagValue) > MAX_TAG_VALUE) {
      failures.push({ property: at, reason: `tag value is ${length(tagValue)} characters; EC2 allows at most ${MAX_TAG_VALUE}` });
    } else if (roundTripProblem(tagValue) !== undefined) {
      failures.push({ property: at, reason: `the tag value ${roundTripProblem(tagValue)}` });
    }
  }
  return failures;
};

const timeouts: Rule = (value, property) => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail(property, `${property} must be an object with create, update and delete durations, got ${typeName(value)}`);
  }
  const failures: CheckFailure[] = [];
  for (const [key, duration] of Object.entries(value)) {
    const at = `${property}.${pathKey(key)}`;
    if (!(TIMEOUT_KEYS as readonly string[]).includes(key)) {
      failures.push({ property: at, reason: `unknown timeout ${show(key)}; expected one of ${TIMEOUT_KEYS.join(", ")}` });
    } else if (isUnknown(duration)) {
      continue;
    } else if (typeof duration !== "string" || parseDuration(duration) === undefined) {
      failures.push({ property: at, reason: `${at} must be a positive duration such as "90s", "10m" or "2h", got ${show(duration)}` });
    }
  }
  return failures;
};

/** CreateSnapshots: at most 40 excluded data volumes, each a volume id, none twice. */
const excludedVolumes: Rule = (value, property) => {
  if (!Array.isArray(value)) {
    return fail(property, `${property} must be a list of volume ids, got ${typeName(value)}`);
  }
  const failures: CheckFailure[] = [];
  if (value.length > MAX_EXCLUDED_VOLUMES) {
    failures.push({ property, reason: `${property} lists ${value.length} volumes; EC2 allows at most ${MAX_EXCLUDED_VOLUMES}` });
  }
  const seen = new Set<string>();
  value.forEach((item, index) => {
    const at = `${property}[${index}]`;
    if (isUnknown(item)) {
      return;
    }
    const itemFailures = volumeId(item, at);
    failures.push(...itemFailures);
    if (itemFailures.length === 0 && typeof item === "string") {
      if (seen.has(item)) {
        failures.push({ property: at, reason: `${item} is listed twice in ${property}` });
      }
      seen.add(item);
    }
  });
  return failures;
};

const SNAPSHOT_ID = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const snapshotId = pattern(SNAPSHOT_ID, "an EBS snapshot id", "snap-0123456789abcdef0");

/** A KMS key as EC2 accepts it: a key id, an alias, or a key or alias ARN. */
const KMS_KEY =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/[A-Za-z0-9-]+|alias\/[A-Za-z0-9/_-]+))$/;
const kmsKeyId = pattern(KMS_KEY, "a KMS key id, alias or ARN", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");

/** CopySnapshot: "CompletionDurationMinutes ... 15 to 2880, in 15-minute increments". */
export const COMPLETION_MINUTES = { min: 15, max: 2880, step: 15 } as const;
const completionMinutes: Rule = (value, property) =>
  typeof value === "number" && Number.isInteger(value) && value >= COMPLETION_MINUTES.min && value <= COMPLETION_MINUTES.max && value % COMPLETION_MINUTES.step === 0
    ? []
    : fail(
        property,
        `${property} must be a whole number of minutes from ${COMPLETION_MINUTES.min} to ${COMPLETION_MINUTES.max} in steps of ${COMPLETION_MINUTES.step}, got ${typeof value === "number" ? String(value) : typeName(value)}`,
      );

const ACCOUNT_ID = /^\d{12}$/;

/** sharing: 12-digit account ids, none twice, and `public` a boolean; the owner is refused once known (sharing.ts). */
const sharing: Rule = (value, property) => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail(property, `${property} must be an object with accountIds and public, got ${typeName(value)}`);
  }
  const failures: CheckFailure[] = [];
  for (const [key, item] of Object.entries(value)) {
    const at = `${property}.${pathKey(key)}`;
    if (isUnknown(item)) {
      continue;
    }
    if (key === "public") {
      failures.push(...boolean(item, at));
    } else if (key !== "accountIds") {
      failures.push({ property: at, reason: `unknown sharing setting ${show(key)}; expected accountIds or public` });
    } else if (!Array.isArray(item)) {
      failures.push({ property: at, reason: `${at} must be a list of 12-digit AWS account ids, got ${typeName(item)}` });
    } else {
      const seen = new Set<string>();
      item.forEach((account, index) => {
        const each = `${at}[${index}]`;
        if (isUnknown(account)) {
          return;
        }
        if (typeof account !== "string" || !ACCOUNT_ID.test(account)) {
          failures.push({ property: each, reason: `${each} must be a 12-digit AWS account id such as 123456789012, got ${show(account)}` });
        } else if (seen.has(account)) {
          failures.push({ property: each, reason: `${account} is listed twice in ${at}` });
        }
        if (typeof account === "string") {
          seen.add(account);
        }
      });
    }
  }
  return failures;
};

/** LockSnapshot: LockDuration is whole days, 1 to 36500. */
export const LOCK_DAYS = { min: 1, max: 36500 } as const;
/** LockSnapshot: CoolOffPeriod is whole hours, 1 to 72. */
export const COOL_OFF_HOURS = { min: 1, max: 72 } as const;
/** RestoreSnapshotTier: TemporaryRestoreDays, 1 to 180. */
export const RESTORE_DAYS = { min: 1, max: 180 } as const;
const LOCK_DURATION = /^(\d+)d$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** "30d" → 30; undefined unless it is a whole number of days EC2 accepts. */
export function lockDays(duration: string): number | undefined {
  const match = LOCK_DURATION.exec(duration.trim());
  const days = match === null ? Number.NaN : Number(match[1]);
  return Number.isInteger(days) && days >= LOCK_DAYS.min && days <= LOCK_DAYS.max ? days : undefined;
}

function wholeIn(value: unknown, range: { min: number; max: number }): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** "a, b or c". */
function alternatives(names: readonly string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

type KeyRule = (item: unknown, at: string, given: Readonly<Record<string, unknown>>) => CheckFailure[];

/**
 * A rule for an object input: each known key's own rule (values still unknown in preview skipped),
 * unknown keys named, then `whole` for what relates the keys. Absent and null entries count as not given.
 */
function objectRule(
  name: string,
  shape: string,
  keys: Readonly<Record<string, KeyRule>>,
  whole: (given: Readonly<Record<string, unknown>>, property: string) => CheckFailure[],
): Rule {
  return (value, property) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return fail(property, `${property} must be an object with ${shape}, got ${typeName(value)}`);
    }
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    const given = Object.fromEntries(entries);
    const failures: CheckFailure[] = [];
    for (const [key, item] of entries) {
      const at = `${property}.${pathKey(key)}`;
      if (isUnknown(item)) {
        continue;
      }
      const rule = Object.hasOwn(keys, key) ? keys[key] : undefined;
      failures.push(...(rule?.(item, at, given) ?? [{ property: at, reason: `unknown ${name} setting ${show(key)}; expected ${alternatives(Object.keys(keys))}` }]));
    }
    return [...failures, ...whole(given, property)];
  };
}

/**
 * lock: a mode, exactly one of a duration in days or an expiry time, and a cool-off only in compliance
 * mode. Whether an expiry is still in the future is checked when the lock is sent, not here: a lock
 * that has expired must not make every later preview fail.
 */
const lock: Rule = objectRule(
  "lock",
  "mode and duration or expiresAt",
  {
    mode: (item, at) => (item === "governance" || item === "compliance" ? [] : fail(at, `${at} must be "governance" or "compliance", got ${show(item)}`)),
    duration: (item, at) =>
      typeof item === "string" && lockDays(item) !== undefined
        ? []
        : fail(at, `${at} must be a whole number of days such as "30d" (${LOCK_DAYS.min} to ${LOCK_DAYS.max}), got ${show(item)}`),
    expiresAt: (item, at) =>
      typeof item === "string" && ISO_TIME.test(item) && !Number.isNaN(Date.parse(item))
        ? []
        : fail(at, `${at} must be an ISO 8601 time such as "2027-06-30T00:00:00Z", got ${show(item)}`),
    coolOffHours: (item, at, given) =>
      !wholeIn(item, COOL_OFF_HOURS)
        ? fail(at, `${at} must be a whole number of hours from ${COOL_OFF_HOURS.min} to ${COOL_OFF_HOURS.max}, got ${show(item)}`)
        : given.mode === "governance"
          ? fail(at, `${at} applies to compliance mode only; a governance lock has no cool-off period`)
          : [],
  },
  (given, property) => {
    const failures: CheckFailure[] = [];
    if (!Object.hasOwn(given, "mode")) {
      failures.push({ property: `${property}.mode`, reason: `${property}.mode is required: "governance" or "compliance"` });
    }
    const hasDuration = Object.hasOwn(given, "duration");
    if (hasDuration === Object.hasOwn(given, "expiresAt")) {
      failures.push({
        property: hasDuration ? `${property}.expiresAt` : `${property}.duration`,
        reason: `${property} needs exactly one of duration (such as "30d") and expiresAt (an ISO 8601 time), got ${hasDuration ? "both" : "neither"}`,
      });
    }
    return failures;
  },
);

const storageTier: Rule = (value, property) =>
  value === "standard" || value === "archive" ? [] : fail(property, `${property} must be "standard" or "archive", got ${show(value)}`);

/** restore: a temporary restore for 1 to 180 days, or a permanent one; not both. */
const restore: Rule = objectRule(
  "restore",
  "temporaryDays or permanent",
  {
    temporaryDays: (item, at) =>
      wholeIn(item, RESTORE_DAYS) ? [] : fail(at, `${at} must be a whole number of days from ${RESTORE_DAYS.min} to ${RESTORE_DAYS.max}, got ${show(item)}`),
    permanent: (item, at) => boolean(item, at),
  },
  (given, property) => {
    if (Object.hasOwn(given, "temporaryDays") && given.permanent === true) {
      return fail(`${property}.permanent`, `${property} is either temporary (temporaryDays) or permanent, not both`);
    }
    if (given.permanent === false && !Object.hasOwn(given, "temporaryDays")) {
      return fail(`${property}.temporaryDays`, `${property}.permanent is false, so ${property}.temporaryDays must say for how many days to restore`);
    }
    return [];
  },
);

/** A whole number above zero (provisioned IOPS, throughput); the volume type's own range is checked with the type. */
const wholeNumber: Rule = (value, property) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? [] : fail(property, `${property} must be a whole number above 0, got ${show(value)}`);

const volumeType: Rule = (value, property) =>
  isVolumeType(value) ? [] : fail(property, `${property} must be one of ${alternatives(VOLUME_TYPES.map((type) => `"${type}"`))}, got ${show(value)}`);

/** us-east-1a, and Local Zones such as us-west-2-lax-1a. */
const AVAILABILITY_ZONE = /^[a-z]{2}(?:-[a-z0-9]+)+[a-z]$/;
const availabilityZone: Rule = (value, property) =>
  typeof value === "string" && AVAILABILITY_ZONE.test(value) && /\d[a-z]$/.test(value)
    ? []
    : fail(property, `${property} must be an availability zone such as "us-east-1a" (a region and a letter), got ${show(value)}`);

/** Linux device names (/dev/sdf, /dev/xvdf) and Windows ones (xvdf). */
const DEVICE_NAME = /^(?:\/dev\/[a-z0-9]+|xvd[a-z]{1,2})$/;
/** CreateVolume: at most 64 TiB (gp3 and io2). */
const MAX_VOLUME_GIB = 65_536;
/** The fields of a SnapshotSet's `snapshots` entries, which a VolumeSet takes as they are and ignores. */
const SET_MEMBER_FIELDS = new Set([
  "volumeId",
  "volumeSize",
  "encrypted",
  "kmsKeyId",
  "state",
  "stateMessage",
  "progress",
  "startTime",
  "tags",
  "productCodes",
  "lockState",
  "lockExpiresOn",
]);

const restoreEntry: Rule = objectRule(
  "snapshots entry",
  "snapshotId, and optionally deviceName and sizeGiB",
  {
    snapshotId: (item, at) => snapshotId(item, at),
    deviceName: (item, at) => (typeof item === "string" && DEVICE_NAME.test(item) ? [] : fail(at, `${at} must be a device name such as "/dev/sdf" or "xvdf", got ${show(item)}`)),
    sizeGiB: (item, at) => (wholeIn(item, { min: 1, max: MAX_VOLUME_GIB }) ? [] : fail(at, `${at} must be a whole number of GiB from 1 to ${MAX_VOLUME_GIB}, got ${show(item)}`)),
    ...Object.fromEntries([...SET_MEMBER_FIELDS].map((key): [string, KeyRule] => [key, () => []])),
  },
  (given, property) => (Object.hasOwn(given, "snapshotId") ? [] : fail(`${property}.snapshotId`, `${property}.snapshotId is required`)),
);

/** The volumes of one restore: as many as a SnapshotSet covers. */
export const MAX_RESTORE_ENTRIES = 40;

/** The snapshots of a restore: at most 40, each at most once, each device name at most once. */
const restoreEntries: Rule = (value, property) => {
  if (!Array.isArray(value)) {
    return fail(property, `${property} must be a list of {snapshotId, deviceName?, sizeGiB?}, got ${typeName(value)}`);
  }
  if (value.length === 0) {
    return fail(property, `${property} must list at least one snapshot`);
  }
  if (value.length > MAX_RESTORE_ENTRIES) {
    return fail(property, `${property} may list at most ${MAX_RESTORE_ENTRIES} snapshots, got ${value.length}`);
  }
  const failures = value.flatMap((entry, i) => (isUnknown(entry) ? [] : restoreEntry(entry, `${property}[${i}]`)));
  for (const key of ["snapshotId", "deviceName"] as const) {
    const seen = new Map<string, number>();
    value.forEach((entry, i) => {
      const item = entry !== null && typeof entry === "object" ? (entry as Record<string, unknown>)[key] : undefined;
      if (typeof item !== "string") {
        return;
      }
      const first = seen.get(item);
      if (first !== undefined) {
        failures.push({
          property: `${property}[${i}].${key}`,
          reason: `${property}[${i}].${key} ${show(item)} is also ${property}[${first}].${key}; each ${key === "snapshotId" ? "snapshot is restored once" : "device takes one volume"}`,
        });
      } else {
        seen.set(item, i);
      }
    });
  }
  return failures;
};

const attach: Rule = objectRule(
  "attach",
  "instanceId and optionally forceDetachOnDelete",
  {
    instanceId: (item, at) => instanceId(item, at),
    forceDetachOnDelete: (item, at) => boolean(item, at),
  },
  (given, property) => (Object.hasOwn(given, "instanceId") ? [] : fail(`${property}.instanceId`, `${property}.instanceId is required: the instance to attach the volumes to`)),
);

const initialization: Rule = objectRule(
  "initialization",
  "rateMiBps or fastSnapshotRestore",
  {
    rateMiBps: (item, at) =>
      wholeIn(item, INITIALIZATION_RATE) ? [] : fail(at, `${at} must be a whole number of MiB/s from ${INITIALIZATION_RATE.min} to ${INITIALIZATION_RATE.max}, got ${show(item)}`),
    fastSnapshotRestore: (item, at) => boolean(item, at),
  },
  (given, property) => {
    const rate = Object.hasOwn(given, "rateMiBps");
    const fast = given.fastSnapshotRestore === true;
    if (rate && fast) {
      return fail(`${property}.fastSnapshotRestore`, `${property} is either a rate (rateMiBps) or fast snapshot restore, not both`);
    }
    return rate || fast || isUnknown(given.fastSnapshotRestore)
      ? []
      : fail(property, `${property} needs rateMiBps (${INITIALIZATION_RATE.min} to ${INITIALIZATION_RATE.max}) or fastSnapshotRestore: true`);
  },
);

/** One rule for each name a spec may give an input (RuleName, InputSpec.rule). */
const RULES = {
  volumeId,
  instanceId,
  snapshotId,
  region,
  outpostArn,
  kmsKeyId,
  completionMinutes,
  boolean,
  description,
  tags,
  timeouts,
  sharing,
  lock,
  storageTier,
  restore,
  excludedVolumes,
  restoreEntries,
  availabilityZone,
  volumeType,
  wholeNumber,
  attach,
  initialization,
} satisfies Readonly<Record<RuleName, Rule>>;

interface Field {
  rule: Rule;
  required?: boolean;
}

/**
 * The validation table of a resource, from its spec. It lists the resource's own inputs before the common
 * ones, the order in which "expected one of" has always named them.
 */
export function fieldsOf(spec: ResourceSpec): Readonly<Record<string, Field>> {
  const names = Object.keys(spec.inputs);
  const ordered = [...names.filter((name) => !COMMON_INPUT_NAMES.includes(name)), ...names.filter((name) => COMMON_INPUT_NAMES.includes(name))];
  return Object.fromEntries(ordered.map((name) => [name, { rule: RULES[spec.inputs[name].rule], ...(spec.inputs[name].required ? { required: true } : {}) }]));
}

/** Every input rule of one resource, applied before any API call. */
export function validateInputs(fields: Readonly<Record<string, Field>>, props: Props): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const value = props[name];
    if (value === undefined || value === null) {
      if (field.required) {
        failures.push({ property: name, reason: `${name} is required` });
      }
      continue;
    }
    if (!isUnknown(value)) {
      failures.push(...field.rule(value, name));
    }
  }
  for (const name of Object.keys(props)) {
    if (!Object.hasOwn(fields, name) && !HOUSEKEEPING_KEYS.has(name)) {
      failures.push({ property: pathKey(name), reason: `unknown property ${show(name)}; expected one of ${Object.keys(fields).join(", ")}` });
    }
  }
  return failures;
}

/**
 * The inputs of a resource, picked by its field table from check's news or from recorded state (which
 * echoes them); absent and null values are left out.
 */
export function inputsFrom<T>(fields: Readonly<Record<string, Field>>, props: Props): T {
  const keys = [...Object.keys(fields), LOGICAL_NAME_KEY];
  return Object.fromEntries(keys.filter((key) => props[key] !== undefined && props[key] !== null).map((key) => [key, props[key]])) as T;
}
