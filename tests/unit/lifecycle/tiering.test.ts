import assert from "node:assert/strict";
import { archiveMinimumLine, deleteCostLine, tierInputProblems, tierSatisfied, wantedTier } from "../../../provider/lifecycle/tiering";

const permanent = wantedTier("standard", undefined);
const temporary = wantedTier("standard", { temporaryDays: 7 });
const archived = wantedTier("archive", undefined);

describe("tiering", () => {
  it("reads the wanted tier: a restore is permanent unless temporaryDays is given; no tier leaves it alone", () => {
    assert.deepEqual(permanent, { tier: "standard", restore: { permanent: true } });
    assert.deepEqual(temporary, { tier: "standard", restore: { temporaryDays: 7 } });
    assert.equal(wantedTier(undefined, { temporaryDays: 7 }), undefined);
  });

  it("asks for an archive until EC2 reports it archived, and again for one a deadline cut off", () => {
    assert.equal(tierSatisfied({ storageTier: "standard" }, archived, false), false);
    assert.equal(tierSatisfied({ storageTier: "standard", lastTieringOperationStatus: "archival-in-progress" }, archived, false), false);
    assert.equal(tierSatisfied({ storageTier: "archive", lastTieringOperationStatus: "archival-completed" }, archived, false), true);
    // A temporary restore returns to the archive by itself.
    assert.equal(tierSatisfied({ storageTier: "standard", lastTieringOperationStatus: "temporary-restore-completed" }, archived, false), true);
  });

  it("finds no change while a restore is in progress, so that days of restoring show no perpetual diff", () => {
    const restoring = { storageTier: "archive", lastTieringOperationStatus: "permanent-restore-in-progress" };
    assert.equal(tierSatisfied(restoring, permanent, false), true);
    assert.equal(tierSatisfied({ storageTier: "archive", lastTieringOperationStatus: "temporary-restore-in-progress" }, temporary, false), true);
    assert.equal(tierSatisfied({ storageTier: "archive", lastTieringOperationStatus: "archival-completed" }, permanent, false), false);
  });

  it("leaves a temporary restore that ended alone until restore itself changes, and makes one permanent when asked", () => {
    const ended = { storageTier: "archive", lastTieringOperationStatus: "temporary-restore-completed" };
    assert.equal(tierSatisfied(ended, temporary, false), true);
    assert.equal(tierSatisfied(ended, temporary, true), false);
    assert.equal(tierSatisfied({ storageTier: "standard", lastTieringOperationStatus: "temporary-restore-completed" }, permanent, false), false);
    assert.equal(tierSatisfied({ storageTier: "standard" }, permanent, false), true);
  });

  it("refuses an archive without the wait, and a restore beside an archive, naming the property", () => {
    assert.deepEqual(
      tierInputProblems({ storageTier: "archive", waitForCompletion: false }).map((f) => f.property),
      ["storageTier"],
    );
    assert.deepEqual(
      tierInputProblems({ storageTier: "archive", restore: { temporaryDays: 2 } }).map((f) => f.property),
      ["restore"],
    );
    assert.deepEqual(tierInputProblems({ storageTier: "standard", restore: { temporaryDays: 2 } }), []);
  });

  it("says what the 90-day minimum still costs when an archived snapshot leaves early, and nothing after 90 days", () => {
    const now = Date.parse("2026-12-01T00:00:00Z");
    const line = archiveMinimumLine("snap-1", { archivedAt: Date.parse("2026-11-01T00:00:00Z") }, "deleting", now);
    assert.equal(
      line,
      "snapshot snap-1 was archived on 2026-11-01; EC2 bills an archived snapshot (a full copy of it) for at least 90 days, so deleting it now still costs its archive storage until 2027-01-30",
    );
    assert.equal(archiveMinimumLine("snap-1", { archivedAt: Date.parse("2026-08-01T00:00:00Z") }, "deleting", now), undefined);
    assert.equal(deleteCostLine("snap-1", { storageTier: "standard" }), undefined);
  });
});
