import type { RuleHandle } from "./ruleHandle";

/** Restricts a rule to snapshots of the given volumes; every new snapshot when omitted. */
export interface SnapshotSelector {
  volumeIds?: readonly string[];
}

export type LifecycleEnd = { state: "completed" } | { state: "error"; message: string };

/**
 * New snapshots answer `pending` in their CreateSnapshot(s) answer with Progress "0%", then `pending`
 * in the next `pendingDescribes` DescribeSnapshots answers that include them, with Progress
 * floor(k * 100 / (pendingDescribes + 1))% in the k-th (so 3 gives 25%, 50%, 75%), then `end`.
 */
export interface ProgressPlan extends SnapshotSelector {
  pendingDescribes: number;
  /** Default: the real state, which on moto is `completed` / "100%". */
  end?: LifecycleEnd;
}

/** New snapshots are missing from the first `lookups` DescribeSnapshots calls that would show or name them. */
export interface VisibilityDelay extends SnapshotSelector {
  lookups: number;
}

export interface SnapshotHold {
  /** Lets the held snapshots move on (their progress plan resumes where it stood). Idempotent. */
  release(): void;
  /** The snapshots this hold keeps pending, so far. */
  readonly snapshotIds: readonly string[];
}

/** What the proxy makes a snapshot report; `progress` undefined keeps the upstream value. */
export interface SnapshotView {
  state: "pending" | "completed" | "error";
  progress?: string;
  statusMessage?: string;
}

interface Tracked {
  volumeId?: string;
  plan?: { pendingDescribes: number; end: LifecycleEnd };
  /** DescribeSnapshots answers that included this snapshot and advanced its plan. */
  describesSeen: number;
  hiddenLookupsLeft: number;
  holds: number;
  forcedError?: string;
  completedAt?: string;
}

interface Capture<T> {
  selector: SnapshotSelector;
  value: T;
}

function selects(selector: SnapshotSelector, volumeId: string | undefined): boolean {
  return selector.volumeIds === undefined || (volumeId !== undefined && selector.volumeIds.includes(volumeId));
}

function percent(value: number): string {
  return `${value}%`;
}

/**
 * The snapshot states the proxy reports instead of moto's instant `completed`. Precedence, highest
 * first: invisible, forced error, held, progress plan, upstream.
 */
export class SnapshotLifecycle {
  private readonly tracked = new Map<string, Tracked>();
  private plans: Array<Capture<ProgressPlan>> = [];
  private hides: Array<Capture<VisibilityDelay>> = [];
  private holdCaptures: Array<Capture<string[]>> = [];

  progressNewSnapshots(plan: ProgressPlan): RuleHandle {
    if (!Number.isInteger(plan.pendingDescribes) || plan.pendingDescribes < 0) {
      throw new RangeError(`pendingDescribes must be a non-negative integer, got ${plan.pendingDescribes}`);
    }
    const capture: Capture<ProgressPlan> = { selector: plan, value: plan };
    this.plans.push(capture);
    return { remove: () => (this.plans = this.plans.filter((entry) => entry !== capture)) };
  }

  hideNewSnapshots(delay: VisibilityDelay): RuleHandle {
    if (!Number.isInteger(delay.lookups) || delay.lookups < 1) {
      throw new RangeError(`lookups must be a positive integer, got ${delay.lookups}`);
    }
    const capture: Capture<VisibilityDelay> = { selector: delay, value: delay };
    this.hides.push(capture);
    return { remove: () => (this.hides = this.hides.filter((entry) => entry !== capture)) };
  }

  holdNewSnapshots(selector: SnapshotSelector = {}): SnapshotHold {
    const captured: string[] = [];
    const capture: Capture<string[]> = { selector, value: captured };
    this.holdCaptures.push(capture);
    let released = false;
    return {
      snapshotIds: captured,
      release: () => {
        if (released) {
          return;
        }
        released = true;
        this.holdCaptures = this.holdCaptures.filter((entry) => entry !== capture);
        for (const snapshotId of captured) {
          this.releaseOne(snapshotId);
        }
      },
    };
  }

  holdPending(snapshotId: string): SnapshotHold {
    this.track(snapshotId).holds += 1;
    let released = false;
    return {
      snapshotIds: [snapshotId],
      release: () => {
        if (!released) {
          released = true;
          this.releaseOne(snapshotId);
        }
      },
    };
  }

