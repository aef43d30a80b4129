import { sleep } from "./sleep";

/**
 * Per-volume admission of new snapshots, within this process: at most `limit` of our snapshots pending
 * on a volume (EC2 allows 5, or 1 for st1/sc1) and `spacingMs` between two creates on one volume
 * (EC2 accepts one every 15 s). Creates beyond that queue here, first come first served, instead of
 * failing at EC2 and backing off blindly.
 */
interface VolumeState {
  inFlight: number;
  /** Earliest time the next create on this volume may be sent. */
  nextAt: number;
  /** Waiters for a slot; a released slot is handed to the first one directly. */
  queue: (() => void)[];
}

const volumes = new Map<string, VolumeState>();

export interface Admission {
  /** Frees the slot; call when the snapshot leaves `pending` or the hook stops waiting for it. */
  release(): void;
}

function stateOf(key: string): VolumeState {
  let state = volumes.get(key);
  if (state === undefined) {
    state = { inFlight: 0, nextAt: 0, queue: [] };
    volumes.set(key, state);
  }
  return state;
}

function takeSlot(state: VolumeState, limit: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  if (state.inFlight < limit && state.queue.length === 0) {
    state.inFlight += 1;
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      state.queue = state.queue.filter((w) => w !== handOver);
      reject(signal.reason);
    };
    // Called by release() with the slot already counted for us.
    const handOver = (): void => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    state.queue.push(handOver);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function giveBack(key: string, state: VolumeState): void {
  const next = state.queue.shift();
  if (next !== undefined) {
    next();
    return;
  }
  state.inFlight -= 1;
  if (state.inFlight === 0 && state.nextAt <= Date.now()) {
    volumes.delete(key);
  }
}

/** Waits for a slot on one volume (key: region and volume id). Rejects with the signal's reason if it aborts. */
export async function admit(key: string, limit: number, spacingMs: number, signal: AbortSignal): Promise<Admission> {
  const state = stateOf(key);
  await takeSlot(state, limit, signal);
  let released = false;
  const admission: Admission = {
    release: () => {
      if (!released) {
        released = true;
        giveBack(key, state);
      }
    },
  };
  const now = Date.now();
  const previous = state.nextAt;
  const start = Math.max(now, previous);
  const reserved = start + spacingMs;
  state.nextAt = reserved;
  try {
    if (start > now) {
      await sleep(start - now, signal);
    }
  } catch (error) {
    // Nothing was sent: give the spacing back unless a later create already booked after it.
    if (state.nextAt === reserved) {
      state.nextAt = previous;
    }
    admission.release();
    throw error;
  }
  return admission;
}

/** Admits one snapshot on each of several volumes (a SnapshotSet), in a fixed order so that two sets never deadlock. */
export async function admitAll(keys: readonly string[], limitOf: (key: string) => number, spacingMs: number, signal: AbortSignal): Promise<Admission> {
  const admissions: Admission[] = [];
  try {
    for (const key of [...new Set(keys)].sort()) {
      admissions.push(await admit(key, limitOf(key), spacingMs, signal));
    }
  } catch (error) {
    admissions.forEach((a) => a.release());
    throw error;
  }
  return { release: () => admissions.forEach((a) => a.release()) };
}
