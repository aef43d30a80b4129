import assert from "node:assert/strict";
import type { Filter, Snapshot, SnapshotState, SnapshotTierStatus, TieringOperationStatus } from "@aws-sdk/client-ec2";
import sinon from "sinon";
import { Deadline, DeadlineExceededError } from "../../../provider/lifecycle/deadline";
import { IDS_PER_FILTER, type Ec2 } from "../../../provider/ec2/ec2";
import { CREATE_TOKEN_TAG } from "../../../provider/inputs/tags";
import { SnapshotVanishedError, waitForSnapshots, waitForTiering, WaitTimeoutError, type WaitOptions, type WaitProgress } from "../../../provider/scheduling/poller";
import { DEFAULT_SETTINGS, type Settings } from "../../../provider/runtime/settings";
import { withCallContext } from "../../../provider/runtime/callContext";
import { writeLine } from "../../../provider/messages/log";

/**
 * Every time in these tests is in milliseconds after T0, the fake clock's start. The fake EC2 answers
 * without delay, so a round happens at one instant and every schedule below is exact.
 */
const T0 = 1_700_000_000_000;
const SETTINGS: Settings = { ...DEFAULT_SETTINGS, describeIntervalMs: 10_000, pollMinMs: 5_000, pollMaxMs: 60_000, visibilityGraceMs: 30_000 };

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

/** How DescribeSnapshotTierStatus would describe one snapshot over time: from `from` on, this status. */
type TierPhase = [from: number, status: TieringOperationStatus];

interface DescribeCall {
  at: number;
  ids: string[];
}

interface FindCall {
  at: number;
  filters: Filter[];
  what: string;
}

function scripted(startedAt: number, ...phases: [from: number, state: SnapshotState, progress: string][]): ScriptedSnapshot {
  return { startedAt, phases: phases.map(([from, state, progress]) => ({ from, state, progress })) };
}

function snapshot(id: string, startedAt: number, state: SnapshotState, progress: string): Snapshot {
  return { SnapshotId: id, State: state, Progress: progress, StartTime: new Date(T0 + startedAt) };
}

/**
 * Stands in for Ec2: the poller reads `region` and `settings`, and calls describeSnapshots,
 * findSnapshots or tierStatuses on `withDeadline(round)`, whose `throttledAttempts` it reads after the
 * call. Each call is recorded with its fake time; the answer comes from the scripts, or the call
 * throws the error queued with failNextCall.
 */
class FakeEc2 {
  readonly calls: DescribeCall[] = [];
  readonly findCalls: FindCall[] = [];
  readonly tierCalls: DescribeCall[] = [];
  /** One withDeadline per round: the poller must not share an Ec2 (and its throttle count) between rounds. */
  readonly rounds: FakeRound[] = [];
  private readonly failures: unknown[] = [];
  private readonly throttles: number[] = [];

  constructor(
    readonly region: string,
    private readonly world: Readonly<Record<string, ScriptedSnapshot>>,
    private readonly tiering: Readonly<Record<string, TierPhase[]>> = {},
    readonly settings: Settings = SETTINGS,
  ) {}

  withDeadline(_deadline: Deadline): FakeRound {
    const round = new FakeRound(this);
    this.rounds.push(round);
    return round;
  }

  failNextCall(error: unknown): void {
    this.failures.push(error);
  }

  /** The next rounds' calls each meet this many throttled answers before they succeed (as the retry layer counts them). */
  throttleNextRounds(...attempts: number[]): void {
    this.throttles.push(...attempts);
  }

  takeThrottles(): number {
    return this.throttles.shift() ?? 0;
  }

  async describeSnapshots(ids: readonly string[]): Promise<Map<string, Snapshot>> {
    const at = Date.now() - T0;
    this.calls.push({ at, ids: [...ids] });
    if (this.failures.length > 0) {
      throw this.failures.shift();
    }
    const found = new Map<string, Snapshot>();
    for (const id of ids) {
      const current = this.at(id, at);
      if (current !== undefined) {
        found.set(id, current);
      }
    }
    return found;
  }

  /** Every listed snapshot in pending or error (the scripted ones all carry the provider's create token). */
  async findSnapshots(filters: Filter[], what: string): Promise<Snapshot[]> {
    const at = Date.now() - T0;
    this.findCalls.push({ at, filters, what });
    return Object.keys(this.world)
      .map((id) => this.at(id, at))
      .filter((s): s is Snapshot => s?.State === "pending" || s?.State === "error");
  }

  async tierStatuses(ids: readonly string[]): Promise<Map<string, SnapshotTierStatus>> {
    const at = Date.now() - T0;
    this.tierCalls.push({ at, ids: [...ids] });
    const found = new Map<string, SnapshotTierStatus>();
    for (const id of ids) {
      const phase = (this.tiering[id] ?? []).filter(([from]) => from <= at).pop();
      if (phase !== undefined) {
        found.set(id, { SnapshotId: id, LastTieringOperationStatus: phase[1] });
      }
    }
    return found;
  }

