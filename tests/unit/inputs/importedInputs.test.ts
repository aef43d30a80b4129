import assert from "node:assert/strict";
import { importedInputs } from "../../../provider/inputs/importedInputs";
import { SNAPSHOT_SPEC } from "../../../provider/resources/snapshot/spec";

type Props = Record<string, unknown>;

/** What a Snapshot's outputs say after a read: EC2's facts and the inputs it echoes. */
const OUTPUTS: Props = {
  volumeId: "vol-0123456789abcdef0",
  description: "nightly",
  outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
  waitForCompletion: false,
  timeouts: { create: "10m" },
  snapshotId: "snap-0123456789abcdef0",
  arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0",
  state: "completed",
  progress: 100,
  encrypted: true,
  kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
  ownerId: "123456789012",
  volumeSize: 8,
  startTime: "2024-05-01T02:00:00.000Z",
  completionTime: "2024-05-01T02:04:00.000Z",
  storageTier: "standard",
  restore: { permanent: true },
  productCodes: [],
  tags: { team: "db", env: "prod" },
  sharing: { accountIds: ["111122223333"] },
  sharedWithAccounts: ["111122223333"],
  public: false,
  lock: { mode: "governance", duration: "30d" },
  lockState: "governance",
  lockCreatedOn: "2024-05-01T02:00:01.000Z",
  lockExpiresOn: "2024-05-31T02:04:00.000Z",
  region: "us-east-1",
};

describe("importedInputs", () => {
  it("keeps the inputs that name the snapshot and its tags, and nothing only a program says", () => {
    // given a Snapshot's outputs as read from EC2
    // when the inputs of an import are taken from them
    const inputs = importedInputs(SNAPSHOT_SPEC, OUTPUTS);
    // then only the replace-on-change inputs and tags remain: no region, timeouts, waitForCompletion, lock, sharing or tier
    assert.deepEqual(inputs, {
      volumeId: "vol-0123456789abcdef0",
      description: "nightly",
      outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
      tags: { team: "db", env: "prod" },
    });
  });

  it("leaves out empty tags and inputs the outputs do not have", () => {
    // given a snapshot with no tags, description or Outpost
    const { description: _d, outpostArn: _o, ...rest } = OUTPUTS;
    // when the inputs of an import are taken
    const inputs = importedInputs(SNAPSHOT_SPEC, { ...rest, tags: {} });
    // then only the volume remains
    assert.deepEqual(inputs, { volumeId: "vol-0123456789abcdef0" });
  });

  it("leaves out an input that is null in the outputs", () => {
    assert.deepEqual(importedInputs(SNAPSHOT_SPEC, { ...OUTPUTS, description: null, tags: null }), {
      volumeId: "vol-0123456789abcdef0",
      outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
    });
  });

  it("never takes region, though it replaces on change, because a program may leave it to the provider", () => {
    assert.deepEqual([SNAPSHOT_SPEC.inputs.region.change, SNAPSHOT_SPEC.inputs.region.onlyWhenGiven], ["replace", true]);
    assert.equal(Object.hasOwn(importedInputs(SNAPSHOT_SPEC, OUTPUTS), "region"), false);
  });

  it("returns no inputs from no outputs", () => {
    assert.deepEqual(importedInputs(SNAPSHOT_SPEC, {}), {});
  });
});
