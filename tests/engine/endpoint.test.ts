import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createServer, type Server } from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeSnapshotsCommand } from "@aws-sdk/client-ec2";
import { Snapshot, type SnapshotArgs } from "../../sdk";
import { Deployment } from "../../harness/deployment";
import { EngineWorld, hostEnv } from "../../harness/engineWorld";
import { freePort } from "../../harness/freePort";
import { registerResources } from "../../harness/program";
import { ProviderHost } from "../../harness/providerHost";
import { REGION } from "../../harness/seed";

/** The provider's real retry settings, so that "fails within seconds" is measured as a user gets it. */
const REAL_RETRIES = { EBS_SNAPSHOTS_RETRY_MIN_MS: "1000", EBS_SNAPSHOTS_RETRY_MAX_MS: "30000" };
const VOLUME = "vol-0123456789abcdef0";

interface Outcome {
  message: string;
  elapsedMs: number;
}

/** One Snapshot create (default 60-minute deadline) through a host whose EC2 endpoint is `env`'s. */
async function createThrough(env: Record<string, string>, config: Record<string, string> = { "aws:region": REGION }, args: SnapshotArgs = { volumeId: VOLUME }): Promise<Outcome> {
  const host = await ProviderHost.start({ env });
  try {
    await host.configure(config);
    const deployment = new Deployment(host);
    const resources = await registerResources(() => {
      new Snapshot("data", { ...args });
    });
    const started = Date.now();
    const [step] = await deployment.up(resources);
    assert.equal(step.ok, false);
    assert.deepEqual(deployment.state.resources, {});
    return { message: step.error?.message ?? "", elapsedMs: Date.now() - started };
  } finally {
    await host.stop();
  }
}

/**
 * An endpoint no retry can help (issue: fail fast). Real sockets and a real HTTP server on loopback
 * stand in for the wrong endpoints; no EC2 is involved.
 */