  private at(id: string, at: number): Snapshot | undefined {
    const script = this.world[id];
    const phase = script?.phases.filter((p) => p.from <= at).pop();
    return script !== undefined && phase !== undefined ? snapshot(id, script.startedAt, phase.state, phase.progress) : undefined;
  }

  /** The snapshot as it is at `at` (for the `initial` map a create call would hand over). */
  seen(id: string, at: number): Snapshot {
    const current = this.at(id, at);
    assert.ok(current, `${id} is not listed at ${at}`);
    return current;
  }

  get ec2(): Ec2 {
    return this as unknown as Ec2;
  }
}

/** The Ec2 of one round: like the real one, it counts the throttled answers its own calls met. */
class FakeRound {
  throttledAttempts = 0;

  constructor(private readonly fake: FakeEc2) {}

  describeSnapshots(ids: readonly string[]): Promise<Map<string, Snapshot>> {
    this.throttledAttempts += this.fake.takeThrottles();
    return this.fake.describeSnapshots(ids);
  }

  findSnapshots(filters: Filter[], what: string): Promise<Snapshot[]> {
    this.throttledAttempts += this.fake.takeThrottles();
    return this.fake.findSnapshots(filters, what);
  }

  tierStatuses(ids: readonly string[]): Promise<Map<string, SnapshotTierStatus>> {
    this.throttledAttempts += this.fake.takeThrottles();
    return this.fake.tierStatuses(ids);
  }
}

/** What became of one wait, and when (ms after T0). */
interface Outcome<T = Snapshot> {
  at?: number;
  value?: Map<string, T>;
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

/** Snapshot ids snap-000, snap-001, … */
function numbered(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `snap-${String(i).padStart(3, "0")}`);
}

