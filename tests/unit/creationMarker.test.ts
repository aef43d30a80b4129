import assert from "node:assert/strict";
import crypto = require("node:crypto");
import type { Snapshot } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import { markerFilters, markerTags, matchesMarker, newCreationMarker, type CreationMarker } from "../../provider/creationMarker";
import { CREATE_TOKEN_TAG } from "../../provider/tags";

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const TOKEN = "11111111-2222-4333-8444-555555555555";
const VOLUME = "vol-0123456789abcdef0";

function tagMap(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `value${i}`]));
}

describe("creationMarker", () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: NOW, toFake: ["Date"] });
    sinon.stub(crypto, "randomUUID").returns(TOKEN);
  });

  afterEach(() => {
    clock.restore();
    sinon.restore();
  });

  describe("newCreationMarker", () => {
    it("carries a token when the user's tags leave room for it", () => {
      // given 49 user tags, one short of EC2's limit
      const marker = newCreationMarker(tagMap(49), "nightly", [VOLUME]);
      // then the marker has a token, and a start bound one minute before now for clock skew
      assert.deepEqual(marker, { token: TOKEN, volumeIds: [VOLUME], tags: tagMap(49), description: "nightly", notBefore: NOW - 60_000 });
    });

    it("carries no token when the user's 50 tags fill the snapshot", () => {
      assert.deepEqual(newCreationMarker(tagMap(50), undefined, [VOLUME]), { volumeIds: [VOLUME], tags: tagMap(50), notBefore: NOW - 60_000 });
    });

    it("leaves out volume ids and description that were not given", () => {
      assert.deepEqual(newCreationMarker({}, undefined), { token: TOKEN, tags: {}, notBefore: NOW - 60_000 });
    });
  });

  describe("markerTags", () => {
    it("sends the user's tags followed by the token", () => {
      assert.deepEqual(markerTags(newCreationMarker({ team: "db" }, undefined)), [
        { Key: "team", Value: "db" },
        { Key: CREATE_TOKEN_TAG, Value: TOKEN },
      ]);
    });

    it("sends only the user's tags when there is no token", () => {
      const marker: CreationMarker = { tags: { team: "db" }, notBefore: 0 };
      assert.deepEqual(markerTags(marker), [{ Key: "team", Value: "db" }]);
    });

    it("does not add the token to the marker's own tags", () => {
      const marker = newCreationMarker({ team: "db" }, undefined);
      markerTags(marker);
      assert.deepEqual(marker.tags, { team: "db" });
    });
  });

  describe("markerFilters", () => {
    it("filters on the token tag when there is a token", () => {
      assert.deepEqual(markerFilters(newCreationMarker({}, undefined, [VOLUME])), [{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: [TOKEN] }]);
    });

    it("filters on the volumes when there is no token", () => {
      assert.deepEqual(markerFilters(newCreationMarker(tagMap(50), undefined, [VOLUME, "vol-0fedcba9876543210"])), [
        { Name: "volume-id", Values: [VOLUME, "vol-0fedcba9876543210"] },
      ]);
    });

    it("has no filter without a token or volumes", () => {
      assert.deepEqual(markerFilters({ tags: tagMap(50), notBefore: 0 }), []);
    });
  });

  describe("matchesMarker", () => {
    const started = new Date(NOW);

    it("matches a snapshot that carries the marker's token, whatever else differs", () => {
      const marker = newCreationMarker({ team: "db" }, "nightly", [VOLUME]);
      const snapshot: Snapshot = { VolumeId: "vol-other", Description: "other", Tags: [{ Key: CREATE_TOKEN_TAG, Value: TOKEN }] };
      assert.equal(matchesMarker(snapshot, marker), true);
    });

    it("rejects a snapshot with another token even when everything else matches", () => {
      const marker = newCreationMarker({ team: "db" }, "nightly", [VOLUME]);
      const snapshot: Snapshot = {
        VolumeId: VOLUME,
        Description: "nightly",
        StartTime: started,
        Tags: [
          { Key: "team", Value: "db" },
          { Key: CREATE_TOKEN_TAG, Value: "another-token" },
        ],
      };
      assert.equal(matchesMarker(snapshot, marker), false);
    });

    describe("without a token", () => {
      const tags = tagMap(50);
      const marker: CreationMarker = { volumeIds: [VOLUME], tags, description: "nightly", notBefore: NOW - 60_000 };
      const matching: Snapshot = {
        VolumeId: VOLUME,
        Description: "nightly",
        StartTime: new Date(NOW - 60_000),
        Tags: [...Object.entries(tags).map(([Key, Value]) => ({ Key, Value })), { Key: "aws:backup", Value: "x" }],
      };

      it("matches the volume, description, exact user tags and a start within the skew allowance", () => {
        assert.equal(matchesMarker(matching, marker), true);
      });

      it("rejects each single difference", () => {
        // given snapshots that differ from the match in one respect each
        const variants: Snapshot[] = [
          { ...matching, StartTime: new Date(NOW - 60_001) },
          { ...matching, StartTime: undefined },
          { ...matching, Description: "weekly" },
          { ...matching, VolumeId: "vol-0fedcba9876543210" },
          { ...matching, Tags: matching.Tags?.slice(1) },
          { ...matching, Tags: [...(matching.Tags ?? []), { Key: "extra", Value: "x" }] },
        ];
        // then none of them is taken for the request's snapshot
        assert.deepEqual(variants.map((snapshot) => matchesMarker(snapshot, marker)), [false, false, false, false, false, false]);
      });

      it("treats an absent description as empty on both sides", () => {
        const noDescription: CreationMarker = { tags: {}, notBefore: 0 };
        assert.deepEqual(
          [matchesMarker({ StartTime: started, Description: "" }, noDescription), matchesMarker({ StartTime: started }, noDescription)],
          [true, true],
        );
      });
    });
  });
});