describe("an EC2 endpoint that no retry can help", function () {
  let page: Server;
  let pagePort: number;

  before(async function () {
    page = createServer((_request, response) => {
      response.writeHead(404, { "content-type": "text/html; charset=utf-8" });
      response.end("<html><body><h1>404 Not Found</h1></body></html>");
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    const address = page.address();
    pagePort = typeof address === "object" && address !== null ? address.port : 0;
  });

  after(function () {
    page?.close();
  });

  it("fails within seconds when the endpoint refuses connections, naming it and AWS_ENDPOINT_URL_EC2", async function () {
    // given an AWS_ENDPOINT_URL_EC2 where nothing listens
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { message, elapsedMs } = await createThrough(hostEnv(endpoint, REAL_RETRIES));
    assert.equal(
      message,
      `Snapshot "data": DescribeVolumes ${VOLUME} did not reach EC2: the endpoint ${endpoint} (set by AWS_ENDPOINT_URL_EC2) refused or dropped the connection ` +
        `(connect ECONNREFUSED ${endpoint.slice("http://".length)}, 3 attempts). No snapshot was created. Start the EC2 emulator or service at that address, or correct AWS_ENDPOINT_URL_EC2, or unset it to use EC2's own endpoint; then run again.`,
    );
    // three quick attempts (1 s, then 2 s of jittered backoff at most 2x), not the 60-minute deadline
    assert.ok(elapsedMs < 15_000, `failed after ${elapsedMs} ms`);
  });

  it("fails within seconds when the endpoint's host name does not resolve", async function () {
    // given an AWS_ENDPOINT_URL_EC2 on a name that can never resolve (.invalid is reserved)
    const { message, elapsedMs } = await createThrough(hostEnv("http://ec2-emulator.invalid:4566", REAL_RETRIES));
    assert.match(
      message,
      /^Snapshot "data": DescribeVolumes vol-0123456789abcdef0 did not reach EC2: the endpoint http:\/\/ec2-emulator\.invalid:4566 \(set by AWS_ENDPOINT_URL_EC2\) has a host name that does not resolve \(getaddrinfo ENOTFOUND ec2-emulator\.invalid, 3 attempts\)\. /,
    );
    assert.ok(elapsedMs < 15_000, `failed after ${elapsedMs} ms`);
  });

  it("fails within seconds when EC2's own endpoint does not resolve, naming it, the region and where the region came from", async function () {
    // given no endpoint variable, so EC2's own endpoint is named after the region; us-west-9 is shaped like a
    // region but exists nowhere, so its endpoint name resolves on no machine (with DNS or without)
    const { AWS_ENDPOINT_URL_EC2: _unset, ...env } = hostEnv("unused", REAL_RETRIES);
    const { message, elapsedMs } = await createThrough(env, { "aws:region": "us-west-9" });
    assert.equal(
      message,
      `Snapshot "data": DescribeVolumes ${VOLUME} did not reach EC2: EC2's endpoint https://ec2.us-west-9.amazonaws.com (region us-west-9, from the stack's aws:region) has a host name that does not resolve ` +
        "(getaddrinfo ENOTFOUND ec2.us-west-9.amazonaws.com, 3 attempts). No snapshot was created. Check that us-west-9 is the region you meant (it came from the stack's aws:region), " +
        "and that this machine resolves ec2.us-west-9.amazonaws.com (its DNS, network and any proxy); to use an EC2 emulator instead, set AWS_ENDPOINT_URL_EC2 to its address; then run again.",
    );
    // three quick attempts, not the 60-minute deadline with "raise timeouts.create" at its end
    assert.ok(elapsedMs < 15_000, `failed after ${elapsedMs} ms`);
  });

  it("fails at once when what answers is not EC2, naming the answer and AWS_ENDPOINT_URL", async function () {
    // given the general AWS_ENDPOINT_URL pointing at a web server that answers an HTML 404
    const endpoint = `http://127.0.0.1:${pagePort}`;
    const { AWS_ENDPOINT_URL_EC2: _unset, ...env } = hostEnv(endpoint, REAL_RETRIES);
    const { message, elapsedMs } = await createThrough({ ...env, AWS_ENDPOINT_URL: endpoint });
    assert.equal(
      message,
      `Snapshot "data": DescribeVolumes ${VOLUME} did not reach EC2: the endpoint ${endpoint} (set by AWS_ENDPOINT_URL) answered HTTP 404 (text/html), which is not an EC2 answer. No snapshot was created. ` +
        "Start the EC2 endpoint or emulator you meant at that address, or correct AWS_ENDPOINT_URL, or unset it to use EC2's own endpoint; then run again.",
    );
    assert.ok(elapsedMs < 5_000, `failed after ${elapsedMs} ms`);
  });
});

/**
 * A region that is no region (issue: fail fast). Each source a region can come from, through the host
 * against moto behind the fault proxy: the proxy's request log shows that nothing was sent. The last
 * case is moto's own answer (not the proxy's) for a region it does not serve: an HTML page with HTTP 500.
 */
describe("an AWS region that cannot be right", function () {
  let world: EngineWorld;
  let configDir: string;

  before(async function () {
    world = await EngineWorld.start();
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), "ebs-snapshots-region-"));
  });

  after(async function () {
    await world?.stop();
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  beforeEach(function () {
    world.proxy.clearRequests();
  });

  async function snapshotCount(): Promise<number> {
    return ((await world.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ["self"] }))).Snapshots ?? []).length;
  }

  /** A create through the proxy with the real retry settings; the region comes from `config` and `env`. */
  async function refused(config: Record<string, string>, env: Record<string, string> = {}, args?: SnapshotArgs): Promise<Outcome> {
    const before = await snapshotCount();
    const { AWS_REGION: _region, ...base } = hostEnv(world.proxy.endpoint, REAL_RETRIES);
    const outcome = await createThrough({ ...base, AWS_CONFIG_FILE: path.join(configDir, "none"), ...env }, config, args);
    assert.equal(await snapshotCount(), before);
    assert.ok(outcome.elapsedMs < 30_000, `failed after ${outcome.elapsedMs} ms`);
    return outcome;
  }

  it("refuses the resource's region input in check, naming the availability zone's region", async function () {
    const { message } = await refused({}, { AWS_REGION: REGION }, { volumeId: VOLUME, region: "us-east-1a" });
    assert.match(
      message,
      /check failed: region: region must be an AWS region such as us-east-1, got "us-east-1a": it is an availability zone of us-east-1, not a region; use "us-east-1"$/,
    );
    assert.deepEqual(world.proxy.requests, []);
  });

  it("refuses the stack's aws:region before any request, with the command that corrects it", async function () {
    const { message } = await refused({ "aws:region": "us-east-1a" });
    assert.equal(
      message,
      'Snapshot "data": "us-east-1a" from the stack\'s aws:region is not an AWS region: it is an availability zone of us-east-1, not a region, so no EC2 request was sent. ' +
        "No snapshot was created. Run `pulumi config set aws:region us-east-1`, then run again.",
    );
    assert.deepEqual(world.proxy.requests, []);
  });

  it("refuses AWS_REGION before any request", async function () {
    const { message } = await refused({}, { AWS_REGION: "US-EAST-1" });
    assert.equal(
      message,
      'Snapshot "data": "US-EAST-1" from AWS_REGION is not an AWS region: it is written in capitals; regions are lower case, so no EC2 request was sent. ' +
        "No snapshot was created. Set AWS_REGION=us-east-1, then run again.",
    );
    assert.deepEqual(world.proxy.requests, []);
  });

  it("refuses the profile's region before any request, naming the profile and its file", async function () {
    const file = path.join(configDir, "config");
    fs.writeFileSync(file, "[profile backup]\nregion = useast1\n");
    const { message } = await refused({}, { AWS_CONFIG_FILE: file, AWS_PROFILE: "backup" });
    assert.equal(
      message,
      `Snapshot "data": "useast1" from the region of the profile "backup" in ${file} is not an AWS region: it is missing its hyphens, so no EC2 request was sent. ` +
        `No snapshot was created. Set \`region = us-east-1\` under the profile "backup" in ${file}, then run again.`,
    );
    assert.deepEqual(world.proxy.requests, []);
  });

  it("sends to a region shaped right but unknown, and fails within seconds when the emulator answers a page instead of EC2's XML", async function () {
    // given a region that matches the aws partition's pattern but that neither the SDK nor moto knows
    const { message } = await refused({ "aws:region": "eu-middle-7" });
    // then moto's HTML 500 (three quick attempts) is named as not EC2, with the region the requests were signed for
    assert.equal(
      message,
      `Snapshot "data": DescribeVolumes ${VOLUME} did not reach EC2: the endpoint ${world.proxy.endpoint} (set by AWS_ENDPOINT_URL_EC2) answered HTTP 500 (text/html), which is not an EC2 answer (3 attempts). ` +
        "No snapshot was created. Start the EC2 endpoint or emulator you meant at that address, or correct AWS_ENDPOINT_URL_EC2, or unset it to use EC2's own endpoint; then run again. " +
        "An emulator answers so for a region it does not serve: requests are signed for region eu-middle-7, from the stack's aws:region.",
    );
    assert.equal(world.proxy.count("DescribeVolumes"), 3);
  });
});