describe("waitForSnapshots (the shared poller)", () => {
  let clock: sinon.SinonFakeTimers;
  let deadlines: Deadline[];
  let stderr: sinon.SinonStub;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    // The poller says on stderr when throttling changes its pace; the tests read those lines here.
    stderr = sinon.stub(process.stderr, "write").returns(true);
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

  function settleInto<T>(promise: Promise<Map<string, T>>): Outcome<T> {
    const outcome: Outcome<T> = {};
    promise.then(
      (value) => Object.assign(outcome, { at: Date.now() - T0, value }),
      (error: unknown) => Object.assign(outcome, { at: Date.now() - T0, error }),
    );
    return outcome;
  }

  function wait(fake: FakeEc2, ids: string[], options: Partial<WaitOptions> = {}): Outcome {
    return settleInto(waitForSnapshots(fake.ec2, ids, { deadline: deadline(600_000, `waiting for ${ids.join(",")}`), ...options }));
  }

  /** A wait for the snapshot as handed over at T0 by its create call (seen, so not polled at once). */
  function waitCreated(fake: FakeEc2, ids: string[], options: Partial<WaitOptions> = {}): Outcome {
    return wait(fake, ids, { initial: new Map(ids.map((id) => [id, fake.seen(id, 0)])), createdAt: T0, ...options });
  }

  function progressLog(log: ProgressEntry[], name: string): (progress: WaitProgress) => void {
    return ({ snapshots, nextPollMs }) => log.push({ wait: name, at: Date.now() - T0, progress: states(snapshots), nextPollMs });
  }

  /** The lines written to stderr, without their newline. */
  function lines(): string[] {
    return stderr.getCalls().map((call) => String(call.args[0]).replace(/\n$/, ""));
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
      const single = waitCreated(fake, ["snap-1"]);
      const pair = waitCreated(fake, ["snap-2", "snap-3"]);
      const partial = waitCreated(fake, ["snap-4", "snap-5"]);

      // when the rounds run
      await runUntil(60_000);

      // then every snapshot was seen, so the first round comes one interval after the group started, and
      // one every interval after that; each names every pending id, and snap-5 (terminal from the start)
      // and snap-2, snap-1, snap-3 (once seen completed) are never asked for again
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-1", "snap-2", "snap-3", "snap-4"] },
        { at: 20_000, ids: ["snap-1", "snap-3", "snap-4"] },
        { at: 30_000, ids: ["snap-3", "snap-4"] },
        { at: 40_000, ids: ["snap-4"] },
      ]);
      assert.deepEqual(
        [single, pair, partial].map((o) => ({ at: o.at, value: states(o.value), error: o.error })),
        [
          { at: 20_000, value: { "snap-1": "completed 100%" }, error: undefined },
          { at: 30_000, value: { "snap-2": "completed 100%", "snap-3": "completed 100%" }, error: undefined },
          { at: 40_000, value: { "snap-4": "completed 100%", "snap-5": "completed 100%" }, error: undefined },
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
      // given an old snapshot with a 25 s deadline, and a younger one with plenty of time
      const fake = new FakeEc2("test-deadline-1", {
        "snap-old": scripted(-400_000, [0, "pending", "0%"], [10_000, "pending", "3%"]),
        "snap-young": scripted(-55_000, [0, "pending", "0%"], [28_000, "completed", "100%"]),
      });
      const timedOut = waitCreated(fake, ["snap-old"], { deadline: deadline(25_000, "creating snapshot of vol-old") });
      const other = waitCreated(fake, ["snap-young"]);

      // when time passes beyond the first deadline
      await runUntil(45_000);

      // then the timed-out wait rejects at its deadline with the snapshot as seen in the round at 20 s
      assert.equal(timedOut.at, 25_000);
      assert.ok(timedOut.error instanceof WaitTimeoutError);
      assert.ok(timedOut.error instanceof DeadlineExceededError);
      assert.equal(timedOut.error.message, "creating snapshot of vol-old did not finish within its 25s timeout");
      assert.equal(timedOut.error.timeoutMs, 25_000);
      assert.deepEqual(states(timedOut.error.lastSeen), { "snap-old": "pending 3%" });
      // and the other wait goes on: the round at 30 s no longer names snap-old, and resolves snap-young
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-old", "snap-young"] },
        { at: 20_000, ids: ["snap-old", "snap-young"] },
        { at: 30_000, ids: ["snap-young"] },
      ]);
      assert.deepEqual({ at: other.at, value: states(other.value) }, { at: 30_000, value: { "snap-young": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("skips rounds on the remaining snapshot's prediction once the wait whose snapshots had none times out", async () => {
      // given a lone snapshot with a rising progress sharing rounds with a set stuck at 0% (no prediction,
      // so rounds come every interval) whose deadline is 12 s
      const fake = new FakeEc2("test-deadline-2", {
        "snap-a": scripted(0, [0, "pending", "0%"], [5_000, "pending", "10%"], [50_000, "pending", "60%"], [60_000, "completed", "100%"]),
        "snap-b1": scripted(0, [0, "pending", "0%"]),
        "snap-b2": scripted(0, [0, "pending", "0%"]),
        "snap-b3": scripted(0, [0, "pending", "0%"]),
      });
      const lone = waitCreated(fake, ["snap-a"]);
      const set = waitCreated(fake, ["snap-b1", "snap-b2", "snap-b3"], { deadline: deadline(12_000, "creating snapshot set") });

      // when the set times out at 12 s, while the loop sleeps towards the round due at 20 s
      await runUntil(120_000);

      // then the round at 20 s is skipped: snap-a (10% after 10 s) is predicted to complete at 100 s, and
      // no round is needed before half the time from the last round to it has passed, 10 + 90 / 2 = 55 s
      // (the wake at 12 s does not move it). There it shows 60% (50 points in 45 s, so 100% at 91 s), and
      // the next round comes at 55 + 36 / 2 = 73 s
      assert.ok(set.error instanceof WaitTimeoutError);
      assert.equal(set.at, 12_000);
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-a", "snap-b1", "snap-b2", "snap-b3"] },
        { at: 55_000, ids: ["snap-a"] },
        { at: 73_000, ids: ["snap-a"] },
      ]);
      assert.deepEqual({ at: lone.at, value: states(lone.value) }, { at: 73_000, value: { "snap-a": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("keeps no timer once the last wait has timed out", async () => {
      // given one old snapshot stuck at 0%, polled every interval, with a 25 s deadline
      const fake = new FakeEc2("test-deadline-3", { "snap-old": scripted(-400_000, [0, "pending", "0%"]) });
      const outcome = waitCreated(fake, ["snap-old"], { deadline: deadline(25_000, "creating snapshot of vol-old") });

      // when the deadline passes while the loop sleeps towards the round at 30 s
      await runUntil(40_000);

      // then the wait is rejected at 25 s, only the rounds at 10 and 20 s were made, and the poller sleeps no more
      assert.ok(outcome.error instanceof WaitTimeoutError);
      assert.equal(outcome.at, 25_000);
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 20_000],
      );
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
      const outcome = waitCreated(fake, ids, { stopOnError: true });
      await runUntil(60_000);

      // then the first round sees the error and the wait resolves there, with no further call
      assert.deepEqual(fake.calls, [{ at: 10_000, ids }]);
      assert.deepEqual(
        { at: outcome.at, value: states(outcome.value), error: outcome.error },
        { at: 10_000, value: { "snap-1": "pending 20%", "snap-2": "error 7%", "snap-3": "pending 0%" }, error: undefined },
      );
      assertNoTimerLeft();
    });

    it("without stopOnError, treats a member in error as terminal and waits for the others", async () => {
      // given the same kind of set, waited for without stopOnError
      const fake = new FakeEc2("test-stop-2", {
        "snap-1": scripted(0, [0, "pending", "0%"], [15_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [3_000, "error", "7%"]),
      });
      const ids = ["snap-1", "snap-2"];
      const outcome = waitCreated(fake, ids);

      // when the rounds run
      await runUntil(60_000);

      // then the failed member is not asked for again, and the wait resolves once the other completes
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids },
        { at: 20_000, ids: ["snap-1"] },
      ]);
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 20_000, value: { "snap-1": "completed 100%", "snap-2": "error 7%" } });
      assertNoTimerLeft();
    });
  });

  describe("visibility", () => {
    it("waits for an id missing from the answers until visibilityGraceMs after createdAt, then rejects with SnapshotVanishedError naming it", async () => {
      // given a set just created at T0: snap-a is listed, snap-b never is (grace 30 s)
      const fake = new FakeEc2("test-visibility-1", { "snap-a": scripted(0, [0, "pending", "0%"]) });

      // when it is waited for, with nothing handed over
      const outcome = wait(fake, ["snap-a", "snap-b"], { createdAt: T0 });
      await runUntil(60_000);

      // then the first round comes at once (nothing seen yet), the next every interval, and the round at
      // 30 s, the end of the grace, gives snap-b up
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 10_000, 20_000, 30_000],
      );
      assert.ok(fake.calls.every((c) => c.ids.join() === "snap-a,snap-b"));
      assert.equal(outcome.at, 30_000);
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

      // then it is missing at 0, seen pending at 10 s (40% in 10 s: due at 25 s, too soon to skip the
      // round at 20 s), and completed at 20 s
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 10_000, 20_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 20_000, value: { "snap-c": "completed 100%" } });
      assertNoTimerLeft();
    });
  });

  describe("round spacing", () => {
    it("polls a lone snapshot and nine snapshots of three waits alike: one call every interval while none has a progress trend", async () => {
      // given, in one region, a lone snapshot, and in another, three sets of three, all stuck at 0% until 75 s
      const lone = new FakeEc2("test-spacing-1a", { "snap-1": scripted(0, [0, "pending", "0%"], [75_000, "completed", "100%"]) });
      const sets = [0, 1, 2].map((s) => [1, 2, 3].map((m) => `snap-${s}${m}`));
      const many = new FakeEc2("test-spacing-1b", Object.fromEntries(sets.flat().map((id) => [id, scripted(0, [0, "pending", "0%"], [75_000, "completed", "100%"])])));
      const loneOutcome = waitCreated(lone, ["snap-1"]);
      const setOutcomes = sets.map((ids) => waitCreated(many, ids));

      // when the rounds run
      await runUntil(120_000);

      // then both are polled every 10 s from 10 s, the nine in one call per round, and all resolve at 80 s
      const every10s = [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000];
      assert.deepEqual(
        lone.calls.map((c) => [c.at, c.ids.length]),
        every10s.map((at) => [at, 1]),
      );
      assert.deepEqual(
        many.calls.map((c) => [c.at, c.ids.length]),
        every10s.map((at) => [at, 9]),
      );
      assert.deepEqual(
        [loneOutcome, ...setOutcomes].map((o) => o.at),
        [80_000, 80_000, 80_000, 80_000],
      );
      assertNoTimerLeft();
    });

    it("skips rounds until half the predicted remaining time has passed, and polls every interval once completion is near", async () => {
      // given a snapshot started at T0 that gains 2% a second
      const fake = new FakeEc2("test-spacing-2", {
        "snap-1": scripted(0, [0, "pending", "0%"], [10_000, "pending", "20%"], [30_000, "pending", "60%"], [40_000, "pending", "80%"], [48_000, "completed", "100%"]),
      });

      // when it is waited for
      const outcome = waitCreated(fake, ["snap-1"]);
      await runUntil(120_000);

      // then: at 10 s, 20% predicts 100% at 50 s, so the next round is at 10 + 40 / 2 = 30 s (the one at
      // 20 s skipped); at 30 s, 60% still predicts 50 s, and 30 + 20 / 2 = 40 s is no later than the
      // interval; likewise at 40 s (45 s < 50 s); at 50 s it is completed
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 30_000, 40_000, 50_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 50_000, value: { "snap-1": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("skips no further than pollMaxMs after the last round, and polls every interval while progress stalls", async () => {
      // given a snapshot started 400 s before T0: at 2% its completion is hours away; it then sits at 99%
      const fake = new FakeEc2("test-spacing-3", {
        "snap-1": scripted(-400_000, [0, "pending", "0%"], [5_000, "pending", "2%"], [65_000, "pending", "99%"], [95_000, "completed", "100%"]),
      });

      // when it is waited for
      const outcome = waitCreated(fake, ["snap-1"]);
      await runUntil(200_000);

      // then the round after 10 s is held to pollMax (70 s); at 99% completion is predicted within a
      // second, so the next round is one interval later (80 s), and at a stalled 99% there is no
      // prediction, so rounds come every interval until it completes
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 70_000, 80_000, 90_000, 100_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 100_000, value: { "snap-1": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("skips no round while any pending snapshot has no prediction", async () => {
      // given two snapshots sharing rounds: snap-rise gains 1% a second, snap-zero sits at 0% until 15 s
      const fake = new FakeEc2("test-spacing-4", {
        "snap-rise": scripted(0, [0, "pending", "0%"], [5_000, "pending", "10%"], [15_000, "pending", "20%"], [55_000, "completed", "100%"]),
        "snap-zero": scripted(0, [0, "pending", "0%"], [15_000, "completed", "100%"]),
      });
      const rise = waitCreated(fake, ["snap-rise"]);
      const zero = waitCreated(fake, ["snap-zero"]);

      // when the rounds run
      await runUntil(120_000);

      // then the round at 20 s is made although snap-rise alone would skip to 55 s; after it snap-zero
      // is done, and snap-rise (20% at 20 s, 100% due at 100 s) lets the rounds skip to 20 + 80 / 2 = 60 s
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-rise", "snap-zero"] },
        { at: 20_000, ids: ["snap-rise", "snap-zero"] },
        { at: 60_000, ids: ["snap-rise"] },
      ]);
      assert.deepEqual([zero.at, rise.at], [20_000, 60_000]);
      assertNoTimerLeft();
    });
  });

  describe("waking the loop", () => {
    it("polls at once a wait with a snapshot not seen yet that arrives before a new group's first round", async () => {
      // given a wait handed its snapshot at T0, whose first round is due at 10 s
      const fake = new FakeEc2("test-wake-1", {
        "snap-a": scripted(0, [0, "pending", "0%"], [3_000, "completed", "100%"]),
        "snap-b": scripted(0, [0, "pending", "0%"], [3_000, "completed", "100%"]),
      });
      const first = waitCreated(fake, ["snap-a"]);
      await runUntil(4_000);

      // when a wait on a snapshot never seen arrives at 4 s
      const second = wait(fake, ["snap-b"], { createdAt: T0 });
      await runUntil(60_000);

      // then the first round is made at once, for both
      assert.deepEqual(fake.calls, [{ at: 4_000, ids: ["snap-a", "snap-b"] }]);
      assert.deepEqual([first.at, second.at], [4_000, 4_000]);
      assertNoTimerLeft();
    });

    it("serves a wait with a snapshot not seen yet, added while the loop skips rounds, at the next budget slot and not earlier", async () => {
      // given a snapshot whose progress lets the loop skip from the round at 10 s to 30 s
      const fake = new FakeEc2("test-wake-2", {
        "snap-old": scripted(0, [0, "pending", "0%"], [10_000, "pending", "20%"], [25_000, "completed", "100%"]),
        "snap-new": scripted(12_000, [12_000, "pending", "0%"], [25_000, "completed", "100%"]),
      });
      const first = waitCreated(fake, ["snap-old"]);
      await runUntil(12_000);

      // when a wait on a snapshot never seen arrives at 12 s
      const second = wait(fake, ["snap-new"], { createdAt: T0 + 12_000 });
      await runUntil(100_000);

      // then the next round comes one interval after the last, at 20 s: not at once, which would spend
      // the rate budget, and not at 30 s, which would leave the new snapshot unlooked at
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-old"] },
        { at: 20_000, ids: ["snap-old", "snap-new"] },
        { at: 30_000, ids: ["snap-old", "snap-new"] },
      ]);
      assert.deepEqual([first.at, second.at], [30_000, 30_000]);
      assertNoTimerLeft();
    });

    it("cuts a skip short for a wait added with a snapshot that has no progress trend yet", async () => {
      // given the same skipping snapshot, and a resource that hands over its just-created snapshot at 12 s
      const fake = new FakeEc2("test-wake-3", {
        "snap-old": scripted(0, [0, "pending", "0%"], [10_000, "pending", "20%"], [25_000, "completed", "100%"]),
        "snap-new": scripted(12_000, [12_000, "pending", "0%"], [25_000, "completed", "100%"]),
      });
      const first = waitCreated(fake, ["snap-old"]);
      await runUntil(12_000);

      // when it is waited for
      const second = wait(fake, ["snap-new"], { initial: new Map([["snap-new", fake.seen("snap-new", 12_000)]]), createdAt: T0 + 12_000 });
      await runUntil(100_000);

      // then, as nothing predicts when snap-new completes, the round due at 20 s is made after all
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-old"] },
        { at: 20_000, ids: ["snap-old", "snap-new"] },
        { at: 30_000, ids: ["snap-old", "snap-new"] },
      ]);
      assert.deepEqual([first.at, second.at], [30_000, 30_000]);
      assertNoTimerLeft();
    });
  });

  describe("throttling", () => {
    it("doubles the interval after each throttled round and halves it after each clean one, saying so when the pace changes", async () => {
      // given a snapshot stuck at 0% whose first two rounds meet throttled answers
      const fake = new FakeEc2("test-throttle-1", { "snap-1": scripted(0, [0, "pending", "0%"], [85_000, "completed", "100%"]) });
      fake.throttleNextRounds(3, 1);
      const log: ProgressEntry[] = [];

      // when it is waited for
      const outcome = wait(fake, ["snap-1"], { createdAt: T0, onProgress: progressLog(log, "single") });
      await runUntil(120_000);

      // then rounds come 20 s, then 40 s apart; after the first clean round 20 s again, after the second
      // 10 s; the report of the first round gives the stretched 20 s, and three lines tell the changes
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 20_000, 60_000, 80_000, 90_000],
      );
      assert.equal(fake.rounds.length, 5);
      assert.deepEqual(log, [{ wait: "single", at: 0, progress: { "snap-1": "pending 0%" }, nextPollMs: 20_000 }]);
      assert.deepEqual(lines(), [
        "EC2 test-throttle-1: EC2 throttled DescribeSnapshots; the shared poll now comes every 20s instead of every 10s",
        "EC2 test-throttle-1: EC2 throttled DescribeSnapshots; the shared poll now comes every 40s instead of every 20s",
        "EC2 test-throttle-1: DescribeSnapshots no longer throttled; the shared poll comes every 10s again",
      ]);
      assert.equal(outcome.at, 90_000);
      assertNoTimerLeft();
    });

    it("never stretches the interval beyond pollMaxMs, and says nothing while it stays there", async () => {
      // given a snapshot stuck at 0% whose first four rounds meet throttled answers
      const fake = new FakeEc2("test-throttle-2", { "snap-1": scripted(0, [0, "pending", "0%"], [150_000, "completed", "100%"]) });
      fake.throttleNextRounds(1, 1, 1, 1);

      // when it is waited for
      const outcome = wait(fake, ["snap-1"], { createdAt: T0 });
      await runUntil(240_000);

      // then the interval goes 20 s, 40 s, then 60 s (80 s held to pollMax) twice, with a line for each change only
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [0, 20_000, 60_000, 120_000, 180_000],
      );
      assert.deepEqual(lines(), [
        "EC2 test-throttle-2: EC2 throttled DescribeSnapshots; the shared poll now comes every 20s instead of every 10s",
        "EC2 test-throttle-2: EC2 throttled DescribeSnapshots; the shared poll now comes every 40s instead of every 20s",
        "EC2 test-throttle-2: EC2 throttled DescribeSnapshots; the shared poll now comes every 1m instead of every 40s",
      ]);
      assert.equal(outcome.at, 180_000);
      assertNoTimerLeft();
    });
  });

  describe("more pending snapshots than one filter names", () => {
    it("asks once per round for every pending or failed snapshot with the create token, taking one seen pending and now missing as completed", async () => {
      // given 250 resources waiting on the snapshots their creates handed over, and a 251st on one EC2
      // lists only from 12 s; snap-000 to snap-050 leave pending at 15 s (snap-001 into error), the rest
      // at 35 s; the answer also lists snap-other, which nothing waits for
      const ids = numbered(250);
      const world: Record<string, ScriptedSnapshot> = {
        ...Object.fromEntries(ids.map((id, i) => [id, scripted(0, [0, "pending", "0%"], [i <= 50 ? 15_000 : 35_000, "completed", "100%"])])),
        "snap-001": scripted(0, [0, "pending", "0%"], [15_000, "error", "7%"]),
        "snap-late": scripted(0, [12_000, "pending", "0%"], [35_000, "completed", "100%"]),
        "snap-other": scripted(0, [0, "pending", "0%"]),
      };
      const fake = new FakeEc2("test-wide-1", world);
      const outcomes = ids.map((id) => waitCreated(fake, [id]));
      const late = wait(fake, ["snap-late"], { createdAt: T0 });

      // when the rounds run
      await runUntil(120_000);

      // then while more than 200 are pending each round is one filtered call, at once for the unseen
      // snap-late and every interval after; once 200 are left, the ids are named again
      const filters = [
        { Name: "status", Values: ["pending", "error"] },
        { Name: "tag-key", Values: [CREATE_TOKEN_TAG] },
      ];
      assert.deepEqual(fake.findCalls, [
        { at: 0, filters, what: "251 pending snapshots" },
        { at: 10_000, filters, what: "251 pending snapshots" },
        { at: 20_000, filters, what: "251 pending snapshots" },
      ]);
      assert.deepEqual(
        fake.calls.map((c) => [c.at, c.ids.length]),
        [
          [30_000, IDS_PER_FILTER],
          [40_000, IDS_PER_FILTER],
        ],
      );
      assert.ok(!fake.calls.some((c) => c.ids.includes("snap-other")));
      // and snap-000, missing from the answer at 20 s after being seen pending, is completed with the rest
      // of it as last seen; snap-001 in error is in the answer; snap-late, missing before 12 s, was not
      // taken as completed but waited for
      assert.deepEqual({ at: outcomes[0].at, value: outcomes[0].value }, { at: 20_000, value: new Map([["snap-000", snapshot("snap-000", 0, "completed", "100%")]]) });
      assert.deepEqual({ at: outcomes[1].at, value: states(outcomes[1].value) }, { at: 20_000, value: { "snap-001": "error 7%" } });
      assert.deepEqual([...new Set(outcomes.slice(2, 51).map((o) => o.at))], [20_000]);
      assert.deepEqual([...new Set(outcomes.slice(51).map((o) => o.at))], [40_000]);
      assert.deepEqual({ at: late.at, value: states(late.value) }, { at: 40_000, value: { "snap-late": "completed 100%" } });
      assert.ok(outcomes.every((o) => o.error === undefined));
      assertNoTimerLeft();
    });
  });

  describe("more pending snapshots than one filter names, with one no listing ever showed", () => {
    it("names a snapshot never listed pending once two intervals have passed, instead of reporting it vanished", async () => {
      // given 201 pending snapshots and snap-fast, handed over by its create at T0 but listed by EC2 only
      // once completed at 5 s, so no pending-or-failed listing ever shows it
      const ids = numbered(201);
      const world: Record<string, ScriptedSnapshot> = {
        ...Object.fromEntries(ids.map((id) => [id, scripted(0, [0, "pending", "0%"], [200_000, "completed", "100%"])])),
        "snap-fast": scripted(0, [5_000, "completed", "100%"]),
      };
      const fake = new FakeEc2("test-wide-2", world);
      ids.forEach((id) => waitCreated(fake, [id]));
      const fast = wait(fake, ["snap-fast"], { createdAt: T0, initial: new Map([["snap-fast", snapshot("snap-fast", 0, "pending", "0%")]]) });

      // when the rounds run past two intervals
      await runUntil(40_000);

      // then the listings never name it; at 30 s (more than 20 s after its wait began) one call names it
      // alone, and its wait resolves with EC2's answer
      assert.deepEqual(
        fake.calls.map((c) => [c.at, c.ids]),
        [[30_000, ["snap-fast"]]],
      );
      assert.deepEqual({ at: fast.at, value: states(fast.value), error: fast.error }, { at: 30_000, value: { "snap-fast": "completed 100%" }, error: undefined });
    });
  });

  describe("waitForTiering", () => {
    it("polls archive statuses every interval in rounds of their own, and resolves when archival completes", async () => {
      // given a snapshot wait handed over at T0, and in the same region an archive started at 3 s
      const fake = new FakeEc2(
        "test-tiering-1",
        { "snap-1": scripted(0, [0, "pending", "0%"], [25_000, "completed", "100%"]) },
        {
          "snap-9": [
            [3_000, "archival-in-progress"],
            [25_000, "archival-completed"],
          ],
        },
      );
      const snapshots = waitCreated(fake, ["snap-1"]);
      await runUntil(3_000);

      // when the archive is waited for, with no status seen yet
      const tiering = settleInto(waitForTiering(fake.ec2, ["snap-9"], { deadline: deadline(600_000, "archiving snap-9") }));
      await runUntil(120_000);

      // then its rounds start at once and come every interval, apart from the snapshot rounds
      assert.deepEqual(fake.tierCalls, [
        { at: 3_000, ids: ["snap-9"] },
        { at: 13_000, ids: ["snap-9"] },
        { at: 23_000, ids: ["snap-9"] },
        { at: 33_000, ids: ["snap-9"] },
      ]);
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-1"] },
        { at: 20_000, ids: ["snap-1"] },
        { at: 30_000, ids: ["snap-1"] },
      ]);
      assert.deepEqual(
        { at: tiering.at, value: tiering.value, error: tiering.error },
        { at: 33_000, value: new Map([["snap-9", { SnapshotId: "snap-9", LastTieringOperationStatus: "archival-completed" }]]), error: undefined },
      );
      assert.equal(snapshots.at, 30_000);
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
      const first = waitCreated(fake, ["snap-1"]);
      const second = waitCreated(fake, ["snap-2", "snap-3"]);

      // when the round at 10 s fails
      await runUntil(11_000);

      // then both waits reject with that very error, and the poller is idle
      assert.deepEqual([first.at, first.error === denied, second.at, second.error === denied], [10_000, true, 10_000, true]);
      assertNoTimerLeft();

      // and when another wait comes at 11 s, with nothing seen yet, it is polled at once and resolves
      const third = wait(fake, ["snap-4"]);
      await runUntil(30_000);
      assert.deepEqual(fake.calls, [
        { at: 10_000, ids: ["snap-1", "snap-2", "snap-3"] },
        { at: 11_000, ids: ["snap-4"] },
      ]);
      assert.deepEqual({ at: third.at, value: states(third.value) }, { at: 11_000, value: { "snap-4": "completed 100%" } });
      assertNoTimerLeft();
    });

    it("does not reject the waits for an aborted describe, and polls again one interval later", async () => {
      // given a round that is aborted (the waits' own deadlines report timeouts)
      const fake = new FakeEc2("test-errors-2", { "snap-1": scripted(0, [0, "pending", "0%"], [8_000, "completed", "100%"]) });
      fake.failNextCall(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }));
      const outcome = waitCreated(fake, ["snap-1"]);

      // when the rounds run
      await runUntil(60_000);

      // then the wait goes on and resolves in the next round
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 20_000],
      );
      assert.deepEqual({ at: outcome.at, value: states(outcome.value) }, { at: 20_000, value: { "snap-1": "completed 100%" } });
      assertNoTimerLeft();
    });
  });

  describe("onProgress", () => {
    it("reports a lone wait only in rounds where state or progress changed, with the time until the next round", async () => {
      // given a snapshot started at T0, handed over at 0%
      const fake = new FakeEc2("test-progress-1", {
        "snap-1": scripted(0, [0, "pending", "0%"], [20_000, "pending", "20%"], [40_000, "pending", "60%"], [55_000, "completed", "100%"]),
      });
      const log: ProgressEntry[] = [];

      // when it is waited for
      const outcome = waitCreated(fake, ["snap-1"], { onProgress: progressLog(log, "single") });
      await runUntil(120_000);

      // then the rounds at 10 and 50 s saw no change and are not reported; at 20 s, 20% in 10 s predicts
      // 100% at 60 s, so the next round is 20 s later (at 40 s); at 40 s, 60% still predicts 60 s, and
      // the next round comes one interval later
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 20_000, 40_000, 50_000, 60_000],
      );
      assert.deepEqual(log, [
        { wait: "single", at: 20_000, progress: { "snap-1": "pending 20%" }, nextPollMs: 20_000 },
        { wait: "single", at: 40_000, progress: { "snap-1": "pending 60%" }, nextPollMs: 10_000 },
      ]);
      assert.equal(outcome.at, 60_000);
      assertNoTimerLeft();
    });

    it("reports each wait of a round once, only the waits whose snapshots changed", async () => {
      // given two resources whose snapshots move alike until 20 s; at 40 s only the first one moves
      const fake = new FakeEc2("test-progress-2", {
        "snap-1": scripted(0, [0, "pending", "0%"], [20_000, "pending", "20%"], [40_000, "pending", "60%"], [45_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [20_000, "pending", "20%"], [45_000, "completed", "100%"]),
      });
      const log: ProgressEntry[] = [];
      waitCreated(fake, ["snap-1"], { onProgress: progressLog(log, "first") });
      waitCreated(fake, ["snap-2"], { onProgress: progressLog(log, "second") });

      // when the rounds run
      await runUntil(120_000);

      // then both are reported at 20 s (both predict 60 s: next round at 40 s); at 40 s only the first,
      // and snap-2, stalled at 20%, has no prediction, so the next round is one interval later
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 20_000, 40_000, 50_000],
      );
      assert.deepEqual(log, [
        { wait: "first", at: 20_000, progress: { "snap-1": "pending 20%" }, nextPollMs: 20_000 },
        { wait: "second", at: 20_000, progress: { "snap-2": "pending 20%" }, nextPollMs: 20_000 },
        { wait: "first", at: 40_000, progress: { "snap-1": "pending 60%" }, nextPollMs: 10_000 },
      ]);
      assertNoTimerLeft();
    });

    it("reports each wait's progress in the call context of the call that waits, not of the call whose wait started the shared round", async () => {
      // given two resources' calls, each with its own log sink (as the plugin face sets them), whose
      // snapshots are polled in one shared round that the first call's wait started
      const fake = new FakeEc2("test-progress-context", {
        "snap-1": scripted(0, [0, "pending", "0%"], [20_000, "pending", "20%"], [45_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [20_000, "pending", "40%"], [45_000, "completed", "100%"]),
      });
      const sinks: Record<string, string[]> = { first: [], second: [] };
      const heard = (name: string) => (): void => writeLine(`progress of ${name}`);
      await withCallContext({ log: (line) => sinks.first.push(line) }, async () => void waitCreated(fake, ["snap-1"], { onProgress: heard("snap-1") }));
      await withCallContext({ log: (line) => sinks.second.push(line) }, async () => void waitCreated(fake, ["snap-2"], { onProgress: heard("snap-2") }));

      // when the shared rounds run
      await runUntil(120_000);

      // then each call's sink heard only its own snapshot
      assert.deepEqual(sinks, { first: ["progress of snap-1"], second: ["progress of snap-2"] });
      assertNoTimerLeft();
    });

    it("reports the time until the next shared round, which another wait's snapshot without a trend keeps at one interval", async () => {
      // given a snapshot at 20% at 10 s (alone it would be next polled at 30 s) and one stuck at 0%
      const fake = new FakeEc2("test-progress-3", {
        "snap-1": scripted(0, [0, "pending", "0%"], [4_000, "pending", "20%"], [15_000, "completed", "100%"]),
        "snap-2": scripted(0, [0, "pending", "0%"], [15_000, "completed", "100%"]),
      });
      const log: ProgressEntry[] = [];
      waitCreated(fake, ["snap-1"], { onProgress: progressLog(log, "first") });
      waitCreated(fake, ["snap-2"], { onProgress: progressLog(log, "second") });

      // when the rounds run
      await runUntil(60_000);

      // then the report at 10 s gives 10 s, the time until the round that actually comes at 20 s
      assert.deepEqual(
        fake.calls.map((c) => c.at),
        [10_000, 20_000],
      );
      assert.deepEqual(log, [{ wait: "first", at: 10_000, progress: { "snap-1": "pending 20%" }, nextPollMs: 10_000 }]);
      assertNoTimerLeft();
    });
  });
});
