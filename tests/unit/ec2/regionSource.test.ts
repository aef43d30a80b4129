import assert from "node:assert/strict";
import sinon from "sinon";
import { describeRegionSource, InvalidRegionError, profileSource, verifyRegion, type RegionSource } from "../../../provider/ec2/regionSource";

describe("where a region came from", () => {
  it("names each source as a person sets it", () => {
    const sources: RegionSource[] = [
      { kind: "input", property: "sourceRegion" },
      { kind: "stack" },
      { kind: "environment" },
      profileSource("backup", { AWS_CONFIG_FILE: "/home/ci/.aws/config" }),
      profileSource(undefined, { AWS_PROFILE: "ops", AWS_CONFIG_FILE: "/etc/aws/config" }),
      profileSource(undefined, { AWS_CONFIG_FILE: "/etc/aws/config" }),
    ];
    assert.deepEqual(sources.map(describeRegionSource), [
      "the resource's `sourceRegion` input",
      "the stack's aws:region",
      "AWS_REGION",
      'the region of the profile "backup" in /home/ci/.aws/config',
      'the region of the profile "ops" in /etc/aws/config',
      'the region of the profile "default" in /etc/aws/config',
    ]);
  });
});

describe("verifyRegion", () => {
  function refusal(region: string, source: RegionSource): string {
    try {
      verifyRegion(region, source);
    } catch (error) {
      assert.ok(error instanceof InvalidRegionError);
      return error.message;
    }
    return "accepted";
  }

  it("refuses a value that is no region, naming it, its source, the nearest region and the fix at that source", () => {
    assert.deepEqual(
      [
        refusal("us-east-1a", { kind: "stack" }),
        refusal("US-EAST-1", { kind: "environment" }),
        refusal("useast1", { kind: "profile", profile: "backup", file: "/root/.aws/config" }),
        refusal("virginia", { kind: "stack" }),
        refusal("us-east-1", { kind: "stack" }),
      ],
      [
        '"us-east-1a" from the stack\'s aws:region is not an AWS region: it is an availability zone of us-east-1, not a region, so no EC2 request was sent. ' +
          "Run `pulumi config set aws:region us-east-1`, then run again.",
        '"US-EAST-1" from AWS_REGION is not an AWS region: it is written in capitals; regions are lower case, so no EC2 request was sent. Set AWS_REGION=us-east-1, then run again.',
        '"useast1" from the region of the profile "backup" in /root/.aws/config is not an AWS region: it is missing its hyphens, so no EC2 request was sent. ' +
          'Set `region = us-east-1` under the profile "backup" in /root/.aws/config, then run again.',
        "\"virginia\" from the stack's aws:region is not an AWS region: it matches no AWS partition's region pattern (such as us-east-1, eu-west-2, cn-north-1, us-gov-west-1), so no EC2 request was sent. " +
          "Run `pulumi config set aws:region <region>` with a region such as us-east-1, then run again.",
        "accepted",
      ],
    );
  });

  it("lets a region shaped right but unknown to this SDK through, saying so in one line per process", () => {
    const write = sinon.stub(process.stderr, "write").returns(true);
    try {
      verifyRegion("ap-middle-8", { kind: "environment" });
      verifyRegion("ap-middle-8", { kind: "stack" });
    } finally {
      write.restore();
    }
    const lines = write.getCalls().map((call) => String(call.args[0]));
    assert.deepEqual(lines, ['region "ap-middle-8" (from AWS_REGION) is not one this version of the AWS SDK knows; sending to it anyway, since AWS adds regions\n']);
  });
});
