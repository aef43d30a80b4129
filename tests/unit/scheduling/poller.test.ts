import assert from "node:assert/strict";
import type { Snapshot, SnapshotState } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import { Deadline, DeadlineExceededError } from "../../../provider/lifecycle/deadline";
import type { Ec2 } from "../../../provider/ec2/ec2";
import { SnapshotVanishedError, waitForSnapshots, WaitTimeoutError, type WaitOptions, type WaitProgress } from "../../../provider/scheduling/poller";
import { DEFAULT_SETTINGS, type Settings } from "../../../provider/runtime/settings";

/**
 * Every time in these tests is in milliseconds after T0, the fake clock's start. Math.random is fixed
 * at 0.5, so pollSchedule's jitter factor is exactly 1 on the age term and 1.05 on a prediction.
 */
const T0 = 1_700_000_000_000;
const SETTINGS: Settings = { ...DEFAULT_SETTINGS, pollMinMs: 5_000, pollMaxMs: 60_000, visibilityGraceMs: 30_000 };

/** One stretch of a snapshot's life, from `from` (ms after T0) until the next phase. */
interface Phase {
  from: number;
  state: SnapshotState;
  progress: string;
}

/** How EC2 would describe one snapshot over time. */
interface ScriptedSnapshot {
  /** EC2's StartTime, ms after T0. */
  startedAt: number;
  /** Before the first phase the snapshot is not listed; with no phase it never is. */
  phases: Phase[];
}

interface DescribeCall {
  at: number;
  ids: string[];
}

function scripted(startedAt: number, ...phases: [from: number, state: SnapshotState, progress: string][]): ScriptedSnapshot {
  return { startedAt, phases: phases.map(([from, state, progress]) => ({ from, state, progress })) };
}

function snapshot(id: string, startedAt: number, state: SnapshotState, progress: string): Snapshot {
  return { SnapshotId: id, State: state, Progress: progress, StartTime: new Date(T0 + startedAt) };
}

/**
 * Stands in for Ec2: the poller only reads `region` and `settings` and calls
 * `withDeadline(d).describeSnapshots(ids)`. Each call is recorded with its fake time; the answer comes
 * from the scripted snapshots, or the call throws the error queued with failNextCall.
 */
class FakeEc2 {
  readonly calls: DescribeCall[] = [];
  private readonly failures: unknown[] = [];

  constructor(
    readonly region: string,
    private readonly world: Readonly<Record<string, ScriptedSnapshot>>,
    readonly settings: Settings = SETTINGS,
  ) {}

  withDeadline(_deadline: Deadline): FakeEc2 {
    return this;
  }

  failNextCall(error: unknown): void {
    this.failures.push(error);
  }

  async describeSnapshots(ids: readonly string[]): Promise<Map<string, Snapshot>> {
    const at = Date.now() - T0;
    this.calls.push({ at, ids: [...ids] });
    if (this.failures.length > 0) {
      throw this.failures.shift();
    }
    const found = new Map<string, Snapshot>();
    for (const id of ids) {
      const script = this.world[id];
      const phase = script?.phases.filter((p) => p.from <= at).pop();
      if (script !== undefined && phase !== undefined) {
        found.set(id, snapshot(id, script.startedAt, phase.state, phase.progress));
      }
    }
    return found;
  }

  /** The snapshot as it is at `at` (for the `initial` map a create call would hand over). */
  seen(id: string, at: number): Snapshot {
    const script = this.world[id];
    const phase = script.phases.filter((p) => p.from <= at).pop()!;
    return snapshot(id, script.startedAt, phase.state, phase.progress);
  }

  get ec2(): Ec2 {
    return this as unknown as Ec2;
  }
}

/** What became of one wait, and when (ms after T0). */
interface Outcome {
  at?: number;
  value?: Map<string, Snapshot>;
  error?: unknown;
}

interface ProgressEntry {
  wait: string;
  at: number;
  progress: Record<string, string>;
  nextPollMs: number;
}

