/**
 * What each resource spec promises, checked against the behaviour derived from it: the limits and
 * defaults its documentation names are the ones validation and diff apply.
 */
import assert from "node:assert/strict";
import { diffInputs, diffRulesOf, type DiffRule } from "../../../provider/inputs/diff";
import { parseDuration } from "../../../provider/inputs/duration";
import { TIMEOUTS } from "../../../provider/inputs/commonInputs";
import { fieldsOf, validateInputs, type CheckFailure } from "../../../provider/inputs/validate";
import { SNAPSHOT_SPEC } from "../../../provider/resources/snapshot/spec";
import { SNAPSHOT_COPY_SPEC } from "../../../provider/resources/snapshotCopy/spec";
import { SNAPSHOT_SET_SPEC } from "../../../provider/resources/snapshotSet/spec";
import { VOLUME_SET_SPEC } from "../../../provider/resources/volumeSet/spec";
import { DEFAULT_TIMEOUTS_MS } from "../../../provider/lifecycle/timeouts";
import { registeredResources } from "../../../scripts/generate/registry";

type Props = Record<string, unknown>;

/** How each resource's inputs are checked and diffed; a spec without a row here fails. */
const BEHAVIOUR: Readonly<Record<string, { validate: (props: Props) => CheckFailure[]; rules: Readonly<Record<string, DiffRule>>; validBase: Props }>> = {
  Snapshot: {
    validate: (props) => validateInputs(fieldsOf(SNAPSHOT_SPEC), props),
    rules: diffRulesOf(SNAPSHOT_SPEC),
    validBase: { volumeId: "vol-0123456789abcdef0" },
  },
  SnapshotSet: {
    validate: (props) => validateInputs(fieldsOf(SNAPSHOT_SET_SPEC), props),
    rules: diffRulesOf(SNAPSHOT_SET_SPEC),
    validBase: { instanceId: "i-0123456789abcdef0" },
  },
  SnapshotCopy: {
    validate: (props) => validateInputs(fieldsOf(SNAPSHOT_COPY_SPEC), props),
    rules: diffRulesOf(SNAPSHOT_COPY_SPEC),
    validBase: { sourceSnapshotId: "snap-0123456789abcdef0" },
  },
  VolumeSet: {
    validate: (props) => validateInputs(fieldsOf(VOLUME_SET_SPEC), props),
    rules: diffRulesOf(VOLUME_SET_SPEC),
    validBase: { snapshots: [{ snapshotId: "snap-0123456789abcdef0" }], availabilityZone: "us-east-1a" },
  },
};

const sorted = (names: Iterable<string>): string[] => [...names].sort();

function tagMap(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `value${i}`]));
}

function volumeIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`);
}

/** The number a doc names through `pattern`; fails the test when the doc does not name it. */
function namedLimit(doc: string | undefined, pattern: RegExp, what: string): number {
  const match = pattern.exec(doc ?? "");
  assert.ok(match, `the doc should name ${what} (matching ${pattern}); it reads: ${doc}`);
  return Number(match[1]);
}

function failuresAt(failures: CheckFailure[], property: string): CheckFailure[] {
  return failures.filter((f) => f.property === property || f.property.startsWith(`${property}[`) || f.property.startsWith(`${property}.`));
}

/** The limits each input's doc names, with the pattern that finds them: every "at most N" must be one. */
const LIMITS: Readonly<Record<string, readonly RegExp[]>> = {
  description: [/at most (\d+) characters/],
  tags: [/at most (\d+) tags/, /each key at most (\d+) characters/, /each value at most (\d+) characters/],
  excludeDataVolumeIds: [/at most (\d+) volume ids/],
};

for (const { spec } of registeredResources()) {
  const behaviour = BEHAVIOUR[spec.typeName];
  const doc = (name: string): string | undefined => spec.inputs[name]?.doc;
  const validate = (extra: Props): CheckFailure[] => behaviour.validate({ ...behaviour.validBase, ...extra });

  describe(`${spec.typeName} spec`, () => {
    it("has its validation and diff behaviour under test here", () => {
      assert.ok(behaviour, `no BEHAVIOUR row for ${spec.typeName}`);
      assert.deepEqual(behaviour.validate(behaviour.validBase), []);
    });

    it("reports each required input, and only those, as missing from empty inputs", () => {
      const missing = behaviour
        .validate({})
        .filter((f) => /is required$/.test(f.reason))
        .map((f) => f.property);
      const required = Object.entries(spec.inputs).filter(([, input]) => input.required === true);
      assert.ok(required.length > 0);
      assert.deepEqual(sorted(missing), sorted(required.map(([name]) => name)));
    });

    if ("description" in spec.inputs) {
      it("enforces the description length its doc names: N characters pass, N+1 fail", () => {
        const limit = namedLimit(doc("description"), LIMITS.description[0], "a length limit");
        assert.deepEqual(validate({ description: "d".repeat(limit) }), []);
        assert.equal(failuresAt(validate({ description: "d".repeat(limit + 1) }), "description").length, 1);
      });
    }

    it("enforces the tag count its doc names: N tags pass, N+1 fail", () => {
      const limit = namedLimit(doc("tags"), LIMITS.tags[0], "a tag count");
      assert.deepEqual(validate({ tags: tagMap(limit) }), []);
      assert.equal(failuresAt(validate({ tags: tagMap(limit + 1) }), "tags").length, 1);
    });

    it("enforces the tag key and value lengths its doc names", () => {
      const key = namedLimit(doc("tags"), LIMITS.tags[1], "a tag key length");
      const value = namedLimit(doc("tags"), LIMITS.tags[2], "a tag value length");
      const check = (tags: Record<string, string>): CheckFailure[] => failuresAt(validate({ tags }), "tags");
      assert.deepEqual(check({ ["k".repeat(key)]: "v" }), []);
      assert.equal(check({ ["k".repeat(key + 1)]: "v" }).length, 1);
      assert.deepEqual(check({ k: "v".repeat(value) }), []);
      assert.equal(check({ k: "v".repeat(value + 1) }).length, 1);
    });

    it("rejects the tag keys its doc reserves", () => {
      assert.match(doc("tags") ?? "", /may not start with `aws:`/);
      const reserved = /The key `([^`]+)` is reserved/.exec(doc("tags") ?? "")?.[1];
      assert.ok(reserved, "the doc should name the reserved create-token key");
      for (const key of ["aws:createdBy", "AWS:team", reserved]) {
        assert.equal(failuresAt(validate({ tags: { [key]: "x" } }), "tags").length, 1, key);
      }
    });

    if ("excludeDataVolumeIds" in spec.inputs) {
      it("enforces the excluded-volume count its doc names: N ids pass, N+1 fail", () => {
        const limit = namedLimit(doc("excludeDataVolumeIds"), LIMITS.excludeDataVolumeIds[0], "an id count");
        assert.deepEqual(validate({ excludeDataVolumeIds: volumeIds(limit) }), []);
        assert.equal(failuresAt(validate({ excludeDataVolumeIds: volumeIds(limit + 1) }), "excludeDataVolumeIds").length, 1);
      });
    }

    it("names no 'at most N' limit in an input doc that these tests do not probe", () => {
      for (const [name, input] of Object.entries(spec.inputs)) {
        const probed = (LIMITS[name] ?? []).map((pattern) => namedLimit(input.doc, pattern, `a limit of ${name}`));
        for (const [, n] of input.doc.matchAll(/at most (\d+)/g)) {
          assert.ok(probed.includes(Number(n)), `input ${name} names "at most ${n}", which no test here checks`);
        }
      }
    });

    it("accepts every duration the timeouts doc gives as an example, and refuses prose", () => {
      const examples = [...(doc("timeouts") ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      assert.ok(examples.length >= 3, "the timeouts doc should show duration examples");
      for (const duration of examples) {
        assert.deepEqual(validate({ timeouts: { create: duration, update: duration, delete: duration } }), [], duration);
      }
      assert.equal(failuresAt(validate({ timeouts: { create: "ten minutes" } }), "timeouts").length, 1);
    });

    it("says 'Changing it replaces' in the doc of exactly the inputs whose change replaces", () => {
      const saying = Object.entries(spec.inputs).filter(([, input]) => /Changing it replaces/.test(input.doc));
      const replacing = Object.entries(behaviour.rules).filter(([, rule]) => rule.kind === "replace");
      assert.deepEqual(sorted(saying.map(([name]) => name)), sorted(replacing.map(([name]) => name)));
    });

    it("treats an absent input as its documented default: giving the default later changes nothing", () => {
      const defaulted = Object.entries(spec.inputs).filter(([, input]) => input.default !== undefined);
      assert.ok(defaulted.length > 0);
      for (const [name, input] of defaulted) {
        assert.deepEqual(validate({ [name]: input.default }), [], name);
        const result = diffInputs(behaviour.rules, behaviour.validBase, { ...behaviour.validBase, [name]: input.default });
        assert.deepEqual(result, { changes: false, replaces: [], deleteBeforeReplace: false, updates: [] }, name);
      }
    });
  });
}

describe("Timeouts spec", () => {
  it("documents as defaults the provider's default deadlines", () => {
    assert.deepEqual(sorted(Object.keys(TIMEOUTS.properties)), sorted(Object.keys(DEFAULT_TIMEOUTS_MS)));
    for (const [operation, ms] of Object.entries(DEFAULT_TIMEOUTS_MS)) {
      const field = TIMEOUTS.properties[operation as keyof typeof TIMEOUTS.properties];
      assert.equal(parseDuration(field.default), ms, `Timeouts.${operation}`);
      assert.ok(field.doc.includes(`Default "${field.default}"`), `the doc of ${operation} should name its default`);
    }
  });
});
