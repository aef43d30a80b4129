import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Snapshot } from "../../sdk";
import { Deployment } from "../../harness/deployment";
import { EngineWorld, hostEnv } from "../../harness/engineWorld";
import { registerResources } from "../../harness/program";
import { ProviderHost } from "../../harness/providerHost";
import { REGION, seedVolume } from "../../harness/seed";

/**
 * Credential failures are the client's, not EC2's: the message names the source tried and what to set.
 * The SDK's credential chain runs for real in the host, with no credentials anywhere it looks (empty
 * AWS config files, instance metadata off so nothing leaves loopback); the expired token is EC2's
 * ExpiredToken answer, supplied by the fault proxy.
 */
describe("credentials that fail", function () {
  let world: EngineWorld;
  let empty: string;

  before(async function () {
    world = await EngineWorld.start();
    empty = fs.mkdtempSync(path.join(os.tmpdir(), "ebs-snapshots-no-aws-"));
  });

  after(async function () {
    await world?.stop();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  afterEach(function () {
    world.proxy.clearFaults();
  });

  /** The host's environment with no credentials anywhere the SDK's chain looks. */
  function withoutCredentials(extra: Record<string, string> = {}): Record<string, string> {
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...env } = hostEnv(world.proxy.endpoint);
    return {
      ...env,
      AWS_CONFIG_FILE: path.join(empty, "config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(empty, "credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      ...extra,
    };
  }

  async function createFails(env: Record<string, string>, config: Record<string, string> = {}): Promise<string> {
    const host = await ProviderHost.start({ env });
    try {
      await host.configure({ "aws:region": REGION, ...config });
      const deployment = new Deployment(host);
      const [step] = await deployment.up(await registerResources(() => void new Snapshot("data", { volumeId: "vol-0123456789abcdef0" })));
      assert.equal(step.ok, false);
      assert.deepEqual(deployment.state.resources, {});
      return step.error?.message ?? "";
    } finally {
      await host.stop();
    }
  }

  it("with none anywhere, says the SDK's default chain found none, EC2 was not called, and what to set", async function () {
    world.proxy.clearRequests();
    const message = await createFails(withoutCredentials());
    assert.equal(
      message,
      'Snapshot "data": DescribeVolumes vol-0123456789abcdef0 was not sent, and EC2 was not called: the AWS SDK could not load credentials from the default chain ' +
        "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the default profile in ~/.aws, SSO, container and instance roles): Could not load credentials from any providers. No snapshot was created. " +
        "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or `pulumi config set aws:profile <name>`, then run again.",
    );
    assert.deepEqual(world.proxy.requests, []);
  });

  it("with an unknown profile in AWS_PROFILE, names the profile and the variable", async function () {
    const message = await createFails(withoutCredentials({ AWS_PROFILE: "backup-nightly" }));
    assert.match(
      message,
      /^Snapshot "data": DescribeVolumes vol-0123456789abcdef0 was not sent, and EC2 was not called: the AWS SDK could not load credentials from the profile "backup-nightly" \(AWS_PROFILE\): /,
    );
    assert.match(message, /Check that the profile "backup-nightly" exists in ~\/\.aws\/config or ~\/\.aws\/credentials and holds credentials/);
  });

  it("with an unknown profile in the stack's aws:profile, names the profile and the stack config", async function () {
    const message = await createFails(withoutCredentials(), { "aws:profile": "backup-nightly" });
    assert.match(message, /could not load credentials from the profile "backup-nightly" \(the stack's aws:profile\): /);
  });

  it("with an expired session token, says EC2 refused the credentials as expired and how to refresh them", async function () {
    // given credentials that EC2 answers ExpiredToken for (proxy)
    const volumeId = await seedVolume(world.ec2);
    world.proxy.clearRequests();
    world.proxy.inject({ kind: "error", code: "ExpiredToken", message: "The security token included in the request is expired", times: Number.POSITIVE_INFINITY });
    const host = await ProviderHost.start({ env: hostEnv(world.proxy.endpoint) });
    try {
      await host.configure({ "aws:region": REGION });
      const deployment = new Deployment(host);
      const [step] = await deployment.up(await registerResources(() => void new Snapshot("data", { volumeId })));
      assert.equal(step.ok, false);
      assert.equal(
        step.error?.message,
        `Snapshot "data": DescribeVolumes ${volumeId} was refused: EC2 says the credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment have expired ` +
          "(EC2 ExpiredToken: The security token included in the request is expired). No snapshot was created. Refresh them (for SSO, aws sso login; for session credentials, new ones with their AWS_SESSION_TOKEN), then run again.",
      );
      // and it was not retried: one refused call
      assert.equal(world.proxy.count("DescribeVolumes"), 1);
    } finally {
      await host.stop();
    }
  });
});
