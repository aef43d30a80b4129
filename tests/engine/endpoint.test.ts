import * as assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { Snapshot } from "../../sdk";
import { Deployment } from "../../harness/deployment";
import { hostEnv } from "../../harness/engineWorld";
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
async function createThrough(env: Record<string, string>): Promise<Outcome> {
  const host = await ProviderHost.start({ env });
  try {
    await host.configure({ "aws:region": REGION });
    const deployment = new Deployment(host);
    const resources = await registerResources(() => {
      new Snapshot("data", { volumeId: VOLUME });
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
