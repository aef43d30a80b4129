import assert from "node:assert/strict";
import { fieldsOf, validateInputs } from "../../../../provider/inputs/validate";
import { DEFAULT_TIMEOUTS_MS, timeoutMs } from "../../../../provider/lifecycle/timeouts";
import { snapshotCopyModel } from "../../../../provider/resources/snapshotCopy/model";
import { SNAPSHOT_COPY_SPEC } from "../../../../provider/resources/snapshotCopy/spec";

const validate = (props: Record<string, unknown>) => validateInputs(fieldsOf(SNAPSHOT_COPY_SPEC), { sourceSnapshotId: "snap-0123456789abcdef0", ...props });

describe("SnapshotCopy inputs", () => {
  it("takes snapshot ids of 8 or 17 hex digits and refuses anything else, naming the property", () => {
    assert.deepEqual(validate({ sourceSnapshotId: "snap-01234567" }), []);
    assert.deepEqual(validate({ sourceSnapshotId: "vol-0123456789abcdef0" }), [
      { property: "sourceSnapshotId", reason: 'sourceSnapshotId must be an EBS snapshot id such as snap-0123456789abcdef0, got "vol-0123456789abcdef0"' },
    ]);
  });

  it("takes KMS key ids, aliases and ARNs", () => {
    for (const key of [
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      "alias/backup",
      "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:eu-west-1:123456789012:alias/backup",
    ]) {
      assert.deepEqual(validate({ encrypted: true, kmsKeyId: key }), [], key);
    }
    assert.equal(validate({ encrypted: true, kmsKeyId: "my key" })[0]?.property, "kmsKeyId");
  });

  it("takes completion durations from 15 to 2880 minutes in steps of 15 only", () => {
    for (const minutes of [15, 30, 2880]) {
      assert.deepEqual(validate({ completionDurationMinutes: minutes }), [], String(minutes));
    }
    for (const minutes of [0, 14, 20, 2895, 15.5]) {
      assert.equal(validate({ completionDurationMinutes: minutes })[0]?.property, "completionDurationMinutes", String(minutes));
    }
  });

  it("refuses a KMS key without encrypted: true, and accepts it with", () => {
    assert.deepEqual(snapshotCopyModel.checkInputs?.({ kmsKeyId: "alias/backup" }), [
      { property: "kmsKeyId", reason: "kmsKeyId needs encrypted: true (EC2 encrypts a copy with a key only when asked to encrypt it)" },
    ]);
    assert.deepEqual(snapshotCopyModel.checkInputs?.({ kmsKeyId: "alias/backup", encrypted: true }), []);
  });
});

describe("SnapshotCopy deadlines", () => {
  it("raises the default create deadline to a time-based copy's duration plus 30 minutes, and never a deadline the program gives", () => {
    const atLeast = snapshotCopyModel.atLeastMs!({ sourceSnapshotId: "snap-0123456789abcdef0", completionDurationMinutes: 120 });
    assert.equal(atLeast, 150 * 60_000);
    assert.equal(timeoutMs(undefined, "create", atLeast), 150 * 60_000);
    assert.equal(timeoutMs({ create: "10m" }, "create", atLeast), 10 * 60_000);
    const short = snapshotCopyModel.atLeastMs!({ sourceSnapshotId: "snap-0123456789abcdef0", completionDurationMinutes: 15 });
    assert.equal(timeoutMs(undefined, "create", short), DEFAULT_TIMEOUTS_MS.create);
    assert.equal(snapshotCopyModel.atLeastMs!({ sourceSnapshotId: "snap-0123456789abcdef0" }), 0);
  });
});
