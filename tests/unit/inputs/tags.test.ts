import assert from "node:assert/strict";
import { CREATE_TOKEN_TAG, fromEc2Tags, isReservedTagKey, MAX_TAGS, sameTags, tagChanges, toEc2Tags } from "../../../provider/inputs/tags";

describe("tags", () => {
  it("allows EC2's 50 tags per snapshot", () => {
    assert.equal(MAX_TAGS, 50);
  });

  describe("isReservedTagKey", () => {
    it("reserves aws: keys in any case and the create token, nothing else", () => {
      assert.deepEqual(["aws:backup:source", "AWS:x", "Aws:y", CREATE_TOKEN_TAG, "awsome", "team", "pulumi-ebs-snapshots:other"].map(isReservedTagKey), [
        true,
        true,
        true,
        true,
        false,
        false,
        false,
      ]);
    });
  });

  describe("toEc2Tags", () => {
    it("turns a map into EC2 Key/Value pairs in map order", () => {
      assert.deepEqual(toEc2Tags({ team: "db", env: "" }), [
        { Key: "team", Value: "db" },
        { Key: "env", Value: "" },
      ]);
    });
  });

  describe("fromEc2Tags", () => {
    it("drops aws: tags and the create token, and sorts by key", () => {
      // given what DescribeSnapshots returns for a snapshot made by the provider and copied by AWS Backup
      const tags = fromEc2Tags([
        { Key: "team", Value: "db" },
        { Key: "aws:backup:source-resource", Value: "arn" },
        { Key: CREATE_TOKEN_TAG, Value: "token" },
        { Key: "env", Value: "prod" },
      ]);
      // then only the user's tags remain, in key order
      assert.deepEqual(Object.entries(tags), [
        ["env", "prod"],
        ["team", "db"],
      ]);
    });

    it("reads a missing value as an empty string and skips a tag without a key", () => {
      assert.deepEqual(fromEc2Tags([{ Key: "flag" }, { Value: "orphan" }]), { flag: "" });
    });

    it("returns no tags for an absent list", () => {
      assert.deepEqual(fromEc2Tags(undefined), {});
    });

    it("leaves the given list in its order", () => {
      const given = [
        { Key: "b", Value: "2" },
        { Key: "a", Value: "1" },
      ];
      fromEc2Tags(given);
      assert.deepEqual(given, [
        { Key: "b", Value: "2" },
        { Key: "a", Value: "1" },
      ]);
    });
  });

  describe("tagChanges", () => {
    it("sets new and changed keys and removes keys no longer wanted", () => {
      assert.deepEqual(tagChanges({ keep: "1", change: "old", drop: "x" }, { keep: "1", change: "new", add: "y" }), {
        set: { change: "new", add: "y" },
        remove: ["drop"],
      });
    });

    it("never removes reserved keys", () => {
      assert.deepEqual(tagChanges({ "aws:cloudformation:stack": "s", [CREATE_TOKEN_TAG]: "t", old: "o" }, {}), { set: {}, remove: ["old"] });
    });

    it("removes a key that happens to be named like an Object.prototype member", () => {
      // given a snapshot tagged "constructor" and "toString", neither of which is wanted any more
      const changes = tagChanges({ constructor: "a", toString: "b" }, {});
      // then both are removed
      assert.deepEqual(changes, { set: {}, remove: ["constructor", "toString"] });
    });

    it("sets a wanted key named like an Object.prototype member", () => {
      assert.deepEqual(tagChanges({}, { valueOf: "v" }), { set: { valueOf: "v" }, remove: [] });
    });
  });

  describe("sameTags", () => {
    it("is true for equal maps in any key order and false otherwise", () => {
      assert.deepEqual(
        [sameTags({ a: "1", b: "2" }, { b: "2", a: "1" }), sameTags({ a: "1" }, { a: "2" }), sameTags({ a: "1" }, {}), sameTags({}, { a: "1" }), sameTags({ toString: "x" }, {})],
        [true, false, false, false, false],
      );
    });
  });
});
