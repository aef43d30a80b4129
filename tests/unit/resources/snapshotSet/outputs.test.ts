import assert from "node:assert/strict";
import type { Snapshot, SnapshotInfo } from "@aws-sdk/client-ec2";
import { memberTags, snapshotFromInfo, snapshotSetOutputs, type MemberFacts } from "../../../../provider/resources/snapshotSet/outputs";
import { CREATE_TOKEN_TAG } from "../../../../provider/inputs/tags";
import type { SnapshotSetInputs } from "../../../../provider/types";

const INSTANCE_ID = "i-0123456789abcdef0";
const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/abcd";
const STARTED = new Date("2025-01-15T12:00:00.000Z");

const INPUTS: SnapshotSetInputs = { instanceId: INSTANCE_ID, tags: { team: "web" }, __logicalName: "web" };

/** A member as DescribeSnapshots describes it. */
function member(n: number, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    SnapshotId: `snap-${n.toString(16).padStart(17, "0")}`,
    VolumeId: `vol-${n.toString(16).padStart(17, "0")}`,
    State: "completed",
    Progress: "100%",
    StartTime: STARTED,
    VolumeSize: 8 + n,
    Encrypted: false,
    Tags: [
      { Key: "team", Value: "web" },
      { Key: CREATE_TOKEN_TAG, Value: "token" },
    ],
    ...extra,
  };
}

const NO_FACTS: MemberFacts = { deviceNames: new Map(), productCodes: new Map() };

describe("snapshotFromInfo", () => {
  it("keeps every field of a CreateSnapshots item", () => {
    const info: SnapshotInfo = {
      SnapshotId: "snap-1",
      VolumeId: "vol-1",
      State: "pending",
      Progress: "0%",
      StartTime: STARTED,
      VolumeSize: 8,
      Encrypted: true,
      OwnerId: "123456789012",
      Description: "nightly",
      OutpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
      Tags: [{ Key: "team", Value: "web" }],
    };
    assert.deepEqual(snapshotFromInfo(info), { ...info });
  });

  it("leaves State absent when the answer has none (moto), so the member counts as pending", () => {
    const { State: _state, ...withoutState } = member(1);
    const outputs = snapshotSetOutputs(INPUTS, [snapshotFromInfo(withoutState)], NO_FACTS, "us-east-1");
    assert.equal(snapshotFromInfo(withoutState).State, undefined);
    assert.equal(outputs.state, "pending");
    assert.equal(outputs.snapshots[0].state, "pending");
  });
});

describe("memberTags", () => {
  it("gives each member's user tags, without AWS's keys and the create token", () => {
    const members = [member(1, { Tags: [...(member(1).Tags ?? []), { Key: "aws:backup", Value: "x" }] }), member(2, { Tags: undefined })];
    assert.deepEqual(memberTags(members), [{ team: "web" }, {}]);
  });
});

