import assert from "node:assert/strict";
import crypto = require("node:crypto");
import type { Snapshot } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import { markerFilters, markerTags, matchesMarker, newCreationMarker } from "../../provider/creationMarker";
import { CREATE_TOKEN_TAG } from "../../provider/tags";

const TOKEN = "11111111-2222-4333-8444-555555555555";

function tagMap(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${String(i).padStart(2, "0")}`, `value${i}`]));
}

describe("creationMarker", () => {
  beforeEach(() => {
    sinon.stub(crypto, "randomUUID").returns(TOKEN);
  });

  afterEach(() => {
    sinon.restore();
  });

  describe("newCreationMarker", () => {
    it("sends every user tag and the token when there is room for it", () => {
      const marker = newCreationMarker({ team: "storage" });
      assert.deepEqual(marker, { token: TOKEN, sent: { team: "storage" } });
      assert.deepEqual(markerTags(marker), [
        { Key: "team", Value: "storage" },
        { Key: CREATE_TOKEN_TAG, Value: TOKEN },
      ]);
    });

    it("keeps a token with 49 user tags: 50 tags in all", () => {
      const marker = newCreationMarker(tagMap(49));
      assert.equal(marker.deferred, undefined);
      assert.equal(markerTags(marker).length, 50);
    });

    it("holds back the last user tag by key when all 50 are the user's, so the token always fits", () => {
      const marker = newCreationMarker(tagMap(50));
      assert.deepEqual(marker.deferred, { key49: "value49" });
      assert.equal(Object.keys(marker.sent).length, 49);
      assert.equal(marker.sent.key49, undefined);
      assert.deepEqual(markerTags(marker).slice(-1), [{ Key: CREATE_TOKEN_TAG, Value: TOKEN }]);
      assert.equal(markerTags(marker).length, 50);
    });

    it("does not change the caller's tags", () => {
      const tags = tagMap(50);
      newCreationMarker(tags);
      assert.deepEqual(tags, tagMap(50));
    });
  });

  describe("markerFilters", () => {
    it("looks snapshots up by the token tag only", () => {
      assert.deepEqual(markerFilters(newCreationMarker({})), [{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: [TOKEN] }]);
    });
  });

  describe("matchesMarker", () => {
    const marker = { token: TOKEN, sent: {} };
    const snapshot = (tags: { Key: string; Value: string }[]): Snapshot => ({ SnapshotId: "snap-0123456789abcdef0", Tags: tags });

    it("matches a snapshot carrying the request's token", () => {
      assert.equal(matchesMarker(snapshot([{ Key: CREATE_TOKEN_TAG, Value: TOKEN }]), marker), true);
    });

    it("never matches a snapshot without the token, however alike it is otherwise", () => {
      assert.equal(matchesMarker(snapshot([{ Key: "team", Value: "storage" }]), marker), false);
      assert.equal(matchesMarker({ SnapshotId: "snap-0123456789abcdef0" }, marker), false);
    });

    it("never matches another request's token", () => {
      assert.equal(matchesMarker(snapshot([{ Key: CREATE_TOKEN_TAG, Value: "99999999-2222-4333-8444-555555555555" }]), marker), false);
    });
  });
});
