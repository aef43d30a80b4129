import assert from "node:assert/strict";
import sinon from "sinon";
import { admit, admitAll, type Admission } from "../../provider/volumeAdmission";

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

    it("spaces creates on one volume 15 s apart", async () => {
      const key = freshKey();
      const signal = new AbortController().signal;
      const admissions = [track("a", admit(key, 5, 15_000, signal)), track("b", admit(key, 5, 15_000, signal)), track("c", admit(key, 5, 15_000, signal))];
      await clock.tickAsync(60_000);
      assert.deepEqual(events, ["a@0", "b@15000", "c@30000"]);
      for (const admission of admissions) {
        (await admission)?.release();
      }
    });

    it("does not space creates on different volumes", async () => {
      const signal = new AbortController().signal;
      const admissions = [track("a", admit(freshKey(), 5, 15_000, signal)), track("b", admit(freshKey(), 5, 15_000, signal))];
      await clock.tickAsync(0);
      assert.deepEqual(events, ["a@0", "b@0"]);
      for (const admission of admissions) {
        (await admission)?.release();
      }
    });

    it("lets a create go at once when the last one on the volume is more than the spacing ago", async () => {
      const key = freshKey();
      const signal = new AbortController().signal;
      (await admit(key, 5, 15_000, signal)).release();
      await clock.tickAsync(20_000);
      const next = track("next", admit(key, 5, 15_000, signal));
      await clock.tickAsync(0);
      assert.deepEqual(events, ["next@20000"]);
      (await next)?.release();
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

    it("gives the slot back when aborted during the spacing wait", async () => {
      // given a limit of 1 and a create just sent, so the next one must wait 15 s
      const key = freshKey();
      const first = await admit(key, 1, 15_000, new AbortController().signal);
      first.release();
      const controller = new AbortController();
      const spaced = track("spaced", admit(key, 1, 15_000, controller.signal));
      const queued = track("queued", admit(key, 1, 15_000, new AbortController().signal));
      // when the spaced one aborts during its wait
      await clock.tickAsync(5_000);
      controller.abort(new Error("deadline passed"));
      await clock.tickAsync(60_000);
      // then it fails with the reason, and the queued waiter gets the slot at the first create's
      // spacing (15 s), not 15 s after a create that was never sent
      assert.deepEqual(events, ["spaced!deadline passed", "queued@15000"]);
      await spaced;
      (await queued)?.release();
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
      const first = track("first", admitAll([k1, k2], () => 1, 0, signal));
      const second = track("second", admitAll([k2, k1], () => 1, 0, signal));
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
      const set = track("set", admitAll([k1, k2], () => 1, 0, controller.signal));
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
});
