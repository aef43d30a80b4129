import assert from "node:assert/strict";
import type { Snapshot } from "@aws-sdk/client-ec2";
import { aggregateState, compact, echoInputs, memberOutputs, parseProgress, snapshotArn, snapshotState } from "../../../provider/lifecycle/outputs";
import { snapshotOutputs } from "../../../provider/resources/snapshot/outputs";
import { CREATE_TOKEN_TAG } from "../../../provider/inputs/tags";
import type { SnapshotInputs, SnapshotState } from "../../../provider/types";

const SNAPSHOT_ID = "snap-0123456789abcdef0";
const VOLUME = "vol-0123456789abcdef0";

/** Everything DescribeSnapshots can say about one snapshot. */
const FULL_SNAPSHOT: Snapshot = {
  SnapshotId: SNAPSHOT_ID,
  VolumeId: VOLUME,
  State: "completed",
  StateMessage: "done",
  Progress: "100%",
  StartTime: new Date("2025-01-15T12:00:00.000Z"),
  CompletionTime: new Date("2025-01-15T12:05:30.000Z"),
  Encrypted: true,
  KmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abcd",
  DataEncryptionKeyId: "dek-1",
  OwnerId: "123456789012",
  OwnerAlias: "self",
  VolumeSize: 8,
  StorageTier: "standard",
  Tags: [
    { Key: "team", Value: "db" },
    { Key: CREATE_TOKEN_TAG, Value: "token" },
    { Key: "aws:backup", Value: "x" },
  ],
};

describe("compact", () => {
  it("drops undefined fields and keeps null, false, 0 and empty strings", () => {
    assert.deepEqual(compact({ a: undefined, b: null, c: false, d: 0, e: "" }), { b: null, c: false, d: 0, e: "" });
  });
});

describe("parseProgress", () => {
  it("reads EC2's percentage strings and clamps them to 0-100", () => {
    assert.deepEqual(["80%", "0%", "100%", "12.5%", "150%", "-5%", "", "pending", undefined].map(parseProgress), [80, 0, 100, 12.5, 100, 0, undefined, undefined, undefined]);
  });
});

describe("snapshotArn", () => {
  const cases: [region: string, arn: string][] = [
    ["us-east-1", `arn:aws:ec2:us-east-1::snapshot/${SNAPSHOT_ID}`],
    ["cn-north-1", `arn:aws-cn:ec2:cn-north-1::snapshot/${SNAPSHOT_ID}`],
    ["us-gov-west-1", `arn:aws-us-gov:ec2:us-gov-west-1::snapshot/${SNAPSHOT_ID}`],
    ["us-iso-east-1", `arn:aws-iso:ec2:us-iso-east-1::snapshot/${SNAPSHOT_ID}`],
    ["us-isob-east-1", `arn:aws-iso-b:ec2:us-isob-east-1::snapshot/${SNAPSHOT_ID}`],
    ["us-isof-south-1", `arn:aws-iso-f:ec2:us-isof-south-1::snapshot/${SNAPSHOT_ID}`],
    ["eu-isoe-west-1", `arn:aws-iso-e:ec2:eu-isoe-west-1::snapshot/${SNAPSHOT_ID}`],
    ["eusc-de-east-1", `arn:aws-eusc:ec2:eusc-de-east-1::snapshot/${SNAPSHOT_ID}`],
    ["eu-central-1", `arn:aws:ec2:eu-central-1::snapshot/${SNAPSHOT_ID}`],
  ];
  for (const [region, arn] of cases) {
    it(`builds the ARN of a snapshot in ${region} with its partition`, () => {
      assert.equal(snapshotArn(region, SNAPSHOT_ID), arn);
    });
  }
});

describe("snapshotState", () => {
  it("reports EC2's state, and pending when the answer has none", () => {
    assert.deepEqual([snapshotState({ State: "error" }), snapshotState({})], ["error", "pending"]);
  });
});

describe("echoInputs", () => {
  it("drops __provider and undefined inputs, and keeps __logicalName", () => {
    const inputs = { volumeId: VOLUME, description: undefined, __provider: "text", __logicalName: "db" };
    assert.deepEqual(echoInputs(inputs), { volumeId: VOLUME, __logicalName: "db" });
  });
});

