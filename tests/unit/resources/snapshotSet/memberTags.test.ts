import assert from "node:assert/strict";
import { memberTagChanges } from "../../../../provider/resources/snapshotSet/memberTags";
import { CREATE_TOKEN_TAG, type TagMap } from "../../../../provider/inputs/tags";

const NOTHING = { set: {}, remove: [] };

describe("memberTagChanges", () => {
  it("changes nothing when every member has exactly the desired tags", () => {
    const members: TagMap[] = [{ team: "web" }, { team: "web" }];
    assert.deepEqual(memberTagChanges(members, { team: "web" }, { team: "web" }, false), NOTHING);
  });

  it("changes nothing for a set without members", () => {
    assert.deepEqual(memberTagChanges([], { team: "web" }, { old: "x" }, false), NOTHING);
  });

  it("sets a new key once, for all members", () => {
    const members: TagMap[] = [{ team: "web" }, { team: "web" }, { team: "web" }];
    assert.deepEqual(memberTagChanges(members, { team: "web", env: "prod" }, { team: "web" }, false), { set: { env: "prod" }, remove: [] });
  });

  it("sets a key that only one member lacks or has with another value", () => {
    // given drift outside Pulumi: one member lost `env`, another has a different `team`
    const members: TagMap[] = [{ team: "web", env: "prod" }, { team: "web" }, { team: "hacked", env: "prod" }];
    assert.deepEqual(memberTagChanges(members, { team: "web", env: "prod" }, { team: "web", env: "prod" }, false), {
      set: { team: "web", env: "prod" },
      remove: [],
    });
  });

  it("removes a key the set managed before and no longer wants, in key order", () => {
    const members: TagMap[] = [
      { team: "web", tier: "gold", env: "prod" },
      { team: "web", tier: "gold", env: "prod" },
    ];
    assert.deepEqual(memberTagChanges(members, { team: "web" }, { team: "web", tier: "gold", env: "prod" }, false), {
      set: {},
      remove: ["env", "tier"],
    });
  });

  it("does not remove a key that no member has any more", () => {
    const members: TagMap[] = [{ team: "web" }];
    assert.deepEqual(memberTagChanges(members, { team: "web" }, { team: "web", tier: "gold" }, false), NOTHING);
  });

  it("removes a key that only one member carries, from all members in one call", () => {
    const members: TagMap[] = [{ team: "web" }, { team: "web", owner: "someone" }];
    assert.deepEqual(memberTagChanges(members, { team: "web" }, { team: "web" }, false), { set: {}, remove: ["owner"] });
  });

  it("replaces a key's value instead of removing it when it is still desired", () => {
    const members: TagMap[] = [{ team: "web" }, { team: "web" }];
    assert.deepEqual(memberTagChanges(members, { team: "db" }, { team: "web" }, false), { set: { team: "db" }, remove: [] });
  });

  describe("with copyTagsFromSource (only managed keys)", () => {
    it("keeps the tags each member copied from its volume", () => {
      const members: TagMap[] = [
        { team: "web", Name: "root" },
        { team: "web", Name: "data", backup: "daily" },
      ];
      assert.deepEqual(memberTagChanges(members, { team: "web" }, { team: "web" }, true), NOTHING);
    });

    it("still removes keys the set managed before", () => {
      const members = [
        { team: "web", tier: "gold", Name: "root" },
        { team: "web", tier: "gold", Name: "data" },
      ];
      assert.deepEqual(memberTagChanges(members, { team: "web" }, { team: "web", tier: "gold" }, true), { set: {}, remove: ["tier"] });
    });

    it("sets a desired key that overrides a copied volume tag", () => {
      const members = [{ Name: "root" }, { Name: "data" }];
      assert.deepEqual(memberTagChanges(members, { Name: "web-set" }, {}, true), { set: { Name: "web-set" }, remove: [] });
    });
  });

  it("never removes AWS's own keys or the provider's create token", () => {
    const members: TagMap[] = [{ team: "web", "aws:backup:source-resource": "x", [CREATE_TOKEN_TAG]: "token" }];
    assert.deepEqual(memberTagChanges(members, {}, { team: "web", "aws:backup:source-resource": "x", [CREATE_TOKEN_TAG]: "token" }, false), {
      set: {},
      remove: ["team"],
    });
  });

  it("treats keys named like Object.prototype members as ordinary tag keys", () => {
    // given members tagged "constructor" and "toString", which the set managed and no longer wants
    const members: TagMap[] = [{ constructor: "a", toString: "b", team: "web" }, { team: "web" }];
    // then both are removed, and no member is thought to carry a "hasOwnProperty" tag
    assert.deepEqual(memberTagChanges(members, { team: "web" }, { constructor: "a", toString: "b", hasOwnProperty: "c", team: "web" }, false), {
      set: {},
      remove: ["constructor", "toString"],
    });
  });

  it("sets a key named like an Object.prototype member that a member lacks", () => {
    const members: TagMap[] = [{ team: "web" }];
    assert.deepEqual(memberTagChanges(members, { team: "web", constructor: "x" }, { team: "web" }, false), { set: { constructor: "x" }, remove: [] });
  });
});
