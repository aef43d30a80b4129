import assert from "node:assert/strict";
import { assertMatchesSchema, HOUSEKEEPING_OUTPUT_KEYS, loadSchema, schemaProblems, type PackageSchema } from "../../support/schemaShape";

type Props = Record<string, unknown>;

const schema: PackageSchema = loadSchema();

describe("assertMatchesSchema", () => {
  const SNAPSHOT = "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot";
  const SET = "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet";

  /** `__provider` and the SDK's bookkeeping keys, as a real state carries them. */
  function housekeeping(name: string): Props {
    return Object.fromEntries(HOUSEKEEPING_OUTPUT_KEYS.map((key) => [key, key === "__provider" ? "exports.handler = ..." : name]));
  }

  /** Outputs as the provider returns them for a completed snapshot, plus the host's and the SDK's housekeeping keys. */
  function snapshotOutputs(): Props {
    return {
      volumeId: "vol-0123456789abcdef0",
      description: "nightly",
      tags: { team: "db" },
      waitForCompletion: true,
      timeouts: { create: "10m" },
      ...housekeeping("db"),
      snapshotId: "snap-0123456789abcdef0",
      arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0",
      state: "completed",
      progress: 100,
      encrypted: true,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
      ownerId: "123456789012",
      volumeSize: 8,
      startTime: "2024-05-01T10:00:00.000Z",
      productCodes: [{ productCodeId: "abc123", productCodeType: "marketplace" }],
      region: "us-east-1",
    };
  }

  function setOutputs(): Props {
    const member = (n: number): Props => ({
      snapshotId: `snap-0000000000000000${n}`,
      volumeId: `vol-0000000000000000${n}`,
      deviceName: `/dev/sd${"fg"[n - 1]}`,
      volumeSize: 8,
      encrypted: false,
      state: "completed",
      progress: 100,
      startTime: "2024-05-01T10:00:00.000Z",
      tags: { team: "db" },
      productCodes: [],
    });
    return {
      instanceId: "i-0123456789abcdef0",
      excludeBootVolume: true,
      tags: { team: "db" },
      ...housekeeping("set"),
      snapshotIds: ["snap-00000000000000001", "snap-00000000000000002"],
      snapshots: [member(1), member(2)],
      state: "completed",
      encrypted: false,
      region: "us-east-1",
    };
  }

  function problemsOf(token: string, outputs: Props): string[] {
    return schemaProblems(token, outputs, schema);
  }

  it("accepts a complete Snapshot outputs object, including __provider and the SDK's bookkeeping keys", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, snapshotOutputs()), []);
    assert.doesNotThrow(() => assertMatchesSchema(SNAPSHOT, snapshotOutputs()));
  });

  it("accepts a complete SnapshotSet outputs object, checking every member", () => {
    assert.deepEqual(problemsOf(SET, setOutputs()), []);
  });

  it("accepts outputs that leave out every optional output", () => {
    const minimal: Props = {
      volumeId: "vol-0123456789abcdef0",
      snapshotId: "snap-0123456789abcdef0",
      arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0",
      state: "pending",
      productCodes: [],
      tags: {},
      region: "us-east-1",
    };
    assert.deepEqual(problemsOf(SNAPSHOT, minimal), []);
  });

  it("names a required output that is missing", () => {
    const { arn: _arn, ...outputs } = snapshotOutputs();
    assert.deepEqual(problemsOf(SNAPSHOT, outputs), ["arn is required by the schema but missing"]);
  });

  it("names an output the schema does not declare", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), volumeArn: "arn:..." }), ["volumeArn is not declared in the schema"]);
  });

  it("names an output of the wrong JSON type", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), progress: "80%" }), ['progress should be a number, got a string ("80%")']);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), volumeSize: 8.5 }), ["volumeSize should be an integer, got a number (8.5)"]);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), encrypted: "true" }), ['encrypted should be a boolean, got a string ("true")']);
  });

  it("rejects values the dynamic-provider host cannot encode or that are not JSON: Date, undefined, null", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), startTime: new Date(0) }), ["startTime should be a string, got a Date"]);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), kmsKeyId: undefined }), ["kmsKeyId is undefined (the host cannot encode undefined; leave the key out instead)"]);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), ownerId: null }), ["ownerId is null; the schema declares string"]);
  });

  it("checks enum values", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), state: "deleted" }), [
      'state should be one of "pending", "completed", "error", "recoverable", "recovering", got a string ("deleted")',
    ]);
  });

  it("checks map values and object types inside arrays, naming the path", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), tags: { team: 1 } }), ['tags["team"] should be a string, got a number (1)']);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), productCodes: [{ productCodeId: "abc" }] }), [
      "productCodes[0].productCodeType is required by the schema but missing",
    ]);
    const outputs = setOutputs();
    const members = outputs.snapshots as Props[];
    members[1] = { ...members[1], volumeSize: "8", extra: true };
    delete members[1].snapshotId;
    assert.deepEqual(problemsOf(SET, outputs), [
      'snapshots[1].volumeSize should be an integer, got a string ("8")',
      "snapshots[1].extra is not declared in the schema",
      "snapshots[1].snapshotId is required by the schema but missing",
    ]);
  });

  it("throws an AssertionError listing every problem", () => {
    const outputs: Props = { ...snapshotOutputs(), progress: "80%" };
    delete outputs.region;
    assert.throws(
      () => assertMatchesSchema(SNAPSHOT, outputs),
      (error: Error) =>
        error.name === "AssertionError" &&
        error.message ===
          `outputs of ${SNAPSHOT} do not match schema.json:\n  - progress should be a number, got a string ("80%")\n  - region is required by the schema but missing`,
    );
  });

  it("reports a token the schema does not declare", () => {
    assert.deepEqual(problemsOf("pulumi-nodejs:dynamic/ebs-snapshots:Volume", {}), [
      "schema.json declares no resource pulumi-nodejs:dynamic/ebs-snapshots:Volume; it declares ebs-snapshots:index:Snapshot, ebs-snapshots:index:SnapshotSet, ebs-snapshots:index:SnapshotCopy, ebs-snapshots:index:VolumeSet",
    ]);
  });
});
