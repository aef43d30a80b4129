import assert from "node:assert/strict";
import { diffInputs, diffResource, diffRulesOf, type DiffRule } from "../../../provider/inputs/diff";
import { UNKNOWN } from "../../../provider/inputs/unknown";
import { fieldsOf } from "../../../provider/inputs/validate";
import { SNAPSHOT_SPEC } from "../../../provider/resources/snapshot/spec";
import { SNAPSHOT_SET_SPEC } from "../../../provider/resources/snapshotSet/spec";

type Props = Record<string, unknown>;

const SNAPSHOT_DIFF_RULES = diffRulesOf(SNAPSHOT_SPEC);
const SNAPSHOT_SET_DIFF_RULES = diffRulesOf(SNAPSHOT_SET_SPEC);

const NO_CHANGES = { changes: false, replaces: [], deleteBeforeReplace: false, updates: [] };

/** Inputs of a Snapshot as a program gives them. */
const SNAPSHOT_INPUTS: Props = {
  volumeId: "vol-0123456789abcdef0",
  description: "nightly",
  outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
  region: "us-east-1",
  tags: { team: "db", env: "prod" },
  waitForCompletion: true,
  timeouts: { create: "10m" },
  __logicalName: "db",
};

const SET_INPUTS: Props = {
  instanceId: "i-0123456789abcdef0",
  excludeBootVolume: false,
  excludeDataVolumeIds: ["vol-00000000000000001", "vol-00000000000000002"],
  description: "set",
  copyTagsFromSource: false,
  outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
  region: "us-east-1",
  tags: { team: "db" },
  waitForCompletion: true,
  timeouts: { create: "10m" },
  __logicalName: "set",
};

/** A different valid value for every input either table knows. */
const CHANGED: Props = {
  volumeId: "vol-0fedcba9876543210",
  instanceId: "i-0fedcba9876543210",
  description: "weekly",
  outpostArn: "arn:aws:outposts:us-west-2:123456789012:outpost/op-0fedcba9876543210",
  region: "eu-west-1",
  tags: { team: "web" },
  waitForCompletion: false,
  timeouts: { create: "20m" },
  excludeBootVolume: true,
  excludeDataVolumeIds: ["vol-00000000000000003"],
  copyTagsFromSource: true,
  sharing: { accountIds: ["111122223333"] },
  lock: { mode: "governance", duration: "7d" },
  storageTier: "archive",
  restore: { temporaryDays: 3 },
  __logicalName: "renamed",
};

/** The previous outputs: the inputs echoed, plus what create recorded. */
function outputsOf(inputs: Props, extra: Props = {}): Props {
  return { ...structuredClone(inputs), __provider: "old provider text", state: "completed", ...extra };
}

function inputsWith(inputs: Props, changes: Props): Props {
  return { ...structuredClone(inputs), __provider: "new provider text", ...changes };
}

const TABLES: [label: string, rules: Readonly<Record<string, DiffRule>>, inputs: Props, fields: Readonly<Record<string, unknown>>][] = [
  ["Snapshot", SNAPSHOT_DIFF_RULES, SNAPSHOT_INPUTS, fieldsOf(SNAPSHOT_SPEC)],
  ["SnapshotSet", SNAPSHOT_SET_DIFF_RULES, SET_INPUTS, fieldsOf(SNAPSHOT_SET_SPEC)],
];

