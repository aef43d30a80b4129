import assert from "node:assert/strict";
import crypto = require("node:crypto");
import type { Snapshot } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import {
  inFlightFilter,
  inFlightFor,
  markerFilters,
  markerTags,
  matchesMarker,
  newCreationMarker,
  recordedToken,
  resourceKey,
  resumedMarker,
} from "../../../provider/lifecycle/creationMarker";
import { CREATE_TOKEN_TAG } from "../../../provider/inputs/tags";

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
      assert.deepEqual(marker, { token: TOKEN, id: TOKEN, sent: { team: "storage" } });
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

  describe("resource keys: an in-flight token names the resource, a recorded one does not", () => {
    const URN = "urn:pulumi:prod::backups::pulumi-nodejs:dynamic/ebs-snapshots:Snapshot::data";
    const KEY = crypto.createHash("sha256").update(URN).digest("hex").slice(0, 16);

    it("derives a 16-digit key from the URN, and none from anything that is not a URN", () => {
      assert.equal(resourceKey(URN), KEY);
      assert.match(KEY, /^[0-9a-f]{16}$/);
      assert.equal(resourceKey(undefined), undefined);
      assert.equal(resourceKey("data"), undefined);
      assert.equal(resourceKey(42), undefined);
    });

    it("prefixes the request id with the key while the create is in flight", () => {
      const marker = newCreationMarker({ team: "storage" }, KEY);
      assert.deepEqual(marker, { token: `${KEY}.${TOKEN}`, id: TOKEN, sent: { team: "storage" } });
      assert.deepEqual(markerTags(marker).slice(-1), [{ Key: CREATE_TOKEN_TAG, Value: `${KEY}.${TOKEN}` }]);
    });

    it("finds the unrecorded creates of every resource with one wildcard filter, and tells them apart", () => {
      assert.deepEqual(inFlightFilter(), { Name: `tag:${CREATE_TOKEN_TAG}`, Values: ["*.*"] });
      const inFlight: Snapshot = { SnapshotId: "snap-0123456789abcdef0", Tags: [{ Key: CREATE_TOKEN_TAG, Value: `${KEY}.${TOKEN}` }] };
      assert.equal(inFlightFor(inFlight, KEY), true);
      assert.equal(inFlightFor(inFlight, "0123456789abcdef"), false);
      assert.equal(inFlightFor({ ...inFlight, Tags: [{ Key: CREATE_TOKEN_TAG, Value: TOKEN }] }, KEY), false);
    });

    it("resumes an interrupted request under its own token and id, with the tags wanted now", () => {
      const marker = resumedMarker(`${KEY}.99999999-2222-4333-8444-555555555555`, tagMap(50));
      assert.equal(marker.token, `${KEY}.99999999-2222-4333-8444-555555555555`);
      assert.equal(marker.id, "99999999-2222-4333-8444-555555555555");
      assert.deepEqual(marker.deferred, { key49: "value49" });
    });

    it("marks a snapshot recorded by cutting its token to the request id, and leaves a recorded one alone", () => {
      const tagged = (value: string): Snapshot => ({ SnapshotId: "snap-0123456789abcdef0", Tags: [{ Key: CREATE_TOKEN_TAG, Value: value }] });
      assert.deepEqual(recordedToken(tagged(`${KEY}.${TOKEN}`)), { [CREATE_TOKEN_TAG]: TOKEN });
      assert.deepEqual(recordedToken(tagged(TOKEN)), {});
      assert.deepEqual(recordedToken({ SnapshotId: "snap-0123456789abcdef0" }), {});
    });
  });

  describe("markerFilters", () => {
    it("looks snapshots up by the token tag only", () => {
      assert.deepEqual(markerFilters(newCreationMarker({})), [{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: [TOKEN] }]);
    });
  });

  describe("matchesMarker", () => {
    const marker = { token: TOKEN, id: TOKEN, sent: {} };
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
