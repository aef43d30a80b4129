import assert from "node:assert/strict";
import type { Ec2 } from "../../../provider/ec2/ec2";
import { Deadline, DeadlineExceededError } from "../../../provider/lifecycle/deadline";
import { batchedRead } from "../../../provider/scheduling/readBatch";

/** The part of an EC2 connection a batched read uses: its client (whose credentials batch together), region, window and deadline. */
function connection(client: object, deadline: Deadline, readWindowMs = 5): Ec2 {
  const ec2 = { client, region: "us-east-1", settings: { readWindowMs }, deadline, withDeadline: (other: Deadline): Ec2 => connection(client, other, readWindowMs) };
  return ec2 as unknown as Ec2;
}

/** A lookup that answers every id it is asked for, and records each call. */
function recordingLookup(calls: string[][], delayMs = 0): (ec2: Ec2, ids: readonly string[]) => Promise<Map<string, string>> {
  return async (_ec2, ids) => {
    calls.push([...ids]);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Map(ids.filter((id) => !id.startsWith("gone")).map((id) => [id, `state of ${id}`]));
  };
}

describe("batched reads", () => {
  const deadlines: Deadline[] = [];
  const deadline = (ms = 5_000): Deadline => {
    const made = Deadline.after(ms, "a test read");
    deadlines.push(made);
    return made;
  };
  afterEach(() => deadlines.splice(0).forEach((d) => d.dispose()));

  it("answers the reads that arrive within one window with one call, each read with its own ids", async () => {
    const calls: string[][] = [];
    const lookup = recordingLookup(calls);
    const client = {};
    const [a, b, c] = await Promise.all([
      batchedRead("t1", lookup, connection(client, deadline()), ["snap-a", "snap-b"]),
      batchedRead("t1", lookup, connection(client, deadline()), ["snap-c"]),
      batchedRead("t1", lookup, connection(client, deadline()), ["snap-b", "gone-d"]),
    ]);
    assert.deepEqual(calls, [["snap-a", "snap-b", "snap-c", "gone-d"]]);
    assert.deepEqual([...a.keys()], ["snap-a", "snap-b"]);
    assert.deepEqual([...b.entries()], [["snap-c", "state of snap-c"]]);
    // an id EC2 does not list is absent from that read's answer
    assert.deepEqual([...c.keys()], ["snap-b"]);
  });

  it("sends a batch as soon as it holds 200 ids, and starts another for the rest", async () => {
    const calls: string[][] = [];
    const lookup = recordingLookup(calls);
    const client = {};
    const ids = Array.from({ length: 250 }, (_, i) => `snap-${i}`);
    const reads = ids.map((id) => batchedRead("t2", lookup, connection(client, deadline(), 40), [id]));
    // the full batch went out at once, before its window ended
    assert.deepEqual(
      calls.map((call) => call.length),
      [200],
    );
    await Promise.all(reads);
    assert.deepEqual(
      calls.map((call) => call.length),
      [200, 50],
    );
  });

  it("never batches reads signed by different clients together", async () => {
    const calls: string[][] = [];
    const lookup = recordingLookup(calls);
    await Promise.all([batchedRead("t3", lookup, connection({}, deadline()), ["snap-a"]), batchedRead("t3", lookup, connection({}, deadline()), ["snap-b"])]);
    assert.deepEqual(calls.sort(), [["snap-a"], ["snap-b"]]);
  });

  it("fails every read of a batch whose call fails, with that call's error", async () => {
    const failing = async (): Promise<Map<string, string>> => {
      throw new Error("EC2 UnauthorizedOperation");
    };
    const client = {};
    const results = await Promise.allSettled([
      batchedRead("t4", failing, connection(client, deadline()), ["snap-a"]),
      batchedRead("t4", failing, connection(client, deadline()), ["snap-b"]),
    ]);
    assert.deepEqual(
      results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "fulfilled")),
      ["EC2 UnauthorizedOperation", "EC2 UnauthorizedOperation"],
    );
  });

  it("ends a read at its own deadline while the shared call is still out", async () => {
    const calls: string[][] = [];
    const slow = recordingLookup(calls, 300);
    const client = {};
    const [short, long] = await Promise.allSettled([
      batchedRead("t5", slow, connection(client, deadline(50)), ["snap-a"]),
      batchedRead("t5", slow, connection(client, deadline(5_000)), ["snap-b"]),
    ]);
    assert.ok(short.status === "rejected" && short.reason instanceof DeadlineExceededError);
    assert.ok(long.status === "fulfilled" && long.value.has("snap-b"));
  });
});
