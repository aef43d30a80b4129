import assert from "node:assert/strict";
import type { Filter, Snapshot } from "@aws-sdk/client-ec2";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import { Deadline } from "../../../provider/lifecycle/deadline";
import type { Ec2 } from "../../../provider/ec2/ec2";
import { interruptedCreates } from "../../../provider/lifecycle/interruptedLookup";
import { CREATE_TOKEN_TAG } from "../../../provider/inputs/tags";

const KEY_A = "aaaaaaaaaaaaaaaa";
const KEY_B = "bbbbbbbbbbbbbbbb";

function snapshot(id: string, token: string, startedAt: number): Snapshot {
  return { SnapshotId: id, StartTime: new Date(startedAt), Tags: [{ Key: CREATE_TOKEN_TAG, Value: token }] };
}

// Answers are kept per region and process: each test uses a region of its own.
let regions = 0;

/** An Ec2 whose only call is the DescribeSnapshots the lookup makes; every call is recorded. */
function fakeEc2(deadline: Deadline, answer: (filters: Filter[]) => Promise<Snapshot[]>, calls: Filter[][]): Ec2 {
  regions += 1;
  const region = `test-region-${regions}`;
  const make = (d: Deadline): Ec2 =>
    ({
      region,
      deadline: d,
      withDeadline: (other: Deadline) => make(other),
      findSnapshots: (filters: Filter[]) => {
        calls.push(filters);
        return answer(filters);
      },
    }) as unknown as Ec2;
  return make(deadline);
}

describe("interruptedCreates", () => {
  let deadlines: Deadline[];
  let lines: string[];

  beforeEach(() => {
    deadlines = [];
    lines = [];
    sinon.stub(process.stderr, "write").callsFake((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    sinon.restore();
    deadlines.forEach((d) => d.dispose());
  });

  function deadline(ms: number): Deadline {
    const d = Deadline.after(ms, "a create");
    deadlines.push(d);
    return d;
  }

  it("asks EC2 once for the creates of a whole deployment, and gives each only its own resource's snapshots, oldest first", async () => {
    // given EC2 holding two unrecorded snapshots of resource A and one of resource B
    const calls: Filter[][] = [];
    const found = [snapshot("snap-a2", `${KEY_A}.2`, 2_000), snapshot("snap-b1", `${KEY_B}.1`, 1_500), snapshot("snap-a1", `${KEY_A}.1`, 1_000)];
    const ec2 = fakeEc2(deadline(60_000), async () => found, calls);

    // when three creates (two of them of resource A) ask at the same moment, and a fourth later
    const [a, b, again] = await Promise.all([interruptedCreates(ec2, KEY_A, "A"), interruptedCreates(ec2, KEY_B, "B"), interruptedCreates(ec2, KEY_A, "A")]);
    const later = await interruptedCreates(ec2, "cccccccccccccccc", "C");

    // then one DescribeSnapshots listed every in-flight token of the region
    assert.deepEqual(calls, [[{ Name: `tag:${CREATE_TOKEN_TAG}`, Values: ["*.*"] }]]);
    assert.deepEqual(
      a.map((s) => s.SnapshotId),
      ["snap-a1", "snap-a2"],
    );
    assert.deepEqual(
      again.map((s) => s.SnapshotId),
      ["snap-a1", "snap-a2"],
    );
    assert.deepEqual(
      b.map((s) => s.SnapshotId),
      ["snap-b1"],
    );
    assert.deepEqual(later, []);
    assert.deepEqual(lines, []);
  });

  it("asks again after a failed answer, instead of keeping the failure", async () => {
    // given EC2 failing the first lookup and answering the second
    const calls: Filter[][] = [];
    let first = true;
    const ec2 = fakeEc2(
      deadline(60_000),
      async () => {
        if (first) {
          first = false;
          throw new EC2ServiceException({ name: "InternalError", $fault: "server", $metadata: { httpStatusCode: 500 }, message: "An internal error has occurred" });
        }
        return [snapshot("snap-a1", `${KEY_A}.1`, 1_000)];
      },
      calls,
    );

    // when two creates ask one after the other
    const failed = await interruptedCreates(ec2, KEY_A, "A");
    const answered = await interruptedCreates(ec2, KEY_A, "A");

    // then the first went ahead with none, and the second got EC2's answer
    assert.deepEqual([failed.length, answered.map((s) => s.SnapshotId), calls.length], [0, ["snap-a1"], 2]);
  });

  it("goes ahead with none found, saying so in one line with EC2's code, when EC2 cannot answer within its share of the deadline", async () => {
    // given EC2 throttling the lookup
    const calls: Filter[][] = [];
    const throttled = new EC2ServiceException({ name: "RequestLimitExceeded", $fault: "client", $metadata: { httpStatusCode: 503 }, message: "Request limit exceeded." });
    const ec2 = fakeEc2(deadline(60_000), async () => Promise.reject(throttled), calls);

    // when a create asks
    const found = await interruptedCreates(ec2, KEY_A, 'Snapshot "data"');

    // then it finds nothing and says why, once
    assert.deepEqual(found, []);
    assert.deepEqual(lines, ['Snapshot "data": could not check for an earlier create of it that was interrupted (EC2 RequestLimitExceeded within 15s); taking a new snapshot\n']);
  });

  it("gives up after a quarter of the hook's time when EC2 does not answer at all", async () => {
    // given an EC2 that never answers, and a hook with 2 seconds left
    const hook = deadline(2_000);
    const ec2 = fakeEc2(hook, () => new Promise<Snapshot[]>(() => undefined), []);

    // when a create asks
    const found = await interruptedCreates(ec2, KEY_A, 'Snapshot "data"');

    // then it stops with the hook's own deadline still ahead, to take the snapshot in the time left
    assert.deepEqual(found, []);
    assert.equal(hook.expired, false);
    assert.deepEqual(lines, ['Snapshot "data": could not check for an earlier create of it that was interrupted (no answer from EC2 within 500ms); taking a new snapshot\n']);
  });
});
