import type { EC2Client } from "@aws-sdk/client-ec2";
import { IDS_PER_FILTER, type Ec2 } from "../ec2/ec2";
import { Deadline } from "../lifecycle/deadline";
import { processRegistry, scopeKey } from "../runtime/processState";

/** One kind of read that many resources make of their own snapshots: a lookup of ids, answered by id. */
export type Lookup<T> = (ec2: Ec2, ids: readonly string[]) => Promise<Map<string, T>>;

interface Waiter<T> {
  /** The read's own connection, bounded by its hook's deadline. */
  ec2: Ec2;
  resolve: (found: Map<string, T>) => void;
  reject: (error: unknown) => void;
}

interface Batch<T> {
  ids: Set<string>;
  waiters: Waiter<T>[];
  /** The connection of the first read of the batch; every read of a batch shares its client. */
  ec2: Ec2;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Reads of many resources, coalesced: a refresh calls `read` once per resource, and the engine runs
 * them side by side, so the reads that arrive within one short window (settings.readWindowMs) share one
 * call of up to 200 ids (one filter's worth), as the shared poller's rounds do for waits. A batch is
 * sent as soon as it is full. Each read still ends at its own hook's deadline.
 */
class ReadBatcher<T> {
  private open: Batch<T> | undefined;

  constructor(
    private readonly lookup: Lookup<T>,
    private readonly onIdle: () => void,
  ) {}

  read(ec2: Ec2, ids: readonly string[]): Promise<Map<string, T>> {
    const wanted = [...new Set(ids)].filter((id) => id !== "");
    if (wanted.length === 0) {
      return Promise.resolve(new Map<string, T>());
    }
    // A resource with more ids than one call takes (a very large set) is read alone, in chunks.
    if (wanted.length > IDS_PER_FILTER) {
      return this.lookup(ec2, wanted);
    }
    return new Promise<Map<string, T>>((resolve, reject) => {
      if (this.open !== undefined && this.open.ids.size + wanted.filter((id) => !this.open?.ids.has(id)).length > IDS_PER_FILTER) {
        this.flush(this.open);
      }
      let batch = this.open;
      if (batch === undefined) {
        const fresh: Batch<T> = { ids: new Set(), waiters: [], ec2 };
        fresh.timer = setTimeout(() => this.flush(fresh), ec2.settings.readWindowMs);
        this.open = fresh;
        batch = fresh;
      }
      wanted.forEach((id) => batch.ids.add(id));
      const abort = (): void => reject(ec2.deadline.signal.reason);
      ec2.deadline.signal.addEventListener("abort", abort, { once: true });
      const settle = (): void => ec2.deadline.signal.removeEventListener("abort", abort);
      batch.waiters.push({
        ec2,
        resolve: (found) => {
          settle();
          resolve(found);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      if (batch.ids.size >= IDS_PER_FILTER) {
        this.flush(batch);
      }
    }).then((found) => new Map(wanted.flatMap((id) => (found.has(id) ? [[id, found.get(id) as T] as const] : []))));
  }

  private flush(batch: Batch<T>): void {
    if (this.open === batch) {
      this.open = undefined;
    }
    clearTimeout(batch.timer);
    void this.send(batch);
  }

  private async send(batch: Batch<T>): Promise<void> {
    // The call may take as long as the longest read it serves; each read still ends at its own deadline.
    const longest = Math.max(1, ...batch.waiters.map((w) => w.ec2.deadline.remainingMs()));
    const round = Deadline.after(longest, "a batched read");
    try {
      const found = await this.lookup(batch.ec2.withDeadline(round), [...batch.ids]);
      batch.waiters.forEach((w) => w.resolve(found));
    } catch (error) {
      batch.waiters.forEach((w) => w.reject(error));
    } finally {
      round.dispose();
      if (this.open === undefined) {
        this.onIdle();
      }
    }
  }
}

const batchers = processRegistry<ReadBatcher<unknown>>("readBatches");
const clientIds = new WeakMap<EC2Client, number>();
let clientCount = 0;

/** One number per EC2 client: reads are batched only with reads signed by the same credentials. */
function clientId(client: EC2Client): number {
  const known = clientIds.get(client);
  if (known !== undefined) {
    return known;
  }
  clientCount += 1;
  clientIds.set(client, clientCount);
  return clientCount;
}

/** The read of `ids` by `lookup` (named `kind`), sharing one call with the same kind of read of other resources of the process. */
export function batchedRead<T>(kind: string, lookup: Lookup<T>, ec2: Ec2, ids: readonly string[]): Promise<Map<string, T>> {
  const key = scopeKey(ec2.region, kind, clientId(ec2.client));
  let batcher = batchers.get(key) as ReadBatcher<T> | undefined;
  if (batcher === undefined) {
    batcher = new ReadBatcher(lookup, () => batchers.delete(key));
    batchers.set(key, batcher as ReadBatcher<unknown>);
  }
  return batcher.read(ec2, ids);
}
