import assert from "node:assert/strict";
import { childPath, propertyChanges } from "../../../provider/inputs/propertyChanges";
import { UNKNOWN } from "../../../provider/inputs/unknown";

type Props = Record<string, unknown>;

/** A Snapshot's recorded outputs, which echo its inputs. */
const OLDS: Props = {
  volumeId: "vol-0123456789abcdef0",
  description: "nightly",
  tags: { Team: "db", env: "prod", Owner: "alice" },
  timeouts: { create: "10m" },
  sharing: { accountIds: ["111122223333"] },
  snapshotId: "snap-0123456789abcdef0",
  region: "us-east-1",
};

describe("propertyChanges", () => {
  it("names a replaced scalar by its property name, as a replacing update", () => {
    // given a program that snapshots another volume
    const news = { ...OLDS, volumeId: "vol-0fedcba9876543210" };
    // when the diff says volumeId replaces
    const changes = propertyChanges(OLDS, news, ["volumeId"], []);
    // then the one change is volumeId, replacing
    assert.deepEqual(changes, [{ path: "volumeId", kind: "update", replace: true }]);
  });

  it("names each tag that changed, appeared or disappeared, in key order, and none that stayed", () => {
    // given Team changed, env unchanged, Owner removed and CostCentre added
    const news = { ...OLDS, tags: { Team: "web", env: "prod", CostCentre: "42" } };
    // when tags update in place
    const changes = propertyChanges(OLDS, news, [], ["tags"]);
    // then each tag is its own path with how it changed
    assert.deepEqual(changes, [
      { path: "tags.CostCentre", kind: "add", replace: false },
      { path: "tags.Owner", kind: "delete", replace: false },
      { path: "tags.Team", kind: "update", replace: false },
    ]);
  });

  it("quotes a tag key that is not an identifier", () => {
    // given a key with a space added and a key with a colon removed
    const olds = { tags: { "team:name": "db" } };
    const news = { tags: { "cost center": "42" } };
    // when tags update in place
    const changes = propertyChanges(olds, news, [], ["tags"]);
    // then both keys are quoted in brackets
    assert.deepEqual(changes, [
      { path: 'tags["cost center"]', kind: "add", replace: false },
      { path: 'tags["team:name"]', kind: "delete", replace: false },
    ]);
  });

  it("falls back to the property name when the object's values are equal, as for drift found elsewhere", () => {
    // given sharing as recorded and as given are the same, while EC2's permissions drifted
    const news = { ...OLDS, sharing: { accountIds: ["111122223333"] } };
    // when the diff names sharing as an update
    const changes = propertyChanges(OLDS, news, [], ["sharing"]);
    // then the change is sharing as a whole
    assert.deepEqual(changes, [{ path: "sharing", kind: "update", replace: false }]);
  });

  it("reports an input added whole as an add and an input removed whole as a delete", () => {
    // given a lock added and timeouts removed
    const { timeouts: _removed, ...rest } = OLDS;
    const news = { ...rest, lock: { mode: "governance", duration: "30d" } };
    // when both update in place
    const changes = propertyChanges(OLDS, news, [], ["lock", "timeouts"]);
    // then lock appears and timeouts disappears, each by its name
    assert.deepEqual(changes, [
      { path: "lock", kind: "add", replace: false },
      { path: "timeouts", kind: "delete", replace: false },
    ]);
  });

  it("reads a null on either side as absent", () => {
    assert.deepEqual(propertyChanges({ description: null }, { description: "weekly" }, ["description"], []), [{ path: "description", kind: "add", replace: true }]);
    assert.deepEqual(propertyChanges({ description: "nightly" }, { description: null }, ["description"], []), [{ path: "description", kind: "delete", replace: true }]);
  });

  it("counts an unknown value inside the news as changed", () => {
    // given a preview where one tag's value is not known yet and another is new and unknown
    const olds = { tags: { Team: "db", env: "prod" } };
    const news = { tags: { Team: "db", env: UNKNOWN, build: UNKNOWN } };
    // when tags update in place
    const changes = propertyChanges(olds, news, [], ["tags"]);
    // then both unknown keys are changes, the known equal one is not
    assert.deepEqual(changes, [
      { path: "tags.build", kind: "add", replace: false },
      { path: "tags.env", kind: "update", replace: false },
    ]);
  });

  it("counts a key as changed when its new value is unknown, even if the old one was the same sentinel", () => {
    const changes = propertyChanges({ tags: { env: UNKNOWN } }, { tags: { env: UNKNOWN } }, [], ["tags"]);
    assert.deepEqual(changes, [{ path: "tags.env", kind: "update", replace: false }]);
  });

  it("names a wholly unknown object by its property name", () => {
    const changes = propertyChanges(OLDS, { ...OLDS, tags: UNKNOWN }, [], ["tags"]);
    assert.deepEqual(changes, [{ path: "tags", kind: "update", replace: false }]);
  });

  it("lists a name given both as a replace and as an update once, as a replace", () => {
    // given description in both lists, and tags only as an update
    const news = { ...OLDS, description: "weekly", tags: { Team: "web", env: "prod", Owner: "alice" } };
    // when the changes are listed
    const changes = propertyChanges(OLDS, news, ["description"], ["tags", "description"]);
    // then description appears once, replacing, before the in-place tag change
    assert.deepEqual(changes, [
      { path: "description", kind: "update", replace: true },
      { path: "tags.Team", kind: "update", replace: false },
    ]);
  });

  it("marks the keys of a replacing object as replacing", () => {
    const changes = propertyChanges({ restore: { temporaryDays: 7 } }, { restore: { temporaryDays: 14 } }, ["restore"], []);
    assert.deepEqual(changes, [{ path: "restore.temporaryDays", kind: "update", replace: true }]);
  });

  it("reports no changes when the diff names none", () => {
    assert.deepEqual(propertyChanges(OLDS, { ...OLDS, description: "weekly" }, [], []), []);
  });
});

describe("childPath", () => {
  it("joins an identifier key with a dot", () => {
    assert.deepEqual(
      [childPath("tags", "Team"), childPath("tags", "_private"), childPath("lock", "coolOffHours"), childPath("tags", "env2")],
      ["tags.Team", "tags._private", "lock.coolOffHours", "tags.env2"],
    );
  });

  it("quotes in brackets a key that is not an identifier", () => {
    assert.deepEqual(
      ["cost center", "team:name", "a.b", "2fa", "", "x-y", "app/tier", "ä"].map((key) => childPath("tags", key)),
      ['tags["cost center"]', 'tags["team:name"]', 'tags["a.b"]', 'tags["2fa"]', 'tags[""]', 'tags["x-y"]', 'tags["app/tier"]', 'tags["ä"]'],
    );
  });

  it("escapes a double quote inside a quoted key", () => {
    assert.equal(childPath("tags", 'say "hi"'), 'tags["say \\"hi\\""]');
  });
});
