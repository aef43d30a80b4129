import assert from "node:assert/strict";
import partitionsData from "@aws-sdk/util-endpoints/dist-cjs/lib/aws/partitions.json";
import { isKnownRegion, judgeRegion } from "../../../provider/inputs/region";

describe("judgeRegion", () => {
  it("knows the regions of every partition the AWS SDK knows", () => {
    assert.deepEqual(["us-east-1", "eu-west-2", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1"].map(judgeRegion), [
      { kind: "known", partition: "aws" },
      { kind: "known", partition: "aws" },
      { kind: "known", partition: "aws-cn" },
      { kind: "known", partition: "aws-us-gov" },
      { kind: "known", partition: "aws-iso-b" },
      { kind: "known", partition: "aws-eusc" },
    ]);
  });

  it("allows a value shaped like a region of a partition that the SDK does not know yet, since AWS adds regions", () => {
    assert.deepEqual(["us-west-9", "cn-south-7", "us-gov-north-4"].map(judgeRegion), [
      { kind: "unknown", partition: "aws" },
      { kind: "unknown", partition: "aws-cn" },
      { kind: "unknown", partition: "aws-us-gov" },
    ]);
  });

  it("refuses what matches no partition's pattern, with the region a common slip meant", () => {
    assert.deepEqual(["us-east-1a", "us-east-1-bos-1a", "US-EAST-1", "useast1", "us_west_2", "usgovwest1", "Eu-West-1B"].map(judgeRegion), [
      { kind: "invalid", nearest: { region: "us-east-1", because: "an availability zone of us-east-1, not a region" } },
      { kind: "invalid", nearest: { region: "us-east-1", because: "an availability zone of us-east-1, not a region" } },
      { kind: "invalid", nearest: { region: "us-east-1", because: "written in capitals; regions are lower case" } },
      { kind: "invalid", nearest: { region: "us-east-1", because: "missing its hyphens" } },
      { kind: "invalid", nearest: { region: "us-west-2", because: "missing its hyphens" } },
      { kind: "invalid", nearest: { region: "us-gov-west-1", because: "missing its hyphens" } },
      { kind: "invalid", nearest: { region: "eu-west-1", because: "an availability zone of eu-west-1, not a region" } },
    ]);
    // the SDK's own patterns (\w) would take these for regions not yet known; a region is lower case
    assert.deepEqual(["us-EAST-1", "us-West-2"].map(judgeRegion), [
      { kind: "invalid", nearest: { region: "us-east-1", because: "written in capitals; regions are lower case" } },
      { kind: "invalid", nearest: { region: "us-west-2", because: "written in capitals; regions are lower case" } },
    ]);
  });

  it("names no nearest region when none is obvious", () => {
    assert.deepEqual(["virginia", "", "us-east", "zz-middle-1", "us-ea_st-9", " us-east-1"].map(judgeRegion), [
      { kind: "invalid" },
      { kind: "invalid" },
      { kind: "invalid" },
      { kind: "invalid" },
      { kind: "invalid" },
      { kind: "invalid", nearest: { region: "us-east-1", because: "padded with spaces" } },
    ]);
  });

  it("reads patterns the live SDK agrees with: every region of the pinned partition data matches its pattern and is known to the SDK in use", () => {
    const disagreements = partitionsData.partitions.flatMap(({ id, regionRegex, regions }) =>
      Object.keys(regions)
        // aws-global and its kin are endpoint aliases, not regions, and never match a pattern.
        .filter((region) => !region.endsWith("-global"))
        .filter((region) => !new RegExp(regionRegex).test(region) || !isKnownRegion(region))
        .map((region) => `${id}:${region}`),
    );
    assert.deepEqual(disagreements, []);
  });
});
