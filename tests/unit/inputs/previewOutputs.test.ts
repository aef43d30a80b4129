import assert from "node:assert/strict";
import { previewOutputs } from "../../../provider/inputs/previewOutputs";
import { UNKNOWN } from "../../../provider/inputs/unknown";
import { SNAPSHOT_SPEC } from "../../../provider/resources/snapshot/spec";

type Props = Record<string, unknown>;

/** Every output of a Snapshot that is not an input: what only EC2 can say. */
const EC2_OUTPUTS = [
  "snapshotId",
  "arn",
  "state",
  "stateMessage",
  "progress",
  "encrypted",
  "kmsKeyId",
  "dataEncryptionKeyId",
  "ownerId",
  "ownerAlias",
  "volumeSize",
  "startTime",
  "completionTime",
  "lastTieringOperationStatus",
  "lastTieringProgress",
  "archivalCompleteTime",
  "restoreExpiryTime",
  "productCodes",
  "sharedWithAccounts",
  "public",
  "lockState",
  "lockCreatedOn",
  "lockExpiresOn",
  "coolOffPeriodExpiresOn",
];

const unknownOutputs = (names: readonly string[]): Props => Object.fromEntries(names.map((name) => [name, UNKNOWN]));

/** A completed Snapshot's recorded outputs. */
const RECORDED: Props = {
  volumeId: "vol-0123456789abcdef0",
  description: "nightly",
  waitForCompletion: true,
  timeouts: { create: "10m" },
  snapshotId: "snap-0123456789abcdef0",
  arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0",
  state: "completed",
  progress: 100,
  encrypted: false,
  ownerId: "123456789012",
  volumeSize: 8,
  startTime: "2024-05-01T02:00:00.000Z",
  storageTier: "standard",
  productCodes: [],
  tags: { team: "db" },
  public: false,
  region: "us-east-1",
};

describe("previewOutputs", () => {
  describe("of a create", () => {
    it("promises each input the program gives as the output of its name, and nothing EC2 has yet to say", () => {
      // given a program's inputs for a new Snapshot, with bookkeeping the outputs do not have
      const news = { volumeId: "vol-0123456789abcdef0", description: "nightly", region: "eu-west-1", tags: { team: "db" }, timeouts: { create: "10m" }, __logicalName: "db" };
      // when its create is previewed
      const outputs = previewOutputs(SNAPSHOT_SPEC, news);
      // then the given inputs are known, the inputs not given and every output of EC2's are unknown
      assert.deepEqual(outputs, {
        volumeId: "vol-0123456789abcdef0",
        description: "nightly",
        region: "eu-west-1",
        tags: { team: "db" },
        timeouts: { create: "10m" },
        ...unknownOutputs(["outpostArn", "waitForCompletion", "storageTier", "restore", "sharing", "lock"]),
        ...unknownOutputs(EC2_OUTPUTS),
      });
    });

    it("has exactly the spec's outputs, each EC2-only one the unknown sentinel", () => {
      const outputs = previewOutputs(SNAPSHOT_SPEC, { volumeId: "vol-0123456789abcdef0" });
      assert.deepEqual(Object.keys(outputs), Object.keys(SNAPSHOT_SPEC.outputs));
      assert.deepEqual(
        EC2_OUTPUTS.map((name) => [name, outputs[name]]),
        EC2_OUTPUTS.map((name) => [name, UNKNOWN]),
      );
    });

    it("leaves an input given as null unknown", () => {
      const outputs = previewOutputs(SNAPSHOT_SPEC, { volumeId: "vol-0123456789abcdef0", description: null });
      assert.deepEqual([outputs.volumeId, outputs.description], ["vol-0123456789abcdef0", UNKNOWN]);
    });

    it("passes an input the program does not know yet on as unknown", () => {
      const outputs = previewOutputs(SNAPSHOT_SPEC, { volumeId: UNKNOWN, tags: { team: UNKNOWN } });
      assert.deepEqual([outputs.volumeId, outputs.tags], [UNKNOWN, { team: UNKNOWN }]);
    });
  });

  describe("of an update", () => {
    it("keeps the recorded outputs and takes only the inputs the program gives", () => {
      // given a recorded Snapshot whose program now changes its tags and adds a lock, leaving region out
      const news = { volumeId: "vol-0123456789abcdef0", description: "nightly", tags: { team: "web" }, lock: { mode: "governance", duration: "30d" } };
      // when its update is previewed
      const outputs = previewOutputs(SNAPSHOT_SPEC, news, RECORDED);
      // then the snapshot's id and region stay known as recorded, and tags and lock are the program's
      assert.deepEqual([outputs.snapshotId, outputs.region], ["snap-0123456789abcdef0", "us-east-1"]);
      assert.deepEqual(outputs, { ...RECORDED, tags: { team: "web" }, lock: { mode: "governance", duration: "30d" } });
    });

    it("adds no unknown outputs for those the recorded state does not have", () => {
      const outputs = previewOutputs(SNAPSHOT_SPEC, { volumeId: "vol-0123456789abcdef0" }, RECORDED);
      assert.deepEqual(outputs, RECORDED);
    });

    it("does not promise the recorded value of an input the program no longer gives, except one compared only when given", () => {
      // given tags and a lock given before, and region given before, all left out now
      const oldInputs = { volumeId: "vol-0123456789abcdef0", region: "us-east-1", tags: { team: "db" }, lock: { mode: "governance", duration: "30d" } };
      const outputs = previewOutputs(SNAPSHOT_SPEC, { volumeId: "vol-0123456789abcdef0" }, { ...RECORDED, lock: oldInputs.lock }, oldInputs);
      // then the update will clear tags and lock (not known yet), and the snapshot stays in its region
      assert.deepEqual([outputs.tags, outputs.lock, outputs.region], [UNKNOWN, UNKNOWN, "us-east-1"]);
    });

    it("takes an emptied map from the program", () => {
      const outputs = previewOutputs(SNAPSHOT_SPEC, { volumeId: "vol-0123456789abcdef0", tags: {} }, RECORDED);
      assert.deepEqual(outputs.tags, {});
    });

    it("leaves the recorded outputs it was given unchanged", () => {
      const recorded = structuredClone(RECORDED);
      previewOutputs(SNAPSHOT_SPEC, { volumeId: "vol-0123456789abcdef0", tags: { team: "web" } }, recorded);
      assert.deepEqual(recorded, RECORDED);
    });
  });
});