/** Each snapshot as "state progress", for compact exact comparisons. */
function states(snapshots: ReadonlyMap<string, Snapshot> | undefined): Record<string, string> {
  return Object.fromEntries([...(snapshots ?? new Map<string, Snapshot>())].map(([id, s]) => [id, `${s.State} ${s.Progress}`]));
}

describe("waitForSnapshots (the shared poller)", () => {
  let clock: sinon.SinonFakeTimers;
  let deadlines: Deadline[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    sinon.stub(Math, "random").returns(0.5);
    deadlines = [];
  });

  afterEach(() => {
    deadlines.forEach((d) => d.dispose());
    clock.restore();
    sinon.restore();
  });

  function deadline(timeoutMs: number, operation: string): Deadline {
    const d = Deadline.after(timeoutMs, operation);
    deadlines.push(d);
    return d;
  }

  function wait(fake: FakeEc2, ids: string[], options: Partial<WaitOptions> = {}): Outcome {
    const outcome: Outcome = {};
    waitForSnapshots(fake.ec2, ids, { deadline: deadline(600_000, `waiting for ${ids.join(",")}`), ...options }).then(
      (value) => Object.assign(outcome, { at: Date.now() - T0, value }),
      (error: unknown) => Object.assign(outcome, { at: Date.now() - T0, error }),
    );
    return outcome;
  }

  function progressLog(log: ProgressEntry[], name: string): (progress: WaitProgress) => void {
    return ({ snapshots, nextPollMs }) => log.push({ wait: name, at: Date.now() - T0, progress: states(snapshots), nextPollMs });
  }

  async function runUntil(at: number): Promise<void> {
    await clock.tickAsync(T0 + at - Date.now());
  }

  /** Once every wait is settled, nothing of the poller may stay armed: the tests' own deadlines aside, no timer is left. */
  function assertNoTimerLeft(): void {
    deadlines.forEach((d) => d.dispose());
    assert.equal(clock.countTimers(), 0);
  }

  describe("batching", () => {
    it("serves concurrent waits with one call per round naming every pending id, and resolves each wait when its snapshots complete", async () => {
      // given three resources waiting at once, as after their create calls: a Snapshot, a SnapshotSet of
      // two, and a SnapshotSet whose second member was already completed
      const fake = new FakeEc2("test-batching-1", {
        "snap-1": scripted(0, [0, "pending", "0%"], [18_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [4_000, "completed", "100%"]),
        "snap-3": scripted(0, [0, "pending", "0%"], [26_000, "completed", "100%"]),
        "snap-4": scripted(0, [0, "pending", "0%"], [36_000, "completed", "100%"]),
        "snap-5": scripted(-100_000, [-100_000, "completed", "100%"]),
      });
      const initial = (ids: string[]): Map<string, Snapshot> => new Map(ids.map((id) => [id, fake.seen(id, 0)]));
      const single = wait(fake, ["snap-1"], { initial: initial(["snap-1"]) });
      const pair = wait(fake, ["snap-2", "snap-3"], { initial: initial(["snap-2", "snap-3"]) });
      const partial = wait(fake, ["snap-4", "snap-5"], { initial: initial(["snap-4", "snap-5"]) });

      // when the rounds run
      await runUntil(40_000);

      // then one call per round names every pending id; snap-5 (terminal from the start) and snap-2,
      // snap-1, snap-3 (once seen completed) are never asked for again. Spacing: first round at
      // pollMin; then 3 pending → floor 15 s; 2 pending → floor 10 s; 1 pending → its own 7.5 s.
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids: ["snap-1", "snap-2", "snap-3", "snap-4"] },
        { at: 20_000, ids: ["snap-1", "snap-3", "snap-4"] },
        { at: 30_000, ids: ["snap-3", "snap-4"] },
        { at: 37_500, ids: ["snap-4"] },
      ]);
      assert.deepEqual(
        [single, pair, partial].map((o) => ({ at: o.at, value: states(o.value), error: o.error })),
        [
          { at: 20_000, value: { "snap-1": "completed 100%" }, error: undefined },
          { at: 30_000, value: { "snap-2": "completed 100%", "snap-3": "completed 100%" }, error: undefined },
          { at: 37_500, value: { "snap-4": "completed 100%", "snap-5": "completed 100%" }, error: undefined },
        ],
      );
      assertNoTimerLeft();
    });

    it("resolves at once, without a call or a timer, when every initial snapshot is already terminal", async () => {
      // given a set whose members are already out of pending (completed, error, recoverable)
      const fake = new FakeEc2("test-batching-2", {});
      const initial = new Map([
        ["snap-a", snapshot("snap-a", -60_000, "completed", "100%")],
        ["snap-b", snapshot("snap-b", -60_000, "error", "12%")],
        ["snap-c", snapshot("snap-c", -60_000, "recoverable", "100%")],
      ]);

      // when it is waited for
      const outcome = wait(fake, ["snap-a", "snap-b", "snap-c"], { initial });
      await clock.tickAsync(0);

      // then it resolves at T0 with the snapshots as given, and EC2 is never asked
      assert.deepEqual(
        { at: outcome.at, value: states(outcome.value), calls: fake.calls },
        { at: 0, value: { "snap-a": "completed 100%", "snap-b": "error 12%", "snap-c": "recoverable 100%" }, calls: [] },
      );
      assertNoTimerLeft();
    });
  });

  describe("deadlines", () => {
    it("rejects a wait whose deadline passes with WaitTimeoutError carrying what was last seen, while the other wait runs to completion", async () => {
      // given an old snapshot (polled every pollMax) with a 30 s deadline, and a younger one with plenty of time
      const fake = new FakeEc2("test-deadline-1", {
        "snap-old": scripted(-400_000, [0, "pending", "0%"], [10_000, "pending", "3%"]),
        "snap-young": scripted(-55_000, [0, "pending", "0%"], [35_000, "completed", "100%"]),
      });
      const timedOut = wait(fake, ["snap-old"], {
        initial: new Map([["snap-old", fake.seen("snap-old", 0)]]),
        deadline: deadline(30_000, "creating snapshot of vol-old"),
      });
      const other = wait(fake, ["snap-young"], { initial: new Map([["snap-young", fake.seen("snap-young", 0)]]) });

      // when time passes beyond the first deadline
      await runUntil(45_000);

      // then the timed-out wait rejects at its deadline with the snapshot as seen in the round at 20 s
      assert.equal(timedOut.at, 30_000);
      assert.ok(timedOut.error instanceof WaitTimeoutError);
      assert.ok(timedOut.error instanceof DeadlineExceededError);
      assert.equal(timedOut.error.message, "creating snapshot of vol-old did not finish within its 30s timeout");
      assert.equal(timedOut.error.timeoutMs, 30_000);
      assert.deepEqual(states(timedOut.error.lastSeen), { "snap-old": "pending 3%" });
      // and the other wait goes on: the round due at 38.75 s (snap-young's own 18.75 s after the round at 20 s)
      // no longer names snap-old, and resolves it
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids: ["snap-old", "snap-young"] },
        { at: 20_000, ids: ["snap-old", "snap-young"] },
        { at: 38_750, ids: ["snap-young"] },
      ]);
      assert.deepEqual({ at: other.at, value: states(other.value) }, { at: 38_750, value: { "snap-young": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("polls a wait left alone after another wait times out on its own schedule, not on the group's planned round", async () => {
      // given a lone young snapshot sharing rounds with a set of three: 4 pending put rounds 20 s apart
      const fake = new FakeEc2("test-deadline-2", {
        "snap-a": scripted(0, [0, "pending", "0%"], [11_000, "completed", "100%"]),
        "snap-b1": scripted(0, [0, "pending", "0%"]),
        "snap-b2": scripted(0, [0, "pending", "0%"]),
        "snap-b3": scripted(0, [0, "pending", "0%"]),
      });
      const lone = wait(fake, ["snap-a"], { initial: new Map([["snap-a", fake.seen("snap-a", 0)]]) });
      const set = wait(fake, ["snap-b1", "snap-b2", "snap-b3"], {
        initial: new Map(["snap-b1", "snap-b2", "snap-b3"].map((id) => [id, fake.seen(id, 0)])),
        deadline: deadline(12_000, "creating snapshot set"),
      });

      // when the set times out at 12 s, while the loop sleeps towards the round planned for 25 s
      await runUntil(30_000);

      // then snap-a is alone again: its own schedule (due at 10 s, pollMin after the round at 5 s) makes
      // it due at once, so it is polled at 12 s and resolved there
      assert.ok(set.error instanceof WaitTimeoutError);
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids: ["snap-a", "snap-b1", "snap-b2", "snap-b3"] },
        { at: 12_000, ids: ["snap-a"] },
      ]);
      assert.deepEqual({ at: lone.at, value: states(lone.value) }, { at: 12_000, value: { "snap-a": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("keeps no timer once the last wait has timed out", async () => {
      // given one old snapshot, polled every pollMax, with a 30 s deadline
      const fake = new FakeEc2("test-deadline-3", { "snap-old": scripted(-400_000, [0, "pending", "0%"]) });
      const outcome = wait(fake, ["snap-old"], {
        initial: new Map([["snap-old", fake.seen("snap-old", 0)]]),
        deadline: deadline(30_000, "creating snapshot of vol-old"),
      });

      // when the deadline passes while the loop sleeps towards the round at 65 s
      await runUntil(30_000);

      // then the wait is rejected, only the round at 5 s was made, and the poller sleeps no more
      assert.ok(outcome.error instanceof WaitTimeoutError);
      assert.deepEqual(fake.calls, [{ at: 5_000, ids: ["snap-old"] }]);
      assertNoTimerLeft();
    });
  });

  describe("stopOnError", () => {
    it("resolves a set wait as soon as one member is in error, with every member as seen", async () => {
      // given a set of three whose second member fails at 3 s
      const fake = new FakeEc2("test-stop-1", {
        "snap-1": scripted(0, [0, "pending", "0%"], [4_000, "pending", "20%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [3_000, "error", "7%"]),
        "snap-3": scripted(0, [0, "pending", "0%"]),
      });
      const ids = ["snap-1", "snap-2", "snap-3"];

      // when the set is waited for with stopOnError
      const outcome = wait(fake, ids, { initial: new Map(ids.map((id) => [id, fake.seen(id, 0)])), stopOnError: true });
      await runUntil(60_000);

      // then the first round sees the error and the wait resolves there, with no further call
      assert.deepEqual(fake.calls, [{ at: 5_000, ids }]);
      assert.deepEqual(
        { at: outcome.at, value: states(outcome.value), error: outcome.error },
        { at: 5_000, value: { "snap-1": "pending 20%", "snap-2": "error 7%", "snap-3": "pending 0%" }, error: undefined },
      );
      assertNoTimerLeft();
    });

    it("without stopOnError, treats a member in error as terminal and waits for the others", async () => {
      // given the same kind of set, waited for without stopOnError
      const fake = new FakeEc2("test-stop-2", {
        "snap-1": scripted(0, [0, "pending", "0%"], [8_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [3_000, "error", "7%"]),
      });
      const ids = ["snap-1", "snap-2"];
      const outcome = wait(fake, ids, { initial: new Map(ids.map((id) => [id, fake.seen(id, 0)])) });

      // when the rounds run
      await runUntil(60_000);

      // then the failed member is not asked for again, and the wait resolves once the other completes
      // (after the round at 5 s, 1 pending: its own 5 s)
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids },
        { at: 10_000, ids: ["snap-1"] },
      ]);
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 10_000, value: { "snap-1": "completed 100%", "snap-2": "error 7%" } });
      assertNoTimerLeft();
    });
  });

  describe("visibility", () => {
    it("waits for an id missing from the answers until visibilityGraceMs after createdAt, then rejects with SnapshotVanishedError naming it", async () => {
      // given a set just created at T0: snap-a is listed, snap-b never is (grace 30 s)
      const fake = new FakeEc2("test-visibility-1", { "snap-a": scripted(0, [0, "pending", "0%"]) });

      // when it is waited for
      const outcome = wait(fake, ["snap-a", "snap-b"], { createdAt: T0 });
      await runUntil(60_000);

      // then it is polled on the age schedule (pollMin until 20 s, then a quarter of 25 s) without the
      // group floor, and the first round at or after 30 s gives snap-b up
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 5_000, 10_000, 15_000, 20_000, 25_000, 31_250],
      );
      assert.ok(fake.calls.every((c) => c.ids.join() === "snap-a,snap-b"));
      assert.equal(outcome.at, 31_250);
      assert.ok(outcome.error instanceof SnapshotVanishedError);
      assert.deepEqual(outcome.error.snapshotIds, ["snap-b"]);
      assert.equal(
        outcome.error.message,
        "snapshot snap-b disappeared while being waited on (deleted outside Pulumi, or by EC2 after an error). " +
          "Run `pulumi refresh` to drop it from the state, then `pulumi up` to take a new one.",
      );
      assert.deepEqual(states(outcome.error.lastSeen), { "snap-a": "pending 0%" });
      assertNoTimerLeft();
    });

    it("waits normally for an id that becomes visible within the grace", async () => {
      // given a snapshot created at T0 that EC2 lists only from 7 s
      const fake = new FakeEc2("test-visibility-2", { "snap-c": scripted(0, [7_000, "pending", "40%"], [12_000, "completed", "100%"]) });

      // when it is waited for
      const outcome = wait(fake, ["snap-c"], { createdAt: T0 });
      await runUntil(60_000);

      // then it is missing at 0 and 5 s, seen pending at 10 s, and completed at 15 s
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 5_000, 10_000, 15_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 15_000, value: { "snap-c": "completed 100%" } });
      assertNoTimerLeft();
    });
  });

  describe("round spacing", () => {
    it("polls a lone snapshot a quarter of its age apart, then just after its predicted completion", async () => {
      // given a snapshot started 40 s before T0 and not seen yet
      const fake = new FakeEc2("test-spacing-1", {
        "snap-1": scripted(-40_000, [0, "pending", "0%"], [20_000, "pending", "75%"], [30_000, "completed", "100%"]),
      });

      // when it is waited for
      const outcome = wait(fake, ["snap-1"]);
      await runUntil(60_000);

      // then: at once; +10 s (age 40 s / 4); +12.5 s (age 50 s / 4); at 22.5 s it shows 75% after 22.5 s
      // from 0%, so 100% is due 7.5 s later, polled at 7.5 s × 1.05 = 7.875 s (less than age 62.5 s / 4)
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 10_000, 22_500, 30_375],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 30_375, value: { "snap-1": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("clamps a lone snapshot's delays to [pollMin, pollMax]", async () => {
      // given a snapshot started 400 s before T0 (a quarter of its age is 100 s), stalled at 0%, then at 99%
      const fake = new FakeEc2("test-spacing-2", {
        "snap-1": scripted(-400_000, [0, "pending", "0%"], [100_000, "pending", "99%"], [124_000, "completed", "100%"]),
      });

      // when it is waited for
      const outcome = wait(fake, ["snap-1"]);
      await runUntil(200_000);

      // then rounds are pollMax (60 s) apart while it stalls; at 99% the predicted 1.27 s is raised to pollMin (5 s)
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 60_000, 120_000, 125_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 125_000, value: { "snap-1": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("spaces the rounds of 4 pending snapshots between pollMin·4 and pollMax/2 apart, following their own schedule in between", async () => {
      // given four resources, each waiting on a snapshot started 15 s before T0, all completing at 165 s:
      // floor min(60/2, 5·4) = 20 s, cap max(60/2, 60/√4) = 30 s
      const ids = ["snap-1", "snap-2", "snap-3", "snap-4"];
      const fake = new FakeEc2("test-spacing-3", Object.fromEntries(ids.map((id) => [id, scripted(-15_000, [0, "pending", "0%"], [165_000, "completed", "100%"])])));
      const outcomes = ids.map((id) => wait(fake, [id], { initial: new Map([[id, fake.seen(id, 0)]]) }));

      // when the rounds run
      await runUntil(200_000);

      // then (own wish = a quarter of the age): the wishes 10, 35, 60, 85 s are held to the 20 s floor;
      // 110 s is the own wish (between 105 and 115 s); 141.25 and 178.75 s are pulled in to the 30 s cap
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [5_000, 25_000, 45_000, 65_000, 85_000, 110_000, 140_000, 170_000],
      );
      assert.ok(fake.calls.every((c) => c.ids.join() === ids.join()));
      assert.deepEqual(
        outcomes.map((o) => o.at),
        [170_000, 170_000, 170_000, 170_000],
      );
      assertNoTimerLeft();
    });

    it("polls a large group every pollMax/2 however young its snapshots are", async () => {
      // given three sets of three young snapshots: 9 pending, floor min(30, 5·9) = 30 s = cap max(30, 60/3)
      const sets = [0, 1, 2].map((s) => [1, 2, 3].map((m) => `snap-${s}${m}`));
      const fake = new FakeEc2("test-spacing-4", Object.fromEntries(sets.flat().map((id) => [id, scripted(0, [0, "pending", "0%"], [80_000, "completed", "100%"])])));
      const outcomes = sets.map((ids) => wait(fake, ids, { initial: new Map(ids.map((id) => [id, fake.seen(id, 0)])) }));

      // when the rounds run
      await runUntil(120_000);

      // then one call names all nine every 30 s after the first round
      assert.deepEqual(
        fake.calls.map((c) => [c.at, c.ids.length]),
        [
          [5_000, 9],
          [35_000, 9],
          [65_000, 9],
          [95_000, 9],
        ],
      );
      assert.deepEqual(
        outcomes.map((o) => o.at),
        [95_000, 95_000, 95_000],
      );
      assertNoTimerLeft();
    });
  });

  describe("waking the loop", () => {
    it("polls at once a wait added while the loop sleeps, when it has a snapshot not seen yet", async () => {
      // given an old snapshot whose next round is planned at 65 s
      const fake = new FakeEc2("test-wake-1", {
        "snap-old": scripted(-400_000, [0, "pending", "0%"], [15_000, "completed", "100%"]),
        "snap-new": scripted(10_000, [10_000, "pending", "0%"], [15_000, "completed", "100%"]),
      });
      const first = wait(fake, ["snap-old"], { initial: new Map([["snap-old", fake.seen("snap-old", 0)]]) });
      await runUntil(10_000);

      // when a wait on a snapshot never seen arrives at 10 s
      const second = wait(fake, ["snap-new"], { createdAt: T0 + 10_000 });
      await runUntil(100_000);

      // then a round is made at once for both, and the next comes after the 2-pending floor of 10 s
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids: ["snap-old"] },
        { at: 10_000, ids: ["snap-old", "snap-new"] },
        { at: 20_000, ids: ["snap-old", "snap-new"] },
      ]);
      assert.deepEqual([first.at, second.at], [20_000, 20_000]);
      assertNoTimerLeft();
    });

    it("pulls the planned round forward for a wait added with an earlier due time", async () => {
      // given an old snapshot whose next round is planned at 65 s
      const fake = new FakeEc2("test-wake-2", {
        "snap-old": scripted(-400_000, [0, "pending", "0%"], [20_000, "completed", "100%"]),
        "snap-new": scripted(10_000, [10_000, "pending", "0%"], [20_000, "completed", "100%"]),
      });
      const first = wait(fake, ["snap-old"], { initial: new Map([["snap-old", fake.seen("snap-old", 0)]]) });
      await runUntil(10_000);

      // when a resource hands over its just-created snapshot at 10 s (due pollMin later)
      const second = wait(fake, ["snap-new"], { initial: new Map([["snap-new", fake.seen("snap-new", 10_000)]]), createdAt: T0 + 10_000 });
      await runUntil(100_000);

      // then the round comes at 15 s (its due time, which meets the 10 s floor), then 10 s later
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids: ["snap-old"] },
        { at: 15_000, ids: ["snap-old", "snap-new"] },
        { at: 25_000, ids: ["snap-old", "snap-new"] },
      ]);
      assert.deepEqual([first.at, second.at], [25_000, 25_000]);
      assertNoTimerLeft();
    });
  });

  describe("describe errors", () => {
    it("rejects every wait of the group with a fatal describe error, and a later wait starts afresh", async () => {
      // given two resources waiting, and EC2 refusing the first round
      const fake = new FakeEc2("test-errors-1", {
        "snap-1": scripted(0, [0, "pending", "0%"]),
        "snap-2": scripted(0, [0, "pending", "0%"]),
        "snap-3": scripted(0, [0, "pending", "0%"]),
        "snap-4": scripted(0, [0, "completed", "100%"]),
      });
      const denied = Object.assign(new Error("You are not authorized to perform this operation."), { name: "UnauthorizedOperation" });
      fake.failNextCall(denied);
      const first = wait(fake, ["snap-1"], { initial: new Map([["snap-1", fake.seen("snap-1", 0)]]) });
      const second = wait(fake, ["snap-2", "snap-3"], { initial: new Map(["snap-2", "snap-3"].map((id) => [id, fake.seen(id, 0)])) });

      // when the round at 5 s fails
      await runUntil(6_000);

      // then both waits reject with that very error, and the poller is idle
      assert.deepEqual([first.at, first.error === denied, second.at, second.error === denied], [5_000, true, 5_000, true]);
      assertNoTimerLeft();

      // and when another wait comes at 6 s, it is polled at once and resolves
      const third = wait(fake, ["snap-4"]);
      await runUntil(20_000);
      assert.deepEqual(fake.calls, [
        { at: 5_000, ids: ["snap-1", "snap-2", "snap-3"] },
        { at: 6_000, ids: ["snap-4"] },
      ]);
      assert.deepEqual({ at: third.at, value: states(third.value) }, { at: 6_000, value: { "snap-4": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("does not reject the waits for an aborted describe, and polls again after the floor", async () => {
      // given a round that is aborted (the waits' own deadlines report timeouts)
      const fake = new FakeEc2("test-errors-2", { "snap-1": scripted(0, [0, "pending", "0%"], [8_000, "completed", "100%"]) });
      fake.failNextCall(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }));
      const outcome = wait(fake, ["snap-1"], { initial: new Map([["snap-1", fake.seen("snap-1", 0)]]) });

      // when the rounds run
      await runUntil(30_000);

      // then the wait goes on and resolves in the next round, pollMin later
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [5_000, 10_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 10_000, value: { "snap-1": "completed 100%" } });
      assertNoTimerLeft();
    });
  });

  describe("onProgress", () => {
    it("reports a lone wait only in rounds where state or progress changed, with the delay until its next poll", async () => {
      // given a snapshot started 35 s before T0, handed over at 0%
      const fake = new FakeEc2("test-progress-1", {
        "snap-1": scripted(-35_000, [0, "pending", "0%"], [20_000, "pending", "50%"], [40_000, "pending", "60%"], [80_000, "completed", "100%"]),
      });
      const log: ProgressEntry[] = [];

      // when it is waited for
      const outcome = wait(fake, ["snap-1"], { initial: new Map([["snap-1", fake.seen("snap-1", 0)]]), onProgress: progressLog(log, "single") });
      await runUntil(120_000);

      // then rounds at 5, 15 and 62.656 s saw no change and are not reported; 27.5 s (50%) and 43.125 s
      // (60%) are, each with the delay to the next call (a quarter of the age: 15.625 s and 19.531 s)
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [5_000, 15_000, 27_500, 43_125, 62_656, 87_070],
      );
      assert.deepEqual(log, [
        { wait: "single", at: 27_500, progress: { "snap-1": "pending 50%" }, nextPollMs: 15_625 },
        { wait: "single", at: 43_125, progress: { "snap-1": "pending 60%" }, nextPollMs: 19_531 },
      ]);
      assert.equal(outcome.at, 87_070);
      assertNoTimerLeft();
    });

    it("reports each wait of a round once, only the waits whose snapshots changed", async () => {
      // given two resources with the same schedule; at 40 s only the first one moves
      const fake = new FakeEc2("test-progress-2", {
        "snap-1": scripted(-35_000, [0, "pending", "0%"], [20_000, "pending", "50%"], [40_000, "pending", "60%"], [50_000, "completed", "100%"]),
        "snap-2": scripted(-35_000, [0, "pending", "0%"], [20_000, "pending", "50%"], [50_000, "completed", "100%"]),
      });
      const log: ProgressEntry[] = [];
      wait(fake, ["snap-1"], { initial: new Map([["snap-1", fake.seen("snap-1", 0)]]), onProgress: progressLog(log, "first") });
      wait(fake, ["snap-2"], { initial: new Map([["snap-2", fake.seen("snap-2", 0)]]), onProgress: progressLog(log, "second") });

      // when the rounds run
      await runUntil(120_000);

      // then (both wishes are above the 2-pending floor of 10 s) each report's delay is that to the next call
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [5_000, 15_000, 27_500, 43_125, 62_656],
      );
      assert.deepEqual(log, [
        { wait: "first", at: 27_500, progress: { "snap-1": "pending 50%" }, nextPollMs: 15_625 },
        { wait: "second", at: 27_500, progress: { "snap-2": "pending 50%" }, nextPollMs: 15_625 },
        { wait: "first", at: 43_125, progress: { "snap-1": "pending 60%" }, nextPollMs: 19_531 },
      ]);
      assertNoTimerLeft();
    });

    it("reports the delay until the next shared round when the group floor holds that round back", async () => {
      // given two young snapshots: each wishes 5 s, but 2 pending keep rounds 10 s apart
      const fake = new FakeEc2("test-progress-3", {
        "snap-1": scripted(0, [0, "pending", "0%"], [4_000, "pending", "10%"], [12_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [4_000, "pending", "10%"], [12_000, "completed", "100%"]),
      });
      const log: ProgressEntry[] = [];
      wait(fake, ["snap-1"], { initial: new Map([["snap-1", fake.seen("snap-1", 0)]]), onProgress: progressLog(log, "first") });
      wait(fake, ["snap-2"], { initial: new Map([["snap-2", fake.seen("snap-2", 0)]]), onProgress: progressLog(log, "second") });

      // when the rounds run
      await runUntil(60_000);

      // then the report at 5 s gives 10 s, the time until the round that actually comes at 15 s
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [5_000, 15_000],
      );
      assert.deepEqual(log, [
        { wait: "first", at: 5_000, progress: { "snap-1": "pending 10%" }, nextPollMs: 10_000 },
        { wait: "second", at: 5_000, progress: { "snap-2": "pending 10%" }, nextPollMs: 10_000 },
      ]);
      assertNoTimerLeft();
    });
  });
});
