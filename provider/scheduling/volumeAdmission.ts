import { formatDuration } from "../inputs/duration";
import { ANNOUNCE_AFTER_MS } from "../messages/log";
import { processRegistry } from "../runtime/processState";

/**
 * Per-volume admission of new snapshots, within this process, shaped like EC2's own limits:
 * - at most `limit` of our snapshots pending on a volume (EC2 allows 5, or 1 for st1/sc1): a create
 *   first takes a slot, held until its snapshot leaves `pending`;
 * - one create request at a time per volume, each sent at least `spacingMs` after the previous one on
 *   that volume was answered (EC2 accepts one new snapshot per volume every 15 s). Counting from the
 *   answer, not from admission, keeps the spacing true at EC2 whatever the request budget, the socket
 *   pool or the network did to either request in between.
 * Creates beyond that queue here, first come first served, instead of failing at EC2 and backing off blindly.
 */
interface VolumeState {
  inFlight: number;
  /** Waiters for a slot; a released slot is handed to the first one directly. */
  queue: (() => void)[];
  /** Opens when the next create request on this volume may be sent. */
  turn: Promise<void>;
  /** Create requests sent or waiting to be, whose turn has not been passed on yet. */
  creates: number;
}

const volumes = processRegistry<VolumeState>("volumeAdmissions");

export interface Admission {
  /**
   * Sends one create request for the admitted volume(s): alone on each volume, and no sooner than the
   * spacing after the previous request's answer. Use it for every attempt, retries included.
   */
  send: <T>(request: () => Promise<T>) => Promise<T>;
  /** Frees the slot(s); call when the snapshot leaves `pending` or the hook stops waiting for it. */
  release(): void;
}

function stateOf(key: string): VolumeState {
  let state = volumes.get(key);
  if (state === undefined) {
    state = { inFlight: 0, queue: [], turn: Promise.resolve(), creates: 0 };
    volumes.set(key, state);
  }
  return state;
}

function forgetIfIdle(key: string, state: VolumeState): void {
  if (state.inFlight === 0 && state.queue.length === 0 && state.creates === 0 && volumes.get(key) === state) {
    volumes.delete(key);
  }
}

/** Told, once per wait, what a create waits for and why: the line the person running `pulumi up` sees. */
export type WaitNotice = (line: string) => void;

function volumeOf(key: string): string {
  return key.slice(key.indexOf("/") + 1);
}

function takeSlot(state: VolumeState, limit: number, signal: AbortSignal, onWait?: () => void): Promise<void> {
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
    // Called by giveBack() with the slot already counted for us.
    const handOver = (): void => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    state.queue.push(handOver);
    signal.addEventListener("abort", onAbort, { once: true });
    onWait?.();
  });
}

function giveBack(key: string, state: VolumeState): void {
  const next = state.queue.shift();
  if (next !== undefined) {
    next();
    return;
  }
  state.inFlight -= 1;
  forgetIfIdle(key, state);
}

/**
 * Resolves when `turn` does, rejects if `signal` aborts first, and takes its abort listener off again
 * either way: a create retried for an hour on EC2's pending limit passes here once per attempt, against
 * one deadline, and must not pile listeners onto it.
 */
function turnOrAbort(turn: Promise<unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    turn.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs `request` once every volume's previous create has been answered and spaced. All volumes are
 * queued on at once (synchronously), so two sets sharing volumes can never wait on each other in a cycle.
 */
async function sendInTurn<T>(keys: readonly string[], spacingMs: number, signal: AbortSignal, request: () => Promise<T>, onWait?: WaitNotice): Promise<T> {
  const states = keys.map((key) => [key, stateOf(key)] as const);
  const previous = Promise.all(states.map(([, state]) => state.turn));
  let passOn!: () => void;
  const next = new Promise<void>((resolve) => {
    passOn = () => {
      states.forEach(([key, state]) => {
        state.creates -= 1;
        forgetIfIdle(key, state);
      });
      resolve();
    };
  });
  states.forEach(([, state]) => {
    state.turn = next;
    state.creates += 1;
  });
  const notice =
    onWait === undefined
      ? undefined
      : setTimeout(
          () =>
            onWait(
              `waiting to send the create for ${keys.map(volumeOf).join(", ")}: EC2 takes one new snapshot per volume every ` +
                `${formatDuration(spacingMs)}, counted here from the answer to the previous create on the volume`,
            ),
          ANNOUNCE_AFTER_MS,
        );
  notice?.unref?.();
  try {
    await turnOrAbort(previous, signal);
  } catch (error) {
    // Nothing was sent: the next create waits only for the ones before this.
    void previous.then(passOn);
    throw error;
  } finally {
    clearTimeout(notice);
  }
  try {
    return await request();
  } finally {
    const timer = setTimeout(passOn, spacingMs);
    // The spacing must not keep the provider process alive once every hook is done.
    timer.unref?.();
  }
}

/** Waits for a slot on one volume (key: region and volume id). Rejects with the signal's reason if it aborts. */
export async function admit(key: string, limit: number, spacingMs: number, signal: AbortSignal, onWait?: WaitNotice): Promise<Admission> {
  return admitAll([key], () => limit, spacingMs, signal, onWait);
}

/** Admits one snapshot on each of several volumes (a SnapshotSet), in a fixed order so that two sets never deadlock. */
export async function admitAll(keys: readonly string[], limitOf: (key: string) => number, spacingMs: number, signal: AbortSignal, onWait?: WaitNotice): Promise<Admission> {
  const ordered = [...new Set(keys)].sort();
  const held: string[] = [];
  const releaseHeld = (): void => {
    held.splice(0).forEach((key) => giveBack(key, stateOf(key)));
  };
  try {
    for (const key of ordered) {
      const limit = limitOf(key);
      await takeSlot(stateOf(key), limit, signal, () =>
        onWait?.(
          `waiting to create a snapshot of ${volumeOf(key)}: ${limit} of this deployment's snapshots of it are pending, as many as EC2 allows on the volume ` +
            `(${limit === 1 ? "1 for st1 and sc1" : "5"}); the wait ends when one completes`,
        ),
      );
      held.push(key);
    }
  } catch (error) {
    releaseHeld();
    throw error;
  }
  return {
    send: (request) => sendInTurn(ordered, spacingMs, signal, request, onWait),
    release: releaseHeld,
  };
}
