import assert from "node:assert/strict";
import { CREATE_TOKEN_TAG } from "../../../provider/inputs/tags";
import { UNKNOWN } from "../../../provider/inputs/unknown";
import { fieldsOf, validateInputs, type CheckFailure } from "../../../provider/inputs/validate";
import { SNAPSHOT_SPEC } from "../../../provider/resources/snapshot/spec";
import { SNAPSHOT_SET_SPEC } from "../../../provider/resources/snapshotSet/spec";

const validateSnapshotInputs = (props: Record<string, unknown>): CheckFailure[] => validateInputs(fieldsOf(SNAPSHOT_SPEC), props);
const validateSnapshotSetInputs = (props: Record<string, unknown>): CheckFailure[] => validateInputs(fieldsOf(SNAPSHOT_SET_SPEC), props);

const VOLUME = "vol-0123456789abcdef0";
const INSTANCE = "i-0123456789abcdef0";
const OUTPOST = "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0";
const SNAPSHOT_KEYS = "volumeId, storageTier, restore, description, outpostArn, region, tags, waitForCompletion, timeouts, sharing, lock";
const SET_KEYS = "instanceId, excludeBootVolume, excludeDataVolumeIds, copyTagsFromSource, description, outpostArn, region, tags, waitForCompletion, timeouts, sharing, lock";

