import assert from "node:assert/strict";
import { currentState, lockChangeRefusal, lockedDeleteFailure, lockOutputs, recordedLock, wantedLock } from "../../../provider/lifecycle/locking";
import { UNKNOWN } from "../../../provider/inputs/unknown";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const DAY = 86_400_000;

describe("locking", () => {
  it("resolves the program's lock: days from a duration, the cool-off only in compliance mode; none when absent or unknown", () => {
    assert.deepEqual(wantedLock({ mode: "compliance", duration: "30d", coolOffHours: 24 }), { mode: "compliance", days: 30, coolOffHours: 24 });
    assert.deepEqual(wantedLock({ mode: "governance", expiresAt: "2027-01-01T00:00:00Z" }), { mode: "governance", expiresAt: "2027-01-01T00:00:00Z" });
    assert.equal(wantedLock(undefined), undefined);
    assert.equal(wantedLock({}), undefined);
    assert.equal(wantedLock({ mode: UNKNOWN, duration: "30d" }), undefined);
  });

  it("moves a recorded lock on with time: a cool-off that ended is compliance, a lock past its end is expired", () => {
    assert.equal(currentState({ state: "compliance-cooloff", coolOffEndsOn: NOW - 1, expiresOn: NOW + DAY }, NOW), "compliance");
    assert.equal(currentState({ state: "compliance-cooloff", coolOffEndsOn: NOW + 1, expiresOn: NOW + DAY }, NOW), "compliance-cooloff");
    assert.equal(currentState({ state: "governance", expiresOn: NOW - 1 }, NOW), "expired");
  });

  it("lets a governance lock, or a compliance lock in its cool-off, be shortened, changed or removed", () => {
    const governance = { state: "governance", expiresOn: NOW + 30 * DAY };
    const coolOff = { state: "compliance-cooloff", expiresOn: NOW + 30 * DAY, coolOffEndsOn: NOW + 3_600_000 };
    for (const current of [governance, coolOff]) {
      assert.equal(lockChangeRefusal("snapshot snap-1", current, { mode: "governance", days: 1 }, NOW), undefined);
      assert.equal(lockChangeRefusal("snapshot snap-1", current, undefined, NOW), undefined);
    }
  });

  it("after the cool-off, lets a compliance lock only be extended, and says until when it holds and what to give instead", () => {
    const current = { state: "compliance", expiresOn: NOW + 30 * DAY };
    assert.equal(lockChangeRefusal("snapshot snap-1", current, { mode: "compliance", days: 31 }, NOW), undefined);
    const shorter = lockChangeRefusal("snapshot snap-1", current, { mode: "compliance", days: 10 }, NOW);
    assert.match(shorter?.what ?? "", /snapshot snap-1 is locked in compliance mode until 2026-12-31T12:00:00.000Z.*can only extend it/);
    assert.match(shorter?.next ?? "", /later end than 2026-12-31/);
    assert.match(lockChangeRefusal("snapshot snap-1", current, undefined, NOW)?.what ?? "", /lets nobody unlock it/);
    assert.match(lockChangeRefusal("snapshot snap-1", current, { mode: "governance", days: 60 }, NOW)?.what ?? "", /cannot turn it into a governance lock/);
    // A recorded cool-off that has since ended is judged as compliance.
    const lapsed = { state: "compliance-cooloff", expiresOn: NOW + 30 * DAY, coolOffEndsOn: NOW - 1 };
    assert.notEqual(lockChangeRefusal("snapshot snap-1", lapsed, undefined, NOW), undefined);
  });

  it("counts a new duration from when the lock's days started, as EC2 does, not from now", () => {
    // 10 days from 5 days ago: 8 days from the same start ends before the current end, though now + 8 days would not.
    const current = { state: "compliance", expiresOn: NOW + 5 * DAY, durationStartedOn: NOW - 5 * DAY };
    assert.match(lockChangeRefusal("snapshot snap-1", current, { mode: "compliance", days: 8 }, NOW)?.what ?? "", /can only extend it/);
    assert.equal(lockChangeRefusal("snapshot snap-1", current, { mode: "compliance", days: 11 }, NOW), undefined);
    // From the state, the start is the recorded end less the recorded days.
    const recorded = recordedLock({ lockState: "compliance", lockExpiresOn: new Date(NOW + 5 * DAY).toISOString(), lock: { mode: "compliance", duration: "10d" } });
    assert.equal(recorded?.durationStartedOn, NOW - 5 * DAY);
  });

  it("reads the lock a state recorded, and reports the member whose lock ends first", () => {
    assert.deepEqual(recordedLock({ lockState: "governance", lockExpiresOn: "2027-01-01T00:00:00.000Z" }), { state: "governance", expiresOn: Date.parse("2027-01-01T00:00:00Z") });
    assert.equal(recordedLock({}), undefined);
    const outputs = lockOutputs(
      new Map([
        ["snap-b", { SnapshotId: "snap-b", LockState: "governance", LockExpiresOn: new Date(NOW + 2 * DAY) }],
        ["snap-a", { SnapshotId: "snap-a", LockState: "governance", LockExpiresOn: new Date(NOW + DAY), LockCreatedOn: new Date(NOW) }],
      ]),
    );
    assert.deepEqual(outputs, { lockState: "governance", lockCreatedOn: new Date(NOW).toISOString(), lockExpiresOn: new Date(NOW + DAY).toISOString() });
  });

  it("explains a delete refused by a lock with its mode, its end and what the user can do", () => {
    const until = new Date(Date.now() + DAY);
    const governance = lockedDeleteFailure("snap-1", { LockState: "governance", LockExpiresOn: until }, "SnapshotLocked");
    assert.match(governance?.what ?? "", new RegExp(`snapshot snap-1 is locked in governance mode until ${until.toISOString()} \\(EC2 SnapshotLocked\\)`));
    assert.match(governance?.next ?? "", /ec2:UnlockSnapshot/);
    const compliance = lockedDeleteFailure("snap-1", { LockState: "compliance", LockExpiresOn: until }, "SnapshotLocked");
    assert.match(compliance?.next ?? "", /nobody can unlock a compliance lock after its cool-off: wait until/);
    assert.equal(lockedDeleteFailure("snap-1", { LockState: "expired", LockExpiresOn: new Date(Date.now() - 1) }, "X"), undefined);
  });
});
