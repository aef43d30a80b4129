import assert from "node:assert/strict";
import type { Ec2 } from "../../../provider/ec2/ec2";
import { ExplainedError } from "../../../provider/messages/failureMessage";
import { applySharing, desiredSharing, refusePublicEncrypted, sharingDiffers, sharingOutputs } from "../../../provider/lifecycle/sharing";
import { UNKNOWN } from "../../../provider/inputs/unknown";

/** An EC2 connection that fails the test if it is ever used: these refusals come before any call. */
const untouchable = new Proxy({} as Ec2, {
  get(_target, property) {
    throw new Error(`EC2 was called (${String(property)}) before the refusal`);
  },
});

describe("sharing", () => {
  it("reads the program's sharing, sorted and without repeats; none when it gives none or it is still unknown", () => {
    assert.deepEqual(desiredSharing({ accountIds: ["444455556666", "111122223333"], public: true }), { accounts: ["111122223333", "444455556666"], public: true });
    assert.deepEqual(desiredSharing({}), { accounts: [], public: false });
    assert.equal(desiredSharing(undefined), undefined);
    assert.equal(desiredSharing({ accountIds: [UNKNOWN] }), undefined);
  });

  it("reports a resource's sharing as every account any member has, and public if any member is", () => {
    const members = new Map([
      ["snap-a", { accounts: ["111122223333"], public: false }],
      ["snap-b", { accounts: ["444455556666", "111122223333"], public: true }],
    ]);
    assert.deepEqual(sharingOutputs(members), { sharedWithAccounts: ["111122223333", "444455556666"], public: true });
    // nothing read (a create given no sharing): public false, and no account list claimed
    assert.deepEqual(sharingOutputs(new Map()), { public: false });
    // only whether they are public was read: the accounts are left out, not reported empty
    const unread = new Map([["snap-a", { accounts: [], public: false, accountsUnread: true }]]);
    assert.deepEqual(sharingOutputs(unread), { public: false });
  });

  it("sees drift when the recorded permissions differ from the program's, whatever their order", () => {
    const desired = { accounts: ["111122223333", "444455556666"], public: false };
    assert.equal(sharingDiffers(desired, { sharedWithAccounts: ["444455556666", "111122223333"], public: false }), false);
    assert.equal(sharingDiffers(desired, { sharedWithAccounts: ["111122223333"], public: false }), true);
    assert.equal(sharingDiffers(desired, { sharedWithAccounts: ["111122223333", "444455556666"], public: true }), true);
    assert.equal(sharingDiffers({ accounts: [], public: false }, {}), false);
  });

  it("refuses public sharing of anything encrypted, naming it and its key", () => {
    assert.throws(
      () => refusePublicEncrypted({ accounts: [], public: true }, [{ subject: "volume vol-1", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" }]),
      (error: unknown) =>
        error instanceof ExplainedError &&
        error.what === "sharing.public is refused: volume vol-1 is encrypted (KMS key arn:aws:kms:us-east-1:123456789012:key/k), and EC2 never makes an encrypted snapshot public",
    );
    assert.doesNotThrow(() => refusePublicEncrypted({ accounts: ["111122223333"], public: false }, [{ subject: "volume vol-1" }]));
    assert.doesNotThrow(() => refusePublicEncrypted({ accounts: [], public: true }, []));
  });

  it("refuses the owning account, and public sharing of an encrypted member, before any EC2 call", async () => {
    await assert.rejects(
      applySharing(untouchable, 'Snapshot "db"', [{ SnapshotId: "snap-a", OwnerId: "123456789012" }], { accounts: ["123456789012"], public: false }),
      (error: unknown) => error instanceof ExplainedError && error.what === "sharing.accountIds lists 123456789012, the account that owns the snapshots",
    );
    await assert.rejects(
      applySharing(untouchable, 'Snapshot "db"', [{ SnapshotId: "snap-a", Encrypted: true, KmsKeyId: "key-1" }], { accounts: [], public: true }),
      (error: unknown) => error instanceof ExplainedError && error.what.startsWith("sharing.public is refused: snapshot snap-a is encrypted (KMS key key-1)"),
    );
  });
});
