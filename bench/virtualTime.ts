/**
 * A virtual clock for one worker process: a discrete-event simulation in which the code under test
 * (the AWS SDK, its waiter, the provider) runs unmodified, but `setTimeout`, `setInterval` and `Date`
 * are faked (sinon's fake timers), and simulated time advances only when the process is idle — every
 * HTTP request on the wire is being held by the simulated EC2 (its modelled latency), no real I/O is
 * pending, and the event loop has gone quiet. Then the clock jumps to the next timer and fires it.
 *
 * So CPU time costs no simulated time: a burst of 500 requests is issued as fast as the code intends
 * (bounded by the SDK's socket pool and the modelled latency), however slow this machine is. With a
 * scaled real clock (SimClock) each real millisecond of CPU becomes S simulated ms, which on a 2-core
 * machine at S=200 caps the client at a few requests per simulated second, below EC2's refill rates.
 */
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import * as sinon from "sinon";

/** Active resources that are long-lived handles, not pending work. */
const IDLE_RESOURCES = new Set([
  "TCPSocketWrap",
  "TCPServerWrap",
  "Timeout",
  "Immediate",
  "TTYWrap",
  "PipeWrap",
  "ProcessWrap",
  "SignalWrap",
  "FSEventWrap",
  "StatWatcher",
  "MessagePort",
  "UDPWrap",
]);
/** Consecutive quiet event-loop turns before the process counts as idle. */
const QUIET_TURNS = 3;

export class VirtualTime {
  private readonly clock: sinon.SinonFakeTimers;
  private readonly realSetImmediate = setImmediate;
  private onWire = 0;
  /** Fired timers, for the report. */
  steps = 0;

  /**
   * Installs the fake timers; call before the code under test runs. `held` reports how many requests
   * the simulated EC2 is holding on a (fake) timer right now.
   */
  constructor(
    startAt: number,
    private readonly held: () => number,
  ) {
    subscribe("http.client.request.start", (message) => {
      const request = (message as { request: ClientRequest }).request;
      this.onWire += 1;
      request.once("close", () => {
        this.onWire -= 1;
      });
    });
    this.clock = sinon.useFakeTimers({ now: startAt, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"], shouldClearNativeTimers: true });
  }

  now(): number {
    return this.clock.now;
  }

  private busy(): boolean {
    if (this.onWire !== this.held()) {
      return true;
    }
    return process.getActiveResourcesInfo().some((resource) => !IDLE_RESOURCES.has(resource));
  }

  private async quiet(): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < QUIET_TURNS) {
      await new Promise<void>((resolve) => this.realSetImmediate(resolve));
      quietTurns = this.busy() ? 0 : quietTurns + 1;
    }
  }

  /** Runs `work` to its end, advancing simulated time whenever the process is idle. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const result = work().finally(() => {
      settled = true;
    });
    result.catch(() => undefined);
    while (!settled) {
      await this.quiet();
      if (settled) {
        break;
      }
      if (this.clock.countTimers() === 0) {
        throw new Error("virtual time: the work is waiting, but on no timer and no I/O (deadlock)");
      }
      this.clock.next();
      this.steps += 1;
    }
    return result;
  }

  uninstall(): void {
    this.clock.restore();
  }
}
