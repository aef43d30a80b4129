import { AssertionError } from "node:assert";
import type { Step } from "../../harness/deployment";
import type { FaultHandle, FaultRule } from "../../harness/faultProxy";
import type { ProviderHost } from "../../harness/providerHost";

/** How long DescribeSnapshots answers are held while a kill is pending. */
export const KILL_WINDOW_MS = 250;

/**
 * Runs `work` (an up or a refresh) and SIGKILLs the host (the dynamic-provider host or the plugin) as
 * soon as it writes a stderr line matching `line` (a progress line: the provider is in the middle of a
 * wait). Returns the steps as the engine saw them: the calls in flight fail with UNAVAILABLE. Until the
 * kill, DescribeSnapshots answers are held KILL_WINDOW_MS (a slow-answer fault of the proxy, injected
 * through `inject` so that a caller can count it), so the wait cannot finish between the line and the
 * kill however loaded the machine is. `onKill` runs once the host is dead.
 */
export async function killWhen(host: ProviderHost, inject: (rule: FaultRule) => FaultHandle, line: RegExp, work: () => Promise<Step[]>, onKill?: () => void): Promise<Step[]> {
  const slowPolls = inject({ kind: "delay", action: "DescribeSnapshots", ms: KILL_WINDOW_MS, times: Number.POSITIVE_INFINITY });
  try {
    const running = work();
    const finishedFirst = Symbol("finished");
    const first = await Promise.race([host.waitForLine("stderr", line, 30_000), running.then(() => finishedFirst)]);
    if (first === finishedFirst) {
      throw new AssertionError({ message: `the steps finished before the host wrote a line matching ${String(line)}; nothing was interrupted` });
    }
    await host.kill();
    onKill?.();
    return await running;
  } finally {
    slowPolls.remove();
  }
}
