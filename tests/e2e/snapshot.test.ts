import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DeleteSnapshotCommand } from "@aws-sdk/client-ec2";
import type { SnapshotArgs } from "../../sdk";
import { assertOk, useCliWorld, type CliStack, type CliWorld } from "../support/cliWorld";
import { allSnapshots, seedVolume, tagsOf } from "../../harness/seed";
import { freePort } from "../../harness/freePort";
import { waitUntil } from "../support/waitUntil";

const READ_ONLY = { accessKeyId: "AKIAREADONLY0EXAMPLE", secretAccessKey: "readonly/Secret+Key0ForTheEmulatorOnly12" };

/**
 * `Snapshot` through the real Pulumi CLI (Automation API, local file backend) against moto, with the
 * package installed from its tarball into a consumer project. Facts moto cannot produce come from the
 * fault proxy and are marked "(proxy)": snapshots held `pending`, snapshots ending in `error`, and
 * EC2's UnauthorizedOperation answer for credentials without write permissions.
 */
describe("Snapshot under the real Pulumi CLI", function () {
  this.timeout(300_000);
  const current = useCliWorld();
  let world: CliWorld;

  before(function () {
    world = current();
  });

  /** A stack whose program declares one Snapshot with the args `args()` returns when it runs. */
  function snapshotStack(project: string, args: () => SnapshotArgs): Promise<CliStack> {
    return world.newStack({
      project,
      program: async () => {
        const snapshot = new world.sdk.Snapshot("data", args());
        return { snapshotId: snapshot.snapshotId };
      },
    });
  }

  async function snapshotIds(): Promise<string[]> {
    return (await allSnapshots(world.ec2)).map((s) => s.SnapshotId ?? "").sort();
  }

  it("shows a tag change in `preview --diff` as one in-place update of `tags`, never `__provider`, and applies it", async function () {
    // given a deployed snapshot
    const volumeId = await seedVolume(world.ec2);
    let tags: Record<string, string> = { Team: "storage", Tier: "gold" };
    const stack = await snapshotStack("tag-change", () => ({ volumeId, tags }));
    assertOk(await stack.up(), "up");
    const [snapshotId] = await snapshotIds();

    // when a pull request changes one tag and removes another
    tags = { Team: "platform" };
    const preview = await stack.preview({ diff: true });

    // then the reviewer sees one in-place update that names tags only
    assertOk(preview, "preview --diff");
    assert.deepEqual(
      preview.steps.map((s) => [s.name, s.op, s.changed]),
      [["data", "update", ["tags"]]],
    );
    assert.match(preview.output, /~ tags\s*: \{/);
    assert.match(preview.output, /~ Team: "storage" => "platform"/);
    assert.match(preview.output, /- Tier: "gold"/);
    assert.doesNotMatch(preview.output, /__provider/);
    assert.match(preview.output, /~ 1 to update/);
    assert.match(preview.output, /~ pulumi-nodejs:dynamic\/ebs-snapshots:Snapshot: \(update\)/);

    // when it is applied
    world.proxy.clearRequests();
    const up = await stack.up();
    assertOk(up, "up");
    // then the same snapshot carries the new tags, changed with one DeleteTags and one CreateTags
    assert.deepEqual(await snapshotIds(), [snapshotId]);
    const [snapshot] = await allSnapshots(world.ec2);
    assert.deepEqual(Object.fromEntries(Object.entries(tagsOf(snapshot)).filter(([key]) => !key.startsWith("pulumi-ebs-snapshots:"))), { Team: "platform" });
    assert.equal(world.proxy.count("DeleteTags"), 1);
    assert.equal(world.proxy.count("CreateTags"), 1);
    assert.deepEqual((await stack.snapshots()).get("data")?.outputs?.tags, { Team: "platform" });
  });

  it("replaces the snapshot when the volume changes, creating the new one before deleting the old", async function () {
    // given a deployed snapshot of one volume
    const first = await seedVolume(world.ec2);
    const second = await seedVolume(world.ec2);
    let volumeId = first;
    const stack = await snapshotStack("volume-change", () => ({ volumeId, tags: { Team: "storage" } }));
    assertOk(await stack.up(), "up");
    const [oldId] = await snapshotIds();

    // when the program points at another volume
    volumeId = second;
    const preview = await stack.preview({ diff: true });
    // then the preview shows a replace forced by volumeId
    assertOk(preview, "preview --diff");
    assert.deepEqual(
      preview.steps.filter((s) => s.op === "replace").map((s) => [s.name, s.keys]),
      [["data", ["volumeId"]]],
    );
    assert.match(preview.output, /\+-1 to replace/);

    // when it is applied
    world.proxy.clearRequests();
    const up = await stack.up();
    assertOk(up, "up");
    // then the engine created the replacement first and deleted the old snapshot after it
    const ops = up.steps.map((s) => s.op);
    assert.ok(ops.indexOf("create-replacement") >= 0 && ops.indexOf("create-replacement") < ops.indexOf("delete-replaced"), ops.join(","));
    const actions = world.proxy.requests.map((r) => `${r.action}:${r.params["VolumeId"] ?? r.params["SnapshotId"] ?? ""}`);
    const created = actions.indexOf(`CreateSnapshot:${second}`);
    const deleted = actions.indexOf(`DeleteSnapshot:${oldId}`);
    assert.ok(created >= 0 && deleted > created, actions.join("\n"));
    // and EC2 holds only the new snapshot, of the new volume, which the state records
    const now = await allSnapshots(world.ec2);
    assert.deepEqual(
      now.map((s) => s.VolumeId),
      [second],
    );
    assert.equal((await stack.snapshots()).get("data")?.id, now[0].SnapshotId);
  });

  it("drops a snapshot deleted outside Pulumi on refresh, and takes a new one on the next up", async function () {
    // given a deployed snapshot that someone deletes in the console
    const volumeId = await seedVolume(world.ec2);
    const stack = await snapshotStack("deleted-outside", () => ({ volumeId }));
    assertOk(await stack.up(), "up");
    const [goneId] = await snapshotIds();
    await world.ec2.send(new DeleteSnapshotCommand({ SnapshotId: goneId }));

    // when the stack is refreshed
    const refresh = await stack.refresh();
    // then the state no longer records it
    assertOk(refresh, "refresh");
    assert.equal((await stack.snapshots()).has("data"), false);

    // when the stack is deployed again
    const up = await stack.up();
    // then a new snapshot is taken and recorded
    assertOk(up, "up");
    assert.deepEqual(
      up.steps.map((s) => s.op),
      ["create"],
    );
    const [newId] = await snapshotIds();
    assert.notEqual(newId, goneId);
    assert.equal((await stack.snapshots()).get("data")?.id, newId);
  });

  it("records a snapshot still pending at the create deadline, with init errors, and resumes it on the next up", async function () {
    // given snapshots that stay pending (proxy) and a 4-second create deadline
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots();
    const stack = await snapshotStack("deadline", () => ({ volumeId, timeouts: { create: "4s" } }));

    // when it is deployed
    const up = await stack.up();

    // then the update fails, naming the snapshot and what happens next
    assert.equal(up.ok, false);
    const [snapshotId] = await snapshotIds();
    assert.match(
      up.output,
      new RegExp(
        `Snapshot "data": snapshot ${snapshotId} is still pending \\(0%\\) after 4s\\. It is recorded in the stack, and the next \`pulumi up\` resumes waiting\\. Run \`pulumi up\` again`,
      ),
    );
    // and the state records it, with the engine's init errors
    const recorded = (await stack.snapshots()).get("data");
    assert.equal(recorded?.id, snapshotId);
    assert.equal(recorded?.outputs?.state, "pending");
    assert.equal(recorded?.initErrors?.length, 1);

    // when EC2 finishes the snapshot and the stack is deployed again
    hold.release();
    const resumed = await stack.up();
    // then the engine updates the same snapshot ("continue awaiting initialization") and it completes
    assertOk(resumed, "the second up");
    assert.deepEqual(
      resumed.steps.map((s) => [s.name, s.op]),
      [["data", "update"]],
    );
    const after = (await stack.snapshots()).get("data");
    assert.equal(after?.id, snapshotId);
    assert.equal(after?.outputs?.state, "completed");
    assert.equal(after?.initErrors, undefined);
    assert.deepEqual(await snapshotIds(), [snapshotId]);
  });

  it("fails naming a snapshot that ended in error, with EC2's message, and leaves nothing in EC2 or in state", async function () {
    // given a volume whose snapshots end in error after one poll (proxy)
    const volumeId = await seedVolume(world.ec2);
    world.proxy.progressNewSnapshots({ pendingDescribes: 1, end: { state: "error", message: "The volume is unreadable." } });
    const stack = await snapshotStack("error-state", () => ({ volumeId }));

    // when it is deployed
    const up = await stack.up();

    // then the update fails with the snapshot's id and EC2's StateMessage, and says it was deleted
    assert.equal(up.ok, false);
    const created = world.proxy.requestsFor("DeleteSnapshot").map((r) => r.params["SnapshotId"]);
    assert.equal(created.length, 1);
    assert.match(
      up.output,
      new RegExp(
        `Snapshot "data": snapshot ${created[0]} of volume ${volumeId} failed \\(state error: The volume is unreadable\\.\\)\\. It was deleted, so nothing of this create is left\\. Check the volume`,
      ),
    );
    assert.deepEqual(await snapshotIds(), []);
    assert.equal((await stack.snapshots()).has("data"), false);
  });

  it("fails at the create deadline when throttling outlasts it, giving EC2's last code and that no snapshot was found", async function () {
    // given EC2 throttling every CreateSnapshot (proxy) and a 3-second create deadline
    const volumeId = await seedVolume(world.ec2);
    world.proxy.inject({ kind: "error", action: "CreateSnapshot", code: "RequestLimitExceeded", times: Number.POSITIVE_INFINITY });
    const stack = await snapshotStack("throttled", () => ({ volumeId, timeouts: { create: "3s" } }));

    // when it is deployed
    const up = await stack.up();

    // then the CLI prints one message: the resource, the deadline, EC2's last code, what was found and what to do
    assert.equal(up.ok, false);
    assert.match(
      up.output,
      new RegExp(
        `Snapshot "data": create \\(volume ${volumeId}\\) did not finish within its 3s timeout \\(last EC2 answer: RequestLimitExceeded\\)\\. ` +
          "No snapshot of this create was found \\(searched by its create token\\)\\. Raise timeouts\\.create to give it longer, then run again\\.",
      ),
    );
    assert.ok(world.proxy.count("CreateSnapshot") > 1);
    assert.deepEqual(await snapshotIds(), []);
    assert.equal((await stack.snapshots()).has("data"), false);
  });

  it("on Ctrl-C while waiting, lets the CLI exit once the create's own deadline passes, with the snapshot recorded, and resumes it", async function () {
    // given snapshots that stay pending (proxy) and a 10-second create deadline
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots();
    const stack = await snapshotStack("ctrl-c", () => ({ volumeId, timeouts: { create: "10s" } }));

    // when SIGINT reaches `pulumi up` while the provider polls the pending snapshot
    const interrupt = new AbortController();
    const up = stack.up({ signal: interrupt.signal });
    await waitUntil(
      () => world.proxy.requestsFor("DescribeSnapshots").some((r) => Object.keys(r.params).some((k) => k.startsWith("Filter"))),
      60_000,
      "the provider to poll the new snapshot",
    );
    const interruptedAt = Date.now();
    interrupt.abort();
    const run = await up;

    // then the CLI cancels, waits for the create in flight, and exits when its deadline passes
    assert.equal(run.ok, false);
    assert.match(run.output, /\^C received; cancelling/);
    assert.ok(Date.now() - interruptedAt < 60_000);
    const [snapshotId] = await snapshotIds();
    assert.match(run.output, new RegExp(`snapshot ${snapshotId} is still pending`));
    // and the snapshot is recorded (with init errors), with no pending operation left for the user to clear
    const exported = await stack.exported();
    assert.deepEqual(exported.pendingOperations, []);
    assert.equal((await stack.snapshots()).get("data")?.id, snapshotId);

    // when the stack is deployed again
    hold.release();
    const resumed = await stack.up();
    // then the same snapshot completes, and it is the only one
    assertOk(resumed, "the up after Ctrl-C");
    assert.equal((await stack.snapshots()).get("data")?.outputs?.state, "completed");
    assert.deepEqual(await snapshotIds(), [snapshotId]);
  });

  it("on a second Ctrl-C, the CLI terminates at once; the next up resumes the snapshot the interrupted create started", async function () {
    // given snapshots that stay pending (proxy)
    const volumeId = await seedVolume(world.ec2);
    const hold = world.proxy.holdNewSnapshots();
    let tags: Record<string, string> = { Team: "storage" };
    const stack = await snapshotStack("ctrl-c-twice", () => ({ volumeId, tags }));

    // when Ctrl-C is pressed twice while the provider waits for the snapshot
    const up = stack.up();
    await waitUntil(
      () => world.proxy.requestsFor("DescribeSnapshots").some((r) => Object.keys(r.params).some((k) => k.startsWith("Filter") && r.params[k].startsWith("snap-"))),
      60_000,
      "the provider to poll the new snapshot",
    );
    const interruptedAt = Date.now();
    await stack.interrupt(2);
    const run = await up;

    // then the CLI terminates without waiting for the create, which it records as a pending operation
    assert.equal(run.ok, false);
    assert.match(run.output, /\^C received; terminating/);
    assert.ok(Date.now() - interruptedAt < 20_000);
    const [orphan, ...others] = await snapshotIds();
    assert.deepEqual(others, []);
    const interrupted = await stack.exported();
    assert.equal((await stack.snapshots()).has("data"), false);
    assert.deepEqual(
      interrupted.pendingOperations.map((op) => [op.type, op.urn.split("::").pop()]),
      [["creating", "data"]],
    );

    // when the user just runs `pulumi up` again (with a tag changed meanwhile)
    hold.release();
    tags = { Team: "platform" };
    const resumed = await stack.up();

    // then the CLI warns of the interrupted create, and the provider resumes the snapshot it had started
    assertOk(resumed, "the up after two Ctrl-Cs");
    assert.match(resumed.output, /interrupted while creating/);
    assert.match(resumed.output, new RegExp(`Snapshot "data": resuming snapshot ${orphan} of volume ${volumeId}`));
    const recorded = (await stack.snapshots()).get("data");
    assert.equal(recorded?.id, orphan);
    assert.equal(recorded?.outputs?.state, "completed");
    assert.deepEqual(recorded?.outputs?.tags, { Team: "platform" });
    assert.deepEqual(await snapshotIds(), [orphan]);

    // and all that is left is the CLI's own note of the interrupted create, which `refresh --clear-pending-creates` drops
    assert.equal((await stack.exported()).pendingOperations.length, 1);
    assertOk(await stack.refresh({ clearPendingCreates: true }), "refresh --clear-pending-creates");
    assert.deepEqual((await stack.exported()).pendingOperations, []);
    assert.equal((await stack.snapshots()).get("data")?.id, orphan);
    assert.deepEqual(await snapshotIds(), [orphan]);
    const steady = await stack.preview({ expectNoChanges: true });
    assertOk(steady, "preview --expect-no-changes");
    assert.doesNotMatch(steady.output, /pending operations/);
  });

  it("fails `pulumi up` within seconds when AWS_ENDPOINT_URL_EC2 refuses connections, saying so in the CLI's output", async function () {
    // given a stack whose provider is pointed at a port where nothing listens, with the real retry settings
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const stack = await snapshotStack("wrong-endpoint", () => ({ volumeId: "vol-0123456789abcdef0" }));
    stack.setEnv({ AWS_ENDPOINT_URL_EC2: endpoint, EBS_SNAPSHOTS_RETRY_MIN_MS: "1000", EBS_SNAPSHOTS_RETRY_MAX_MS: "30000" });

    // when it is deployed
    const up = await stack.up();

    // then the CLI reports, within seconds, which endpoint refused, which variable set it, and what to do
    assert.equal(up.ok, false);
    assert.ok(up.elapsedMs < 30_000, `took ${up.elapsedMs} ms`);
    assert.match(
      up.output,
      new RegExp(
        `Snapshot "data": DescribeVolumes vol-0123456789abcdef0 did not reach EC2: the endpoint ${endpoint.replace(/\./g, "\\.")} \\(set by AWS_ENDPOINT_URL_EC2\\) refused or dropped the connection`,
      ),
    );
    assert.match(up.output, /or correct AWS_ENDPOINT_URL_EC2, or unset it to use EC2's own endpoint; then run again\./);
    assert.equal((await stack.snapshots()).has("data"), false);
  });

  it("fails `pulumi up` within seconds when EC2's own endpoint does not resolve, naming the endpoint, the region and its source", async function () {
    // given no endpoint variable and an aws:region shaped like a region that exists nowhere, so that EC2's own
    // endpoint name resolves on no machine, with the real retry settings
    const stack = await snapshotStack("own-endpoint-unresolved", () => ({ volumeId: "vol-0123456789abcdef0" }));
    stack.unsetEnv(["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"]);
    stack.setEnv({ EBS_SNAPSHOTS_RETRY_MIN_MS: "1000", EBS_SNAPSHOTS_RETRY_MAX_MS: "30000" });
    await stack.setConfig("aws:region", "us-west-9");

    // when it is deployed
    const up = await stack.up();

    // then the CLI shows, within seconds, the unknown-region line, the endpoint that does not resolve, and what to check
    assert.equal(up.ok, false);
    assert.ok(up.elapsedMs < 30_000, `took ${up.elapsedMs} ms`);
    assert.match(up.output, /region "us-west-9" \(from the stack's aws:region\) is not one this version of the AWS SDK knows; sending to it anyway, since AWS adds regions/);
    assert.match(
      up.output,
      /Snapshot "data": DescribeVolumes vol-0123456789abcdef0 did not reach EC2: EC2's endpoint https:\/\/ec2\.us-west-9\.amazonaws\.com \(region us-west-9, from the stack's aws:region\) has a host name that does not resolve/,
    );
    assert.match(up.output, /Check that us-west-9 is the region you meant \(it came from the stack's aws:region\)/);
    assert.doesNotMatch(up.output, /raise timeouts/i);
    assert.equal((await stack.snapshots()).has("data"), false);
  });

  it("refuses a mistyped region from the resource, aws:region and AWS_REGION in seconds, naming the source and the region meant, with no EC2 call", async function () {
    const volumeId = await seedVolume(world.ec2);
    const before = await snapshotIds();
    world.proxy.clearRequests();

    // given the resource's own region set to an availability zone: refused in preview, at the property
    const input = await snapshotStack("region-input", () => ({ volumeId, region: "us-east-1a" }));
    const preview = await input.preview();
    assert.equal(preview.ok, false);
    assert.match(preview.output, /region must be an AWS region such as us-east-1, got "us-east-1a": it is an availability zone of us-east-1, not a region; use "us-east-1"/);

    // given the stack's aws:region set to an availability zone
    const stackConfig = await snapshotStack("region-config", () => ({ volumeId }));
    await stackConfig.setConfig("aws:region", "us-east-1a");
    const fromConfig = await stackConfig.up();
    assert.equal(fromConfig.ok, false);
    assert.ok(fromConfig.elapsedMs < 30_000, `took ${fromConfig.elapsedMs} ms`);
    assert.match(
      fromConfig.output,
      /Snapshot "data": "us-east-1a" from the stack's aws:region is not an AWS region: it is an availability zone of us-east-1, not a region, so no EC2 request was sent\. No snapshot was created\. Run `pulumi config set aws:region us-east-1`, then run again\./,
    );

    // given no aws:region, and AWS_REGION without its hyphens
    const environment = await snapshotStack("region-env", () => ({ volumeId }));
    await environment.stack.removeConfig("aws:region");
    environment.setEnv({ AWS_REGION: "useast1" });
    const fromEnv = await environment.up();
    assert.equal(fromEnv.ok, false);
    assert.ok(fromEnv.elapsedMs < 30_000, `took ${fromEnv.elapsedMs} ms`);
    assert.match(
      fromEnv.output,
      /Snapshot "data": "useast1" from AWS_REGION is not an AWS region: it is missing its hyphens, so no EC2 request was sent\. No snapshot was created\. Set AWS_REGION=us-east-1, then run again\./,
    );

    // and nothing reached EC2, and no snapshot exists that did not before
    assert.deepEqual(world.proxy.requests, []);
    assert.deepEqual(await snapshotIds(), before);
  });

  it("fails naming the stack's aws:profile when it gives no credentials, in the CLI's output, with EC2 never called", async function () {
    // given a stack whose aws:profile names a profile that does not exist, and no other credentials anywhere
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ebs-snapshots-no-aws-"));
    const stack = await snapshotStack("no-credentials", () => ({ volumeId: "vol-0123456789abcdef0" }));
    stack.unsetEnv(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    // Empty AWS config files, and no instance metadata: nothing leaves loopback.
    stack.setEnv({ AWS_CONFIG_FILE: path.join(empty, "config"), AWS_SHARED_CREDENTIALS_FILE: path.join(empty, "credentials"), AWS_EC2_METADATA_DISABLED: "true" });
    await stack.setConfig("aws:profile", "backup-nightly");
    world.proxy.clearRequests();
    try {
      // when it is deployed
      const up = await stack.up();

      // then the CLI shows the client-side failure: which source, that EC2 was not called, what to do
      assert.equal(up.ok, false);
      assert.match(
        up.output,
        /Snapshot "data": DescribeVolumes vol-0123456789abcdef0 was not sent, and EC2 was not called: the AWS SDK could not load credentials from the profile "backup-nightly" \(the stack's aws:profile\)/,
      );
      assert.match(up.output, /Check that the profile "backup-nightly" exists in ~\/\.aws\/config or ~\/\.aws\/credentials/);
      assert.deepEqual(world.proxy.requests, []);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it("refuses in preview a carriage return EC2 would hand back as a line feed, naming the tag, with no EC2 call", async function () {
    // given a program whose tag value carries a Windows line break
    const volumeId = await seedVolume(world.ec2);
    const stack = await snapshotStack("carriage-return", () => ({ volumeId, tags: { Note: "line one\r\nline two" } }));
    world.proxy.clearRequests();

    // when it is previewed
    const preview = await stack.preview();

    // then check refuses it, naming the property, the character, its place and the fix
    assert.equal(preview.ok, false);
    assert.match(
      preview.output,
      /property tags\["Note"\] value .* has a problem: the tag value has a carriage return \(\\r\) at character 9: EC2's XML answers hand it back as a line feed \(\\n\), so the value would differ from the program's after every refresh; write line breaks as \\n/,
    );
    assert.deepEqual(world.proxy.requests, []);
  });

  it("hands back unchanged every character class EC2 keeps, so neither up nor refresh leaves a diff", async function () {
    // given tags and a description with line feeds, tabs, padding, markup characters, Unicode separators and emoji
    const volumeId = await seedVolume(world.ec2);
    const tags = { Note: "line one\nline two", Tabbed: "a\tb", Padded: "  both ends  ", Markup: `a&b<c>"d'e`, Unicode: "non\u00a0breaking\u2028next\u0085line 😀 日本語" };
    // moto drops a description containing markup characters (real EC2 escapes them), so those are tested in tags only.
    const description = "nightly\n\tbackup 😀";
    const stack = await snapshotStack("round-trip", () => ({ volumeId, description, tags }));

    // when it is deployed, previewed, refreshed and previewed again
    assertOk(await stack.up(), "up");
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes");
    assertOk(await stack.refresh({ expectNoChanges: true }), "refresh --expect-no-changes");
    assertOk(await stack.preview({ expectNoChanges: true }), "preview --expect-no-changes after refresh");

    // then EC2 and the state hold exactly what the program gave
    const [snapshot] = await allSnapshots(world.ec2);
    assert.equal(snapshot.Description, description);
    assert.deepEqual(Object.fromEntries(Object.entries(tagsOf(snapshot)).filter(([key]) => !key.startsWith("pulumi-ebs-snapshots:"))), tags);
    assert.deepEqual((await stack.snapshots()).get("data")?.outputs?.tags, Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1))));
  });

  it("previews a pull request with read-only credentials: `preview --refresh` succeeds and makes only Describe calls", async function () {
    // given a deployed snapshot, and credentials for which EC2 refuses every mutating action (proxy: UnauthorizedOperation)
    const volumeId = await seedVolume(world.ec2);
    let tags: Record<string, string> = { Team: "storage" };
    const stack = await snapshotStack("read-only", () => ({ volumeId, tags }));
    assertOk(await stack.up(), "up");
    world.proxy.inject({
      kind: "error",
      code: "UnauthorizedOperation",
      accessKeyId: READ_ONLY.accessKeyId,
      when: (p) => !(p["Action"] ?? "").startsWith("Describe"),
      times: Infinity,
    });
    stack.setEnv({ AWS_ACCESS_KEY_ID: READ_ONLY.accessKeyId, AWS_SECRET_ACCESS_KEY: READ_ONLY.secretAccessKey });
    world.proxy.clearRequests();

    // when a pull request's CI job previews a tag change with a refresh first
    tags = { Team: "platform" };
    const preview = await stack.preview({ refresh: true, diff: true });

    // then the preview succeeds and shows the update
    assertOk(preview, "preview --refresh");
    assert.deepEqual(
      preview.steps.filter((s) => s.op !== "refresh").map((s) => [s.name, s.op, s.changed]),
      [["data", "update", ["tags"]]],
    );
    // and every EC2 call it made was a Describe, signed with the read-only key, and none was refused
    const calls = world.proxy.requests;
    assert.ok(calls.length > 0);
    assert.deepEqual(
      [...new Set(calls.map((r) => r.action))].filter((a) => !a.startsWith("Describe")),
      [],
    );
    assert.deepEqual([...new Set(calls.map((r) => r.accessKeyId))], [READ_ONLY.accessKeyId]);
    assert.deepEqual(
      calls.filter((r) => r.status >= 400).map((r) => `${r.action} ${r.status}`),
      [],
    );
  });
});