/** n distinct, well-formed volume ids. */
function volumeIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`);
}

function tagMap(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `value${i}`]));
}

function snapshot(extra: Record<string, unknown>): CheckFailure[] {
  return validateSnapshotInputs({ volumeId: VOLUME, ...extra });
}

function snapshotSet(extra: Record<string, unknown>): CheckFailure[] {
  return validateSnapshotSetInputs({ instanceId: INSTANCE, ...extra });
}

describe("validateSnapshotInputs", () => {
  describe("accepted inputs", () => {
    it("accepts every input set to a valid value, with the host's housekeeping keys", () => {
      // given a Snapshot that uses every input, as the SDK passes it to check
      const props = {
        volumeId: VOLUME,
        description: "nightly",
        outpostArn: OUTPOST,
        region: "us-gov-west-1",
        tags: { team: "db" },
        waitForCompletion: false,
        timeouts: { create: "1h30m", update: "10m", delete: "90s" },
        __provider: "exports.handler = ...",
        __logicalName: "db",
      };
      // when validated, then nothing fails
      assert.deepEqual(validateSnapshotInputs(props), []);
    });

    it("accepts the legacy 8-digit volume id form", () => {
      assert.deepEqual(validateSnapshotInputs({ volumeId: "vol-0123abcd" }), []);
    });

    it("accepts regions of every partition", () => {
      assert.deepEqual(
        ["us-east-1", "cn-north-1", "us-gov-west-1", "ap-southeast-2", "us-isob-east-1", "eusc-de-east-1"].map((region) => snapshot({ region })),
        [[], [], [], [], [], []],
      );
    });

    it("treats null like an absent optional input, as diff does", () => {
      assert.deepEqual(snapshot({ description: null, tags: null, waitForCompletion: null, timeouts: null }), []);
    });
  });

  describe("volumeId", () => {
    it("requires volumeId", () => {
      assert.deepEqual(validateSnapshotInputs({}), [{ property: "volumeId", reason: "volumeId is required" }]);
    });

    it("requires volumeId when it is null", () => {
      assert.deepEqual(validateSnapshotInputs({ volumeId: null }), [{ property: "volumeId", reason: "volumeId is required" }]);
    });

    it("rejects a volume id of the wrong kind, naming volumeId", () => {
      // given an instance id where a volume id belongs
      const failures = validateSnapshotInputs({ volumeId: INSTANCE });
      // then the failure points at volumeId and shows what was given
      assert.deepEqual(failures, [{ property: "volumeId", reason: `volumeId must be an EBS volume id such as vol-0123456789abcdef0, got "${INSTANCE}"` }]);
    });

    it("rejects a malformed volume id", () => {
      assert.deepEqual(validateSnapshotInputs({ volumeId: "vol-XYZ" }), [
        { property: "volumeId", reason: 'volumeId must be an EBS volume id such as vol-0123456789abcdef0, got "vol-XYZ"' },
      ]);
    });

    it("rejects a volume id with a hex part of the wrong length", () => {
      assert.deepEqual(validateSnapshotInputs({ volumeId: "vol-0123456789abcdef" }), [
        { property: "volumeId", reason: 'volumeId must be an EBS volume id such as vol-0123456789abcdef0, got "vol-0123456789abcdef"' },
      ]);
    });

    it("rejects a number for volumeId, naming its type", () => {
      assert.deepEqual(validateSnapshotInputs({ volumeId: 12345 }), [
        { property: "volumeId", reason: "volumeId must be an EBS volume id such as vol-0123456789abcdef0, got a number" },
      ]);
    });

    it("rejects an object for volumeId, naming its type", () => {
      assert.deepEqual(validateSnapshotInputs({ volumeId: { id: VOLUME } }), [
        { property: "volumeId", reason: "volumeId must be an EBS volume id such as vol-0123456789abcdef0, got an object" },
      ]);
    });

    it("keeps the message short for a huge volume id", () => {
      // given a megabyte-long string
      const failures = validateSnapshotInputs({ volumeId: `vol-${"a".repeat(1_000_000)}` });
      // then the value is cut to 57 characters plus an ellipsis
      assert.deepEqual(failures, [
        {
          property: "volumeId",
          reason: `volumeId must be an EBS volume id such as vol-0123456789abcdef0, got "vol-${"a".repeat(52)}…"`,
        },
      ]);
    });
  });

  describe("description", () => {
    it("accepts 255 characters counted as code points, even when they are emoji", () => {
      // given 255 emoji, which are 510 UTF-16 code units
      assert.deepEqual(snapshot({ description: "😀".repeat(255) }), []);
    });

    it("rejects 256 emoji, counting code points", () => {
      assert.deepEqual(snapshot({ description: "😀".repeat(256) }), [{ property: "description", reason: "description must be at most 255 characters, got 256" }]);
    });

    it("keeps the message short for a huge description", () => {
      assert.deepEqual(snapshot({ description: "x".repeat(1_000_000) }), [{ property: "description", reason: "description must be at most 255 characters, got 1000000" }]);
    });

    it("rejects a non-string description", () => {
      assert.deepEqual(snapshot({ description: ["a"] }), [{ property: "description", reason: "description must be a string, got a list" }]);
    });
  });

  describe("tags", () => {
    it("accepts 50 tags", () => {
      assert.deepEqual(snapshot({ tags: tagMap(50) }), []);
    });

    it("rejects 51 tags at the first key too many in sorted order, whatever order they came in", () => {
      const reversed = Object.fromEntries(Object.entries(tagMap(51)).reverse());
      assert.deepEqual(
        [snapshot({ tags: tagMap(51) }), snapshot({ tags: reversed })],
        [
          [{ property: 'tags["key9"]', reason: "tags has 51 tags; EC2 allows at most 50 per snapshot" }],
          [{ property: 'tags["key9"]', reason: "tags has 51 tags; EC2 allows at most 50 per snapshot" }],
        ],
      );
    });

    it("rejects an empty key and a blank key, each at its own path", () => {
      assert.deepEqual(snapshot({ tags: { "": "a", "  ": "b" } }), [
        { property: 'tags[""]', reason: "tag keys must not be empty" },
        { property: 'tags["  "]', reason: "tag keys must not be empty" },
      ]);
    });

    it("accepts a 128-character key and rejects a 129-character one", () => {
      const ok = "k".repeat(128);
      const long = "k".repeat(129);
      assert.deepEqual(snapshot({ tags: { [ok]: "v", [long]: "v" } }), [{ property: `tags["${long}"]`, reason: "tag key is 129 characters; EC2 allows at most 128" }]);
    });

    it("accepts a 256-character value and rejects a 257-character one", () => {
      assert.deepEqual(snapshot({ tags: { ok: "v".repeat(256), long: "v".repeat(257) } }), [
        { property: 'tags["long"]', reason: "tag value is 257 characters; EC2 allows at most 256" },
      ]);
    });

    it("rejects keys with the reserved aws: prefix in any case", () => {
      assert.deepEqual(snapshot({ tags: { "aws:backup": "a", "AWS:Backup": "b", awsome: "c" } }), [
        { property: 'tags["aws:backup"]', reason: 'tag keys starting with "aws:" are reserved for AWS' },
        { property: 'tags["AWS:Backup"]', reason: 'tag keys starting with "aws:" are reserved for AWS' },
      ]);
    });

    it("rejects the provider's create-token key", () => {
      assert.deepEqual(snapshot({ tags: { [CREATE_TOKEN_TAG]: "x" } }), [
        {
          property: 'tags["pulumi-ebs-snapshots:create-token"]',
          reason: "tag key pulumi-ebs-snapshots:create-token is reserved for the provider's create token",
        },
      ]);
    });

    it("rejects non-string values, naming each type", () => {
      assert.deepEqual(snapshot({ tags: { n: 5, b: true, z: null, o: {}, l: [] } }), [
        { property: 'tags["n"]', reason: "tag values must be strings, got a number" },
        { property: 'tags["b"]', reason: "tag values must be strings, got a boolean" },
        { property: 'tags["z"]', reason: "tag values must be strings, got null" },
        { property: 'tags["o"]', reason: "tag values must be strings, got an object" },
        { property: 'tags["l"]', reason: "tag values must be strings, got a list" },
      ]);
    });

    it("reports a bad key and a bad value of one tag together", () => {
      assert.deepEqual(snapshot({ tags: { "aws:x": 1 } }), [
        { property: 'tags["aws:x"]', reason: 'tag keys starting with "aws:" are reserved for AWS' },
        { property: 'tags["aws:x"]', reason: "tag values must be strings, got a number" },
      ]);
    });

    it("rejects a list for tags", () => {
      assert.deepEqual(snapshot({ tags: [["team", "db"]] }), [{ property: "tags", reason: "tags must be a map of tag keys to string values, got a list" }]);
    });

    it("rejects a string for tags", () => {
      assert.deepEqual(snapshot({ tags: "team=db" }), [{ property: "tags", reason: "tags must be a map of tag keys to string values, got a string" }]);
    });
  });

  describe("waitForCompletion, region and outpostArn", () => {
    it('rejects the string "true" for waitForCompletion', () => {
      assert.deepEqual(snapshot({ waitForCompletion: "true" }), [{ property: "waitForCompletion", reason: "waitForCompletion must be true or false, got a string" }]);
    });

    it("rejects an upper-case region and an availability zone, naming the region meant", () => {
      assert.deepEqual(
        [snapshot({ region: "US-EAST-1" }), snapshot({ region: "us-east-1a" }), snapshot({ region: "virginia" })],
        [
          [{ property: "region", reason: 'region must be an AWS region such as us-east-1, got "US-EAST-1": it is written in capitals; regions are lower case; use "us-east-1"' }],
          [
            {
              property: "region",
              reason: 'region must be an AWS region such as us-east-1, got "us-east-1a": it is an availability zone of us-east-1, not a region; use "us-east-1"',
            },
          ],
          [
            {
              property: "region",
              reason:
                'region must be an AWS region such as us-east-1, got "virginia": it matches no AWS partition\'s region pattern (such as us-east-1, eu-west-2, cn-north-1, us-gov-west-1)',
            },
          ],
        ],
      );
    });

    it("rejects an Outpost ARN without an outpost id", () => {
      assert.deepEqual(snapshot({ outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost" }), [
        {
          property: "outpostArn",
          reason:
            'outpostArn must be an Outpost ARN such as arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0, got "arn:aws:outposts:us-east-1:123456789012:outpost"',
        },
      ]);
    });
  });

  describe("timeouts", () => {
    it("rejects a duration without a unit, at timeouts.create", () => {
      assert.deepEqual(snapshot({ timeouts: { create: "10" } }), [
        { property: "timeouts.create", reason: 'timeouts.create must be a positive duration such as "90s", "10m" or "2h", got "10"' },
      ]);
    });

    it("rejects zero and numeric durations", () => {
      assert.deepEqual(snapshot({ timeouts: { update: "0s", delete: 600 } }), [
        { property: "timeouts.update", reason: 'timeouts.update must be a positive duration such as "90s", "10m" or "2h", got "0s"' },
        { property: "timeouts.delete", reason: 'timeouts.delete must be a positive duration such as "90s", "10m" or "2h", got 600' },
      ]);
    });

    it("rejects an unknown timeout key", () => {
      assert.deepEqual(snapshot({ timeouts: { read: "5m" } }), [{ property: "timeouts.read", reason: 'unknown timeout "read"; expected one of create, update, delete' }]);
    });

    it("rejects a string for timeouts", () => {
      assert.deepEqual(snapshot({ timeouts: "10m" }), [{ property: "timeouts", reason: "timeouts must be an object with create, update and delete durations, got a string" }]);
    });

    it("keeps the message short for a huge duration and a huge timeout key", () => {
      const key = "k".repeat(5_000);
      const failures = snapshot({ timeouts: { create: "9".repeat(100_000), [key]: "1m" } });
      assert.deepEqual(failures, [
        {
          property: "timeouts.create",
          reason: `timeouts.create must be a positive duration such as "90s", "10m" or "2h", got "${"9".repeat(56)}…"`,
        },
        { property: `timeouts.${"k".repeat(40)}…(5000 characters)`, reason: `unknown timeout "${"k".repeat(56)}…"; expected one of create, update, delete` },
      ]);
    });
  });

  describe("huge keys in property paths", () => {
    it("names a tag key of any length EC2 could accept whole, and cuts a huge one, giving its length", () => {
      const huge = "k".repeat(300_000);
      const failures = snapshot({ tags: { [huge]: "v" } });
      assert.deepEqual(failures, [{ property: `tags["${"k".repeat(40)}…(300000 characters)"]`, reason: "tag key is 300000 characters; EC2 allows at most 128" }]);
    });

    it("refuses the tag key __proto__, which Pulumi's JavaScript runtime cannot carry", () => {
      const tags = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
      assert.deepEqual(snapshot({ tags }), [{ property: 'tags["__proto__"]', reason: "tag key __proto__ cannot be managed through Pulumi's JavaScript runtime" }]);
    });
  });

  describe("unknown properties", () => {
    it("rejects a misspelt property, listing the expected ones", () => {
      assert.deepEqual(snapshot({ volumeID: VOLUME }), [{ property: "volumeID", reason: `unknown property "volumeID"; expected one of ${SNAPSHOT_KEYS}` }]);
    });

    it("rejects property names inherited from Object.prototype", () => {
      // given names that exist on every plain object's prototype but are not inputs
      const failures = snapshot({ constructor: "x", toString: "y", hasOwnProperty: 1 });
      // then each one is an unknown property
      assert.deepEqual(failures, [
        { property: "constructor", reason: `unknown property "constructor"; expected one of ${SNAPSHOT_KEYS}` },
        { property: "toString", reason: `unknown property "toString"; expected one of ${SNAPSHOT_KEYS}` },
        { property: "hasOwnProperty", reason: `unknown property "hasOwnProperty"; expected one of ${SNAPSHOT_KEYS}` },
      ]);
    });

    it("rejects a SnapshotSet input on a Snapshot", () => {
      assert.deepEqual(snapshot({ excludeBootVolume: true }), [
        { property: "excludeBootVolume", reason: `unknown property "excludeBootVolume"; expected one of ${SNAPSHOT_KEYS}` },
      ]);
    });

    it("keeps the message short for a huge property name", () => {
      const name = "p".repeat(5_000);
      assert.deepEqual(snapshot({ [name]: 1 }), [
        { property: `${"p".repeat(40)}…(5000 characters)`, reason: `unknown property "${"p".repeat(56)}…"; expected one of ${SNAPSHOT_KEYS}` },
      ]);
    });
  });

  describe("unknown values during preview", () => {
    it("accepts the unknown sentinel in every input, whatever its type", () => {
      // given every input unknown, as the host sends them during preview
      const props = {
        volumeId: UNKNOWN,
        description: UNKNOWN,
        outpostArn: UNKNOWN,
        region: UNKNOWN,
        tags: UNKNOWN,
        waitForCompletion: UNKNOWN,
        timeouts: UNKNOWN,
      };
      const before = structuredClone(props);
      // when validated, then nothing fails and nothing is coerced
      assert.deepEqual(validateSnapshotInputs(props), []);
      assert.deepEqual(props, before);
    });

    it("accepts the unknown sentinel inside tags and timeouts", () => {
      const props = { tags: { team: UNKNOWN }, timeouts: { create: UNKNOWN } };
      assert.deepEqual(snapshot(props), []);
      assert.deepEqual(props, { tags: { team: UNKNOWN }, timeouts: { create: UNKNOWN } });
    });
  });

  it("reports every failure of one input set, in input order", () => {
    assert.deepEqual(validateSnapshotInputs({ volumeId: 1, waitForCompletion: "no", extra: true }), [
      { property: "volumeId", reason: "volumeId must be an EBS volume id such as vol-0123456789abcdef0, got a number" },
      { property: "waitForCompletion", reason: "waitForCompletion must be true or false, got a string" },
      { property: "extra", reason: `unknown property "extra"; expected one of ${SNAPSHOT_KEYS}` },
    ]);
  });
});

describe("validateSnapshotSetInputs", () => {
  it("accepts every input set to a valid value", () => {
    assert.deepEqual(
      snapshotSet({
        excludeBootVolume: true,
        excludeDataVolumeIds: volumeIds(40),
        copyTagsFromSource: true,
        description: "set",
        outpostArn: OUTPOST,
        region: "cn-north-1",
        tags: tagMap(50),
        waitForCompletion: true,
        timeouts: { create: "2h" },
        __provider: "p",
        __logicalName: "set",
      }),
      [],
    );
  });

  it("requires instanceId", () => {
    assert.deepEqual(validateSnapshotSetInputs({}), [{ property: "instanceId", reason: "instanceId is required" }]);
  });

  it("rejects a volume id given as instanceId, naming instanceId", () => {
    assert.deepEqual(validateSnapshotSetInputs({ instanceId: VOLUME }), [
      { property: "instanceId", reason: `instanceId must be an EC2 instance id such as i-0123456789abcdef0, got "${VOLUME}"` },
    ]);
  });

  it("rejects 41 excluded volumes", () => {
    assert.deepEqual(snapshotSet({ excludeDataVolumeIds: volumeIds(41) }), [
      { property: "excludeDataVolumeIds", reason: "excludeDataVolumeIds lists 41 volumes; EC2 allows at most 40" },
    ]);
  });

  it("rejects a duplicate exclusion at the index of its second listing", () => {
    const [a, b] = volumeIds(2);
    assert.deepEqual(snapshotSet({ excludeDataVolumeIds: [a, b, a] }), [{ property: "excludeDataVolumeIds[2]", reason: `${a} is listed twice in excludeDataVolumeIds` }]);
  });

  it("rejects a malformed and a mistyped exclusion at their indexes", () => {
    const [a] = volumeIds(1);
    assert.deepEqual(snapshotSet({ excludeDataVolumeIds: [a, INSTANCE, 7] }), [
      {
        property: "excludeDataVolumeIds[1]",
        reason: `excludeDataVolumeIds[1] must be an EBS volume id such as vol-0123456789abcdef0, got "${INSTANCE}"`,
      },
      { property: "excludeDataVolumeIds[2]", reason: "excludeDataVolumeIds[2] must be an EBS volume id such as vol-0123456789abcdef0, got a number" },
    ]);
  });

  it("skips unknown exclusions without counting them as duplicates", () => {
    const [a] = volumeIds(1);
    assert.deepEqual(snapshotSet({ excludeDataVolumeIds: [UNKNOWN, a, UNKNOWN] }), []);
  });

  it("rejects a single volume id string for excludeDataVolumeIds", () => {
    assert.deepEqual(snapshotSet({ excludeDataVolumeIds: VOLUME }), [
      { property: "excludeDataVolumeIds", reason: "excludeDataVolumeIds must be a list of volume ids, got a string" },
    ]);
  });

  it("rejects non-boolean flags", () => {
    assert.deepEqual(snapshotSet({ excludeBootVolume: "yes", copyTagsFromSource: 1 }), [
      { property: "excludeBootVolume", reason: "excludeBootVolume must be true or false, got a string" },
      { property: "copyTagsFromSource", reason: "copyTagsFromSource must be true or false, got a number" },
    ]);
  });

  it("rejects a Snapshot input on a SnapshotSet", () => {
    assert.deepEqual(snapshotSet({ volumeId: VOLUME }), [{ property: "volumeId", reason: `unknown property "volumeId"; expected one of ${SET_KEYS}` }]);
  });

  it("accepts the unknown sentinel in every input", () => {
    assert.deepEqual(
      validateSnapshotSetInputs({
        instanceId: UNKNOWN,
        excludeBootVolume: UNKNOWN,
        excludeDataVolumeIds: UNKNOWN,
        copyTagsFromSource: UNKNOWN,
        tags: UNKNOWN,
      }),
      [],
    );
  });
});

describe("lock, storageTier and restore inputs", () => {
  const reasons = (props: Record<string, unknown>): string[] => snapshot(props).map((f) => `${f.property}: ${f.reason}`);

  it("accepts a governance lock for some days, and a compliance lock to a date with a cool-off", () => {
    assert.deepEqual(snapshot({ lock: { mode: "governance", duration: "30d" } }), []);
    assert.deepEqual(snapshot({ lock: { mode: "compliance", expiresAt: "2030-01-01T00:00:00Z", coolOffHours: 72 } }), []);
  });

  it("refuses a lock without a mode, with both or neither end, with a duration not in whole days, or a cool-off in governance mode", () => {
    assert.deepEqual(reasons({ lock: { duration: "30d" } }), ['lock.mode: lock.mode is required: "governance" or "compliance"']);
    assert.deepEqual(reasons({ lock: { mode: "governance", duration: "30d", expiresAt: "2030-01-01T00:00:00Z" } }), [
      'lock.expiresAt: lock needs exactly one of duration (such as "30d") and expiresAt (an ISO 8601 time), got both',
    ]);
    assert.deepEqual(reasons({ lock: { mode: "compliance" } }), [
      'lock.duration: lock needs exactly one of duration (such as "30d") and expiresAt (an ISO 8601 time), got neither',
    ]);
    assert.deepEqual(reasons({ lock: { mode: "governance", duration: "12h" } }), [
      'lock.duration: lock.duration must be a whole number of days such as "30d" (1 to 36500), got "12h"',
    ]);
    assert.deepEqual(reasons({ lock: { mode: "governance", duration: "1d", coolOffHours: 2 } }), [
      "lock.coolOffHours: lock.coolOffHours applies to compliance mode only; a governance lock has no cool-off period",
    ]);
    assert.deepEqual(reasons({ lock: { mode: "compliance", duration: "1d", coolOffHours: 73 } }), [
      "lock.coolOffHours: lock.coolOffHours must be a whole number of hours from 1 to 72, got 73",
    ]);
    assert.deepEqual(reasons({ lock: { mode: "strict", expiresAt: "tomorrow" } }), [
      'lock.mode: lock.mode must be "governance" or "compliance", got "strict"',
      'lock.expiresAt: lock.expiresAt must be an ISO 8601 time such as "2027-06-30T00:00:00Z", got "tomorrow"',
    ]);
  });

  it("refuses a storage tier EC2 does not have, and a restore that is both or neither", () => {
    assert.deepEqual(reasons({ storageTier: "glacier" }), ['storageTier: storageTier must be "standard" or "archive", got "glacier"']);
    assert.deepEqual(reasons({ restore: { temporaryDays: 200 } }), ["restore.temporaryDays: restore.temporaryDays must be a whole number of days from 1 to 180, got 200"]);
    assert.deepEqual(reasons({ restore: { temporaryDays: 3, permanent: true } }), ["restore.permanent: restore is either temporary (temporaryDays) or permanent, not both"]);
    assert.deepEqual(reasons({ restore: { permanent: false } }), [
      "restore.temporaryDays: restore.permanent is false, so restore.temporaryDays must say for how many days to restore",
    ]);
  });
});