describe("snapshotSetOutputs", () => {
  it("echoes the inputs and describes every member with its device, key and product codes", () => {
    // given a completed set of two members, one encrypted with a marketplace product code
    const members = [member(1), member(2, { Encrypted: true, KmsKeyId: KMS_KEY, StateMessage: "" })];
    const facts: MemberFacts = {
      deviceNames: new Map([
        ["vol-00000000000000001", "/dev/xvda"],
        ["vol-00000000000000002", "/dev/sdf"],
      ]),
      productCodes: new Map([["snap-00000000000000002", [{ productCodeId: "code", productCodeType: "marketplace" }]]]),
    };
    const inputs: SnapshotSetInputs & { __provider: string } = {
      ...INPUTS,
      excludeBootVolume: false,
      excludeDataVolumeIds: [],
      description: "nightly",
      copyTagsFromSource: false,
      waitForCompletion: true,
      timeouts: { create: "10m" },
      __provider: "provider text",
    };

    assert.deepEqual(snapshotSetOutputs(inputs, members, facts, "us-east-1"), {
      instanceId: INSTANCE_ID,
      excludeBootVolume: false,
      excludeDataVolumeIds: [],
      description: "nightly",
      copyTagsFromSource: false,
      waitForCompletion: true,
      timeouts: { create: "10m" },
      __logicalName: "web",
      snapshotIds: ["snap-00000000000000001", "snap-00000000000000002"],
      snapshots: [
        {
          snapshotId: "snap-00000000000000001",
          volumeId: "vol-00000000000000001",
          deviceName: "/dev/xvda",
          volumeSize: 9,
          encrypted: false,
          state: "completed",
          progress: 100,
          startTime: "2025-01-15T12:00:00.000Z",
          tags: { team: "web" },
          productCodes: [],
        },
        {
          snapshotId: "snap-00000000000000002",
          volumeId: "vol-00000000000000002",
          deviceName: "/dev/sdf",
          volumeSize: 10,
          encrypted: true,
          kmsKeyId: KMS_KEY,
          state: "completed",
          progress: 100,
          startTime: "2025-01-15T12:00:00.000Z",
          tags: { team: "web" },
          productCodes: [{ productCodeId: "code", productCodeType: "marketplace" }],
        },
      ],
      state: "completed",
      encrypted: false,
      tags: { team: "web" },
      region: "us-east-1",
    });
  });

  it("produces only plain JSON values, which the host can encode", () => {
    const outputs = snapshotSetOutputs(INPUTS, [member(1), member(2, { State: "error", StateMessage: "broken" })], NO_FACTS, "us-east-1", ["snap-3"]);
    assert.deepEqual(JSON.parse(JSON.stringify(outputs)), outputs);
  });

  describe("state", () => {
    const cases: [label: string, states: (Snapshot["State"] | undefined)[], expected: string][] = [
      ["completed when every member is", ["completed", "completed", "completed"], "completed"],
      ["pending while any member is", ["completed", "pending", "completed"], "pending"],
      ["pending while a member has no state yet", ["completed", undefined], "pending"],
      ["error if any member failed, even while others are pending", ["pending", "error", "completed"], "error"],
      ["error if any member failed", ["completed", "error"], "error"],
    ];
    for (const [label, states, expected] of cases) {
      it(`is ${label}`, () => {
        const members = states.map((State, i) => {
          const { State: _drop, ...rest } = member(i + 1);
          return State === undefined ? rest : { ...rest, State };
        });
        assert.equal(snapshotSetOutputs(INPUTS, members, NO_FACTS, "us-east-1").state, expected);
      });
    }

    it("keeps each member's EC2 message", () => {
      const outputs = snapshotSetOutputs(INPUTS, [member(1, { State: "error", StateMessage: "The volume is unreadable." })], NO_FACTS, "us-east-1");
      assert.equal(outputs.snapshots[0].stateMessage, "The volume is unreadable.");
    });
  });

  describe("encrypted", () => {
    it("is true when every member is encrypted", () => {
      const members = [member(1, { Encrypted: true }), member(2, { Encrypted: true })];
      assert.equal(snapshotSetOutputs(INPUTS, members, NO_FACTS, "us-east-1").encrypted, true);
    });

    it("is false when any member is not, or does not say", () => {
      assert.equal(snapshotSetOutputs(INPUTS, [member(1, { Encrypted: true }), member(2)], NO_FACTS, "us-east-1").encrypted, false);
      assert.equal(snapshotSetOutputs(INPUTS, [member(1, { Encrypted: true }), member(2, { Encrypted: undefined })], NO_FACTS, "us-east-1").encrypted, false);
    });

    it("is false for a set without members", () => {
      assert.equal(snapshotSetOutputs(INPUTS, [], NO_FACTS, "us-east-1").encrypted, false);
    });
  });

  it("records members deleted outside Pulumi as missingSnapshotIds, and only when there are some", () => {
    const withMissing = snapshotSetOutputs(INPUTS, [member(1)], NO_FACTS, "us-east-1", ["snap-00000000000000002"]);
    assert.deepEqual([withMissing.snapshotIds, withMissing.missingSnapshotIds], [["snap-00000000000000001"], ["snap-00000000000000002"]]);
    assert.equal("missingSnapshotIds" in snapshotSetOutputs(INPUTS, [member(1)], NO_FACTS, "us-east-1", []), false);
  });

  it("gives the set's tags as {} when the inputs have none, and each member's own tags as EC2 has them", () => {
    const { tags: _tags, ...untagged } = INPUTS;
    const outputs = snapshotSetOutputs(untagged, [member(1, { Tags: [{ Key: "Name", Value: "copied" }] })], NO_FACTS, "us-east-1");
    assert.deepEqual([outputs.tags, outputs.snapshots[0].tags], [{}, { Name: "copied" }]);
  });

  it("omits a member's device name when it is not known", () => {
    const outputs = snapshotSetOutputs(INPUTS, [member(1)], NO_FACTS, "us-east-1");
    assert.equal("deviceName" in outputs.snapshots[0], false);
  });
});
