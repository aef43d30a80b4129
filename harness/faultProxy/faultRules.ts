import type { RuleHandle } from "./ruleHandle";

/** Which requests a fault applies to, and how often. */
export interface FaultMatch {
  /** One Query `Action`, several, or every request when omitted. */
  action?: string | readonly string[];
  /** Narrows the match on the decoded form parameters (e.g. one VolumeId). */
  when?: (params: Readonly<Record<string, string>>) => boolean;
  /** Only requests signed with this access key id (as an IAM policy applies to one principal). */
  accessKeyId?: string;
  /** How many matching requests the fault hits before it goes inert; default 1, Infinity for all. */
  times?: number;
}

/** Answer with EC2's error XML. */
export interface ErrorFault extends FaultMatch {
  kind: "error";
  code: string;
  /** Default: EC2's wording for well-known codes. */
  message?: string;
  /** Default: EC2's status for the code (RequestLimitExceeded 503, InternalError 500, otherwise 400). */
  status?: number;
  /**
   * Forward first and replace the answer, so EC2 acted although the client sees the error (an
   * InternalError after the snapshot was in fact created). Default false: EC2 never saw the request.
   */
  afterForward?: boolean;
}

/** Destroy the client's connection without any HTTP answer. */
export interface ResetFault extends FaultMatch {
  kind: "reset";
  /** "before-forward": EC2 never saw the request. "after-forward": EC2 acted and the answer is lost. */
  phase: "before-forward" | "after-forward";
}

/** Hold the answer back. */
export interface DelayFault extends FaultMatch {
  kind: "delay";
  ms: number;
  /**
   * true (default): forward at once and hold EC2's answer, so EC2 acts even if the client gives up.
   * false: wait first and forward only if the client is still connected, so a client that gives up
   * leaves EC2 untouched.
   */
  forwardFirst?: boolean;
}

export type FaultRule = ErrorFault | ResetFault | DelayFault;

export interface FaultHandle extends RuleHandle {
  /** How many requests this fault has hit so far. */
  readonly hits: number;
}

interface ActiveFault {
  rule: FaultRule;
  remaining: number;
  hits: number;
  removed: boolean;
}

function matchesAction(rule: FaultRule, action: string): boolean {
  if (rule.action === undefined) {
    return true;
  }
  return typeof rule.action === "string" ? rule.action === action : rule.action.includes(action);
}

/** Registered faults in registration order; the first live match takes a request. */
export class FaultRules {
  private faults: ActiveFault[] = [];

  inject(rule: FaultRule): FaultHandle {
    const times = rule.times ?? 1;
    if (!(times > 0)) {
      throw new RangeError(`fault times must be positive, got ${times}`);
    }
    if (rule.kind === "delay" && !(rule.ms >= 0)) {
      throw new RangeError(`delay ms must be non-negative, got ${rule.ms}`);
    }
    const active: ActiveFault = { rule, remaining: times, hits: 0, removed: false };
    this.faults.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        active.removed = true;
        this.faults = this.faults.filter((fault) => fault !== active);
      },
    };
  }

  /** Takes one use of the first live fault matching the request, if any. */
  take(action: string, params: Readonly<Record<string, string>>, accessKeyId?: string): FaultRule | undefined {
    for (const fault of this.faults) {
      if (fault.removed || fault.remaining <= 0 || !matchesAction(fault.rule, action)) {
        continue;
      }
      if (fault.rule.accessKeyId !== undefined && fault.rule.accessKeyId !== accessKeyId) {
        continue;
      }
      if (fault.rule.when !== undefined && !fault.rule.when(params)) {
        continue;
      }
      fault.remaining -= 1;
      fault.hits += 1;
      return fault.rule;
    }
    return undefined;
  }

  clear(): void {
    for (const fault of this.faults) {
      fault.removed = true;
    }
    this.faults = [];
  }
}

/** The label a recorded request carries for the fault that hit it. */
export function faultLabel(rule: FaultRule): string {
  switch (rule.kind) {
    case "error":
      return `error:${rule.code}`;
    case "reset":
      return `reset:${rule.phase}`;
    case "delay":
      return `delay:${rule.ms}ms`;
  }
}