for (const [label, rules, inputs, fields] of TABLES) {
  describe(`${label} diff table`, () => {
    it("has a rule for every validated input and for the SDK's __logicalName and __urn, and nothing else", () => {
      assert.deepEqual(Object.keys(rules).sort(), [...Object.keys(fields), "__logicalName", "__urn"].sort());
    });

    it("never changes anything for a URN that appears or differs (state from SDKs that sent none)", () => {
      assert.deepEqual(diffInputs(rules, outputsOf(inputs), inputsWith(inputs, { __urn: "urn:pulumi:s::p::t::renamed" })), NO_CHANGES);
    });

    it("finds no changes when the inputs are those recorded", () => {
      assert.deepEqual(diffInputs(rules, outputsOf(inputs), inputsWith(inputs, {})), NO_CHANGES);
    });

    for (const [name, rule] of Object.entries(rules)) {
      if (rule.kind === "replace") {
        it(`replaces the snapshot when ${name} changes`, () => {
          // given a recorded resource, when only this replace-kind input changes
          const result = diffInputs(rules, outputsOf(inputs), inputsWith(inputs, { [name]: CHANGED[name] }));
          // then the resource is replaced because of it alone
          assert.deepEqual(result, { changes: true, replaces: [name], deleteBeforeReplace: false, updates: [] });
        });

        it(`replaces the snapshot when ${name} is unknown during preview`, () => {
          const result = diffInputs(rules, outputsOf(inputs), inputsWith(inputs, { [name]: UNKNOWN }));
          assert.deepEqual(result, { changes: true, replaces: [name], deleteBeforeReplace: false, updates: [] });
        });
      } else if (rule.kind === "update") {
        it(`updates the snapshot in place when ${name} changes`, () => {
          const result = diffInputs(rules, outputsOf(inputs), inputsWith(inputs, { [name]: CHANGED[name] }));
          assert.deepEqual(result, { changes: true, replaces: [], deleteBeforeReplace: false, updates: [name] });
        });

        it(`updates the snapshot in place when ${name} is unknown during preview`, () => {
          const result = diffInputs(rules, outputsOf(inputs), inputsWith(inputs, { [name]: UNKNOWN }));
          assert.deepEqual(result, { changes: true, replaces: [], deleteBeforeReplace: false, updates: [name] });
        });
      } else {
        it(`ignores a change of ${name}`, () => {
          assert.deepEqual(diffInputs(rules, outputsOf(inputs), inputsWith(inputs, { [name]: CHANGED[name] })), NO_CHANGES);
        });
      }
    }

    for (const [name, rule] of Object.entries(rules)) {
      if (!("absent" in rule)) {
        continue;
      }
      it(`treats an absent ${name} and its default ${JSON.stringify(rule.absent)} as equal, both ways`, () => {
        // given one side that omits the input and another that gives its default
        const withoutIt = { ...inputs, [name]: undefined };
        const withDefault = { ...inputs, [name]: rule.absent };
        // then neither direction is a change
        assert.deepEqual(
          [diffInputs(rules, outputsOf(withoutIt), inputsWith(withDefault, {})), diffInputs(rules, outputsOf(withDefault), inputsWith(withoutIt, {}))],
          [NO_CHANGES, NO_CHANGES],
        );
      });
    }

    it("keeps the recorded region when the new inputs leave region to the environment", () => {
      // given state that recorded the resolved region, and inputs without one
      const olds = outputsOf(inputs, { region: "ap-southeast-2" });
      assert.deepEqual(
        [diffInputs(rules, olds, inputsWith(inputs, { region: undefined })), diffInputs(rules, olds, inputsWith(inputs, { region: null }))],
        [NO_CHANGES, NO_CHANGES],
      );
    });

    it("replaces the snapshot when a region is given and differs from the recorded one", () => {
      const olds = outputsOf({ ...inputs, region: "ap-southeast-2" });
      assert.deepEqual(diffInputs(rules, olds, inputsWith(inputs, { region: "us-east-1" })), {
        changes: true,
        replaces: ["region"],
        deleteBeforeReplace: false,
        updates: [],
      });
    });

    it("does not count a change of the serialized provider alone", () => {
      const news = { ...structuredClone(inputs), __provider: "entirely different provider text" };
      assert.deepEqual(diffInputs(rules, outputsOf(inputs), news), NO_CHANGES);
    });

    it("does not count a different key order in tags", () => {
      const olds = outputsOf({ ...inputs, tags: { a: "1", b: "2" } });
      assert.deepEqual(diffInputs(rules, olds, inputsWith(inputs, { tags: { b: "2", a: "1" } })), NO_CHANGES);
    });

    it("ignores outputs that are not inputs", () => {
      const olds = outputsOf(inputs, { snapshotId: "snap-0123456789abcdef0", arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0", progress: 100 });
      assert.deepEqual(diffInputs(rules, olds, inputsWith(inputs, {})), NO_CHANGES);
    });
  });
}

describe("Snapshot diff defaults", () => {
  it("treats waitForCompletion undefined as true", () => {
    const olds = outputsOf({ ...SNAPSHOT_INPUTS, waitForCompletion: true });
    assert.deepEqual(diffInputs(SNAPSHOT_DIFF_RULES, olds, inputsWith(SNAPSHOT_INPUTS, { waitForCompletion: undefined })), NO_CHANGES);
  });

  it("treats tags undefined as no tags", () => {
    const olds = outputsOf({ ...SNAPSHOT_INPUTS, tags: {} });
    assert.deepEqual(diffInputs(SNAPSHOT_DIFF_RULES, olds, inputsWith(SNAPSHOT_INPUTS, { tags: undefined })), NO_CHANGES);
  });

  it("updates tags when the recorded tags drifted from the inputs", () => {
    // given outputs whose tags are what EC2 has, with a tag added outside Pulumi
    const olds = outputsOf({ ...SNAPSHOT_INPUTS, tags: { team: "db", env: "prod", extra: "x" } });
    assert.deepEqual(diffInputs(SNAPSHOT_DIFF_RULES, olds, inputsWith(SNAPSHOT_INPUTS, {})), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      updates: ["tags"],
    });
  });
});

describe("SnapshotSet diff of excludeDataVolumeIds", () => {
  it("does not count a different order of the excluded volumes", () => {
    const olds = outputsOf(SET_INPUTS);
    const news = inputsWith(SET_INPUTS, { excludeDataVolumeIds: ["vol-00000000000000002", "vol-00000000000000001"] });
    assert.deepEqual(diffInputs(SNAPSHOT_SET_DIFF_RULES, olds, news), NO_CHANGES);
  });

  it("replaces the set when one excluded volume is unknown during preview", () => {
    const news = inputsWith(SET_INPUTS, { excludeDataVolumeIds: ["vol-00000000000000001", UNKNOWN] });
    assert.deepEqual(diffInputs(SNAPSHOT_SET_DIFF_RULES, outputsOf(SET_INPUTS), news), {
      changes: true,
      replaces: ["excludeDataVolumeIds"],
      deleteBeforeReplace: false,
      updates: [],
    });
  });
});

describe("diffResource", () => {
  it("resumes waiting, as an update, for a pending snapshot the program waits for", () => {
    // given a snapshot recorded as pending and inputs that leave waitForCompletion at its default
    const olds = outputsOf(SNAPSHOT_INPUTS, { state: "pending" });
    const news = inputsWith(SNAPSHOT_INPUTS, { waitForCompletion: undefined });
    // then diff asks for an update, so that update resumes the wait
    assert.deepEqual(diffResource(SNAPSHOT_DIFF_RULES, olds, news), { changes: true, replaces: [], deleteBeforeReplace: false, updates: ["state"] });
  });

  it("leaves a pending snapshot alone when the program does not wait", () => {
    const inputs = { ...SNAPSHOT_INPUTS, waitForCompletion: false };
    const olds = outputsOf(inputs, { state: "pending" });
    assert.deepEqual(diffResource(SNAPSHOT_DIFF_RULES, olds, inputsWith(inputs, {})), NO_CHANGES);
  });

  it("replaces a snapshot in error, deleting it first", () => {
    const olds = outputsOf(SNAPSHOT_INPUTS, { state: "error" });
    assert.deepEqual(diffResource(SNAPSHOT_DIFF_RULES, olds, inputsWith(SNAPSHOT_INPUTS, {})), {
      changes: true,
      replaces: ["state"],
      deleteBeforeReplace: true,
      updates: [],
    });
  });

  it("keeps the input replaces beside the state of a set in error", () => {
    const olds = outputsOf(SET_INPUTS, { state: "error" });
    const news = inputsWith(SET_INPUTS, { instanceId: CHANGED.instanceId, tags: CHANGED.tags });
    assert.deepEqual(diffResource(SNAPSHOT_SET_DIFF_RULES, olds, news), {
      changes: true,
      replaces: ["instanceId", "state"],
      deleteBeforeReplace: true,
      updates: ["tags"],
    });
  });

  it("passes the input diff through for a completed snapshot", () => {
    const olds = outputsOf(SNAPSHOT_INPUTS);
    assert.deepEqual(diffResource(SNAPSHOT_DIFF_RULES, olds, inputsWith(SNAPSHOT_INPUTS, { description: "weekly" })), {
      changes: true,
      replaces: ["description"],
      deleteBeforeReplace: false,
      updates: [],
    });
  });
});