describe("snapshotOutputs", () => {
  it("maps every field EC2 reports and echoes the inputs, as plain JSON", () => {
    // given inputs as the host passes them and a snapshot with every field set
    const inputs = {
      volumeId: VOLUME,
      description: "nightly",
      tags: { team: "db" },
      waitForCompletion: true,
      timeouts: { create: "10m" },
      __logicalName: "db",
      __provider: "text",
    } as SnapshotInputs;
    // when mapped
    const outputs = snapshotOutputs(inputs, FULL_SNAPSHOT, "us-east-1", [{ productCodeId: "abc", productCodeType: "marketplace" }]);
    // then every field has its output name, and a JSON round trip changes nothing (no undefined, no Date)
    const expected = {
      volumeId: VOLUME,
      description: "nightly",
      tags: { team: "db" },
      waitForCompletion: true,
      timeouts: { create: "10m" },
      __logicalName: "db",
      snapshotId: SNAPSHOT_ID,
      arn: `arn:aws:ec2:us-east-1::snapshot/${SNAPSHOT_ID}`,
      state: "completed",
      stateMessage: "done",
      progress: 100,
      encrypted: true,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abcd",
      dataEncryptionKeyId: "dek-1",
      ownerId: "123456789012",
      ownerAlias: "self",
      volumeSize: 8,
      startTime: "2025-01-15T12:00:00.000Z",
      completionTime: "2025-01-15T12:05:30.000Z",
      storageTier: "standard",
      productCodes: [{ productCodeId: "abc", productCodeType: "marketplace" }],
      region: "us-east-1",
    };
    assert.deepEqual(outputs, expected);
    assert.deepEqual(JSON.parse(JSON.stringify(outputs)), outputs);
  });

  it("leaves out what EC2 did not return, as moto answers", () => {
    // given a minimal pending snapshot with an empty state message
    const outputs = snapshotOutputs({ volumeId: VOLUME }, { SnapshotId: SNAPSHOT_ID, StateMessage: "" }, "cn-north-1", []);
    // then only the known fields are present, and the tags come from EC2 (none), not invented
    assert.deepEqual(outputs, {
      volumeId: VOLUME,
      snapshotId: SNAPSHOT_ID,
      arn: `arn:aws-cn:ec2:cn-north-1::snapshot/${SNAPSHOT_ID}`,
      state: "pending",
      productCodes: [],
      tags: {},
      region: "cn-north-1",
    });
    assert.deepEqual(JSON.parse(JSON.stringify(outputs)), outputs);
  });

  it("reports the tags EC2 has rather than the tags given", () => {
    const outputs = snapshotOutputs({ volumeId: VOLUME, tags: { team: "web" } }, FULL_SNAPSHOT, "us-east-1", []);
    assert.deepEqual(outputs.tags, { team: "db" });
  });

  it("records the resolved region when the inputs gave none", () => {
    const outputs = snapshotOutputs({ volumeId: VOLUME }, FULL_SNAPSHOT, "eu-west-1", []);
    assert.equal(outputs.region, "eu-west-1");
  });
});

describe("memberOutputs", () => {
  it("maps one member of a set with its device, as plain JSON", () => {
    const member = memberOutputs({ ...FULL_SNAPSHOT, State: "pending", Progress: "40%" }, "/dev/xvda", []);
    assert.deepEqual(member, {
      snapshotId: SNAPSHOT_ID,
      volumeId: VOLUME,
      deviceName: "/dev/xvda",
      volumeSize: 8,
      encrypted: true,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abcd",
      state: "pending",
      stateMessage: "done",
      progress: 40,
      startTime: "2025-01-15T12:00:00.000Z",
      tags: { team: "db" },
      productCodes: [],
    });
    assert.deepEqual(JSON.parse(JSON.stringify(member)), member);
  });

  it("leaves out an unknown device and what CreateSnapshots did not return", () => {
    assert.deepEqual(memberOutputs({ SnapshotId: SNAPSHOT_ID, VolumeId: VOLUME }, undefined, []), {
      snapshotId: SNAPSHOT_ID,
      volumeId: VOLUME,
      state: "pending",
      tags: {},
      productCodes: [],
    });
  });
});

describe("aggregateState", () => {
  const cases: [states: SnapshotState[], state: SnapshotState][] = [
    [["completed", "completed"], "completed"],
    [["completed", "pending"], "pending"],
    [["pending", "error"], "error"],
    [["completed", "error"], "error"],
    [["completed", "recoverable"], "recoverable"],
    [["recovering", "error"], "error"],
    [["recovering", "pending"], "pending"],
    [[], "pending"],
  ];
  for (const [states, state] of cases) {
    it(`reports ${state} for members ${JSON.stringify(states)}`, () => {
      assert.equal(aggregateState(states), state);
    });
  }
});
