import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import sinon from "sinon";
import { admit, admitAll, type Admission } from "../../../provider/scheduling/volumeAdmission";

const T0 = 1_700_000_000_000;
let keySeq = 0;

/** A volume key no other test has used; admission state is per process. */
function freshKey(): string {
  keySeq += 1;
  return `us-east-1/vol-test${String(keySeq).padStart(12, "0")}`;
}

describe("volumeAdmission", () => {
  let clock: sinon.SinonFakeTimers;
  let events: string[];

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: T0, toFake: ["setTimeout", "clearTimeout", "Date"] });
    events = [];
  });

  afterEach(() => {
    clock.restore();
  });

  /** Records when an admission settles, as "label@ms since T0" or "label!reason". */
  function track(label: string, admission: Promise<Admission>): Promise<Admission | undefined> {
    return admission.then(
      (a) => {
        events.push(`${label}@${Date.now() - T0}`);
        return a;
      },
      (error: unknown) => {
        events.push(`${label}!${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      },
    );
  }

  /** A create request answered after `ms`, recording when it was sent and answered. */
  function request(label: string, ms: number): Promise<string> {
    events.push(`${label} sent@${Date.now() - T0}`);
    const answer = (): string => {
      events.push(`${label} answered@${Date.now() - T0}`);
      return label;
    };
    // Node (and the fake clock) run a 0 ms timer after 1 ms; an instant answer resolves without one.
    return ms === 0 ? Promise.resolve().then(answer) : new Promise((resolve) => setTimeout(() => resolve(answer()), ms));
  }

  /** Sends through an admission whose own signal is `signal` (admitted anew on the same volume with it). */
  async function admitSendAborting(holder: Admission, signal: AbortSignal, key: string): Promise<void> {
    holder.release();
    const admission = await admit(key, 5, 15_000, signal);
    try {
      await admission.send(() => request("b", 0));
    } catch (error) {
      events.push(`b!${error instanceof Error ? error.message : String(error)}`);
    } finally {
      admission.release();
    }
  }

  describe("admit", () => {
    it("admits up to the limit at once and hands released slots over first come, first served", async () => {
      // given a volume with a limit of 2 and no spacing
      const key = freshKey();
      const signal = new AbortController().signal;
      const a = track("a", admit(key, 2, 0, signal));
      const b = track("b", admit(key, 2, 0, signal));
      const c = track("c", admit(key, 2, 0, signal));
      const d = track("d", admit(key, 2, 0, signal));
      await clock.tickAsync(0);
      assert.deepEqual(events, ["a@0", "b@0"]);

      // when the slots are released one by one, 1 s apart
      await clock.tickAsync(1_000);
      (await b)?.release();
      await clock.tickAsync(1_000);
      (await a)?.release();
      await clock.tickAsync(0);

      // then the waiters get them in arrival order
      assert.deepEqual(events, ["a@0", "b@0", "c@1000", "d@2000"]);
      (await c)?.release();
      (await d)?.release();
    });

    it("sends create requests on one volume one at a time, 15 s after the previous answer", async () => {
      // given three admissions on one volume whose requests each take 2 s to be answered
      const key = freshKey();
      const signal = new AbortController().signal;
      const admissions = await Promise.all([admit(key, 5, 15_000, signal), admit(key, 5, 15_000, signal), admit(key, 5, 15_000, signal)]);
      // when each sends its create
      const sent = admissions.map((a, i) => a.send(() => request(`${"abc"[i]}`, 2_000)));
      await clock.tickAsync(60_000);
      await Promise.all(sent);
      // then each went 15 s after the answer to the one before
      assert.deepEqual(events, ["a sent@0", "a answered@2000", "b sent@17000", "b answered@19000", "c sent@34000", "c answered@36000"]);
      admissions.forEach((a) => a.release());
    });

    it("does not space creates on different volumes", async () => {
      const signal = new AbortController().signal;
      const admissions = await Promise.all([admit(freshKey(), 5, 15_000, signal), admit(freshKey(), 5, 15_000, signal)]);
      await Promise.all([admissions[0].send(() => request("a", 0)), admissions[1].send(() => request("b", 0)), clock.tickAsync(0)]);
      assert.deepEqual(events, ["a sent@0", "b sent@0", "a answered@0", "b answered@0"]);
      admissions.forEach((a) => a.release());
    });

    it("sends at once when the volume's last answer is more than the spacing ago", async () => {
      const key = freshKey();
      const signal = new AbortController().signal;
      const first = await admit(key, 5, 15_000, signal);
      await Promise.all([first.send(() => request("a", 0)), clock.tickAsync(0)]);
      await clock.tickAsync(20_000);
      const second = await admit(key, 5, 15_000, signal);
      await Promise.all([second.send(() => request("b", 0)), clock.tickAsync(0)]);
      assert.deepEqual(events, ["a sent@0", "a answered@0", "b sent@20000", "b answered@20000"]);
      [first, second].forEach((a) => a.release());
    });

    it("spaces the next create after a failed one too, since EC2 answered it", async () => {
      const key = freshKey();
      const signal = new AbortController().signal;
      const [a, b] = await Promise.all([admit(key, 5, 15_000, signal), admit(key, 5, 15_000, signal)]);
      const failed = a.send(() => Promise.reject(new Error("SnapshotCreationPerVolumeRateExceeded"))).catch((e: Error) => events.push(`a failed: ${e.message}`));
      const next = b.send(() => request("b", 0));
      await clock.tickAsync(20_000);
      await Promise.all([failed, next]);
      assert.deepEqual(events, ["a failed: SnapshotCreationPerVolumeRateExceeded", "b sent@15000", "b answered@15000"]);
      [a, b].forEach((x) => x.release());
    });

    it("gives its turn back when aborted before sending: the next create waits only for the ones before it", async () => {
      // given a create answered at 1 s, a second one waiting for its turn, and a third behind it
      const key = freshKey();
      const [first, second, third] = await Promise.all([
        admit(key, 5, 15_000, new AbortController().signal),
        admit(key, 5, 15_000, new AbortController().signal),
        admit(key, 5, 15_000, new AbortController().signal),
      ]);
      const controller = new AbortController();
      const a = first.send(() => request("a", 1_000));
      const b = admitSendAborting(second, controller.signal, key);
      const c = third.send(() => request("c", 0));
      // when the second aborts at 5 s, before its turn at 16 s
      await clock.tickAsync(5_000);
      controller.abort(new Error("deadline passed"));
      await clock.tickAsync(30_000);
      await Promise.all([a, b, c]);
      // then it sent nothing, and the third went at 16 s: 15 s after the first answer, not 15 s after a request never sent
      assert.deepEqual(events, ["a sent@0", "a answered@1000", "b!deadline passed", "c sent@16000", "c answered@16000"]);
      [first, second, third].forEach((x) => x.release());
    });

    it("removes an aborted waiter from the queue, so the next one gets the slot", async () => {
      // given one slot held and two waiters
      const key = freshKey();
      const holder = await admit(key, 1, 0, new AbortController().signal);
      const controller = new AbortController();
      const b = track("b", admit(key, 1, 0, controller.signal));
      const c = track("c", admit(key, 1, 0, new AbortController().signal));
      // when the first waiter aborts and the slot is then released
      await clock.tickAsync(500);
      controller.abort(new Error("deadline passed"));
      await clock.tickAsync(500);
      holder.release();
      await clock.tickAsync(0);
      // then the aborted waiter was rejected with the signal's reason and the next waiter got the slot
      assert.deepEqual(events, ["b!deadline passed", "c@1000"]);
      await b;
      (await c)?.release();
    });

    it("rejects a waiter whose signal was aborted before it queued", async () => {
      const key = freshKey();
      const holder = await admit(key, 1, 0, new AbortController().signal);
      const controller = new AbortController();
      controller.abort(new Error("already over"));
      await track("late", admit(key, 1, 0, controller.signal));
      assert.deepEqual(events, ["late!already over"]);
      holder.release();
    });

    it("rejects at once when the signal was aborted, even with a slot free", async () => {
      const key = freshKey();
      const controller = new AbortController();
      controller.abort(new Error("already over"));
      await track("late", admit(key, 5, 0, controller.signal));
      const next = track("next", admit(key, 1, 0, new AbortController().signal));
      await clock.tickAsync(0);
      // the rejected call took no slot: a limit-1 admission right after it goes at once
      assert.deepEqual(events, ["late!already over", "next@0"]);
      (await next)?.release();
    });

    it("releases a slot only once however often release is called", async () => {
      const key = freshKey();
      const signal = new AbortController().signal;
      const a = await admit(key, 1, 0, signal);
      const b = track("b", admit(key, 1, 0, signal));
      const c = track("c", admit(key, 1, 0, signal));
      a.release();
      a.release();
      await clock.tickAsync(0);
      assert.deepEqual(events, ["b@0"]);
      (await b)?.release();
      await clock.tickAsync(0);
      assert.deepEqual(events, ["b@0", "c@0"]);
      (await c)?.release();
    });
  });

  describe("admitAll", () => {
    it("admits each distinct volume once, in sorted order", async () => {
      // given keys out of order and one repeated
      const [k1, k2, k3] = [freshKey(), freshKey(), freshKey()];
      const limits: string[] = [];
      const all = await admitAll([k3, k1, k2, k1], (key) => (limits.push(key), 1), 0, new AbortController().signal);
      // then the limit was asked for each volume once, in sorted order
      assert.deepEqual(limits, [k1, k2, k3]);
      // and each volume's single slot is now taken
      const probe = track("probe", admit(k2, 1, 0, new AbortController().signal));
      await clock.tickAsync(0);
      assert.deepEqual(events, []);
      all.release();
      await clock.tickAsync(0);
      assert.deepEqual(events, ["probe@0"]);
      (await probe)?.release();
    });

    it("never deadlocks two sets that share volumes in opposite order", async () => {
      const [k1, k2] = [freshKey(), freshKey()];
      const signal = new AbortController().signal;
      const first = track(
        "first",
        admitAll([k1, k2], () => 1, 0, signal),
      );
      const second = track(
        "second",
        admitAll([k2, k1], () => 1, 0, signal),
      );
      await clock.tickAsync(0);
      assert.deepEqual(events, ["first@0"]);
      await clock.tickAsync(1_000);
      (await first)?.release();
      await clock.tickAsync(0);
      assert.deepEqual(events, ["first@0", "second@1000"]);
      (await second)?.release();
    });

    it("releases the volumes it already holds when it aborts waiting for another", async () => {
      // given a set that gets k1 but must wait for k2
      const [k1, k2] = [freshKey(), freshKey()];
      const blocker = await admit(k2, 1, 0, new AbortController().signal);
      const controller = new AbortController();
      const set = track(
        "set",
        admitAll([k1, k2], () => 1, 0, controller.signal),
      );
      await clock.tickAsync(0);
      // when it aborts
      controller.abort(new Error("deadline passed"));
      await set;
      // then k1 is free again
      const probe = track("probe", admit(k1, 1, 0, new AbortController().signal));
      await clock.tickAsync(0);
      assert.deepEqual(events, ["set!deadline passed", "probe@0"]);
      (await probe)?.release();
      blocker.release();
    });
  });

  describe("saying what a create waits for", () => {
    it("says once, with the volume and EC2's limit, when a create must wait for a pending slot", async () => {
      // given a volume whose one pending slot (st1) is taken
      const key = freshKey();
      const signal = new AbortController().signal;
      const lines: string[] = [];
      const holder = await admit(key, 1, 0, signal, (line) => lines.push(line));
      assert.equal(lines.length, 0);
      // when a second create asks for a slot
      const waiting = admit(key, 1, 0, signal, (line) => lines.push(line));
      await clock.tickAsync(5_000);
      // then one line says what it waits for and why, however long the wait
      assert.deepEqual(lines, [
        `waiting to create a snapshot of ${key.slice("us-east-1/".length)}: 1 of this deployment's snapshots of it are pending, as many as EC2 allows on the volume (1 for st1 and sc1); the wait ends when one completes`,
      ]);
      holder.release();
      (await waiting).release();
    });

    it("says once when a create waits more than a second for its turn on the volume, and nothing for a shorter wait", async () => {
      // given two creates on one volume, 15 s apart, each answered at once
      const key = freshKey();
      const signal = new AbortController().signal;
      const lines: string[] = [];
      const [a, b] = await Promise.all([admit(key, 5, 15_000, signal, (line) => lines.push(line)), admit(key, 5, 15_000, signal, (line) => lines.push(line))]);
      // when both send
      const sent = [a.send(() => request("a", 0)), b.send(() => request("b", 0))];
      await clock.tickAsync(20_000);
      await Promise.all(sent);
      // then only the second, which waited 15 s, said so, once
      assert.deepEqual(lines, [
        `waiting to send the create for ${key.slice("us-east-1/".length)}: EC2 takes one new snapshot per volume every 15s, counted here from the answer to the previous create on the volume`,
      ]);
      [a, b].forEach((x) => x.release());
    });
  });

  describe("a long wait on one deadline", () => {
    it("leaves as many abort listeners after 500 attempts as after one, and Node warns of nothing", async () => {
      // given one hook's deadline signal, and a create retried 500 times on one volume (an hour of
      // PendingSnapshotLimitExceeded, each attempt sent in turn and spaced)
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
      process.on("warning", onWarning);
      try {
        const deadline = new AbortController();
        const admission = await admit(freshKey(), 5, 0, deadline.signal);
        const listeners = (): number => getEventListeners(deadline.signal, "abort").length;
        const before = listeners();
        const after: number[] = [];
        for (let attempt = 0; attempt < 500; attempt += 1) {
          const sent = admission.send(() => Promise.resolve(attempt));
          await clock.tickAsync(1);
          await sent;
          after.push(listeners());
        }
        admission.release();
        // then the count never grew with the attempts
        assert.deepEqual([...new Set(after)], [before]);
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(warnings, []);
      } finally {
        process.removeListener("warning", onWarning);
      }
    });
  });
});