  forceError(snapshotId: string, message: string): RuleHandle {
    const tracked = this.track(snapshotId);
    tracked.forcedError = message;
    return {
      remove: () => {
        if (tracked.forcedError === message) {
          delete tracked.forcedError;
        }
      },
    };
  }

  volumeOf(snapshotId: string): string | undefined {
    return this.tracked.get(snapshotId)?.volumeId;
  }

  /** Records a snapshot seen in any answer; `created` attaches the rules registered for new snapshots. */
  learn(snapshotId: string, volumeId: string | undefined, created: boolean): void {
    const tracked = this.track(snapshotId);
    if (volumeId !== undefined) {
      tracked.volumeId = volumeId;
    }
    if (!created) {
      return;
    }
    const plan = [...this.plans].reverse().find((entry) => selects(entry.selector, volumeId));
    if (plan !== undefined) {
      tracked.plan = { pendingDescribes: plan.value.pendingDescribes, end: plan.value.end ?? { state: "completed" } };
    }
    const hide = [...this.hides].reverse().find((entry) => selects(entry.selector, volumeId));
    if (hide !== undefined) {
      tracked.hiddenLookupsLeft = hide.value.lookups;
    }
    for (const hold of this.holdCaptures) {
      if (selects(hold.selector, volumeId)) {
        hold.value.push(snapshotId);
        tracked.holds += 1;
      }
    }
  }

  /** The view for a CreateSnapshot(s) answer; creating is never a lookup. */
  createdView(snapshotId: string): SnapshotView | undefined {
    const tracked = this.tracked.get(snapshotId);
    if (tracked === undefined || (tracked.plan === undefined && tracked.holds === 0)) {
      return undefined;
    }
    return { state: "pending", progress: percent(0) };
  }

  /** Takes one invisible lookup if the snapshot still has any; true means "answer as if absent". */
  takeHiddenLookup(snapshotId: string): boolean {
    const tracked = this.tracked.get(snapshotId);
    if (tracked === undefined || tracked.hiddenLookupsLeft <= 0) {
      return false;
    }
    tracked.hiddenLookupsLeft -= 1;
    return true;
  }

  /** The view for one DescribeSnapshots answer that includes the snapshot; advances its plan. */
  describedView(snapshotId: string): SnapshotView | undefined {
    const tracked = this.tracked.get(snapshotId);
    if (tracked === undefined) {
      return undefined;
    }
    if (tracked.forcedError !== undefined) {
      return { state: "error", statusMessage: tracked.forcedError, ...this.currentProgress(tracked) };
    }
    if (tracked.holds > 0) {
      return { state: "pending", progress: this.currentProgress(tracked).progress ?? percent(0) };
    }
    if (tracked.plan === undefined) {
      return undefined;
    }
    const { pendingDescribes, end } = tracked.plan;
    if (tracked.describesSeen < pendingDescribes) {
      tracked.describesSeen += 1;
      return { state: "pending", progress: percent(Math.floor((tracked.describesSeen * 100) / (pendingDescribes + 1))) };
    }
    if (end.state === "error") {
      return { state: "error", statusMessage: end.message, progress: this.currentProgress(tracked).progress ?? percent(0) };
    }
    return undefined;
  }

  /** The CompletionTime to report: fixed the first time the proxy answers the snapshot `completed`. */
  completionTime(snapshotId: string, answeredState: string | undefined): string | undefined {
    const tracked = this.track(snapshotId);
    if (answeredState === "completed" && tracked.completedAt === undefined) {
      tracked.completedAt = new Date().toISOString();
    }
    return answeredState === "completed" ? tracked.completedAt : undefined;
  }

  clear(): void {
    this.tracked.clear();
    this.plans = [];
    this.hides = [];
    this.holdCaptures = [];
  }

  private currentProgress(tracked: Tracked): { progress?: string } {
    if (tracked.plan === undefined) {
      return {};
    }
    return { progress: percent(Math.floor((tracked.describesSeen * 100) / (tracked.plan.pendingDescribes + 1))) };
  }

  private releaseOne(snapshotId: string): void {
    const tracked = this.tracked.get(snapshotId);
    // clear() may have forgotten the snapshot since it was held.
    if (tracked !== undefined && tracked.holds > 0) {
      tracked.holds -= 1;
    }
  }

  private track(snapshotId: string): Tracked {
    let tracked = this.tracked.get(snapshotId);
    if (tracked === undefined) {
      tracked = { describesSeen: 0, hiddenLookupsLeft: 0, holds: 0 };
      this.tracked.set(snapshotId, tracked);
    }
    return tracked;
  }
}
