import { LOGICAL_NAME_KEY, URN_KEY } from "./bookkeepingInputs";
import type { ChangeKind, ResourceSpec } from "./spec";
import { containsUnknown } from "./unknown";

export interface DiffRule {
  kind: ChangeKind;
  /** The value an absent input stands for, so that omitting an input and giving its default are the same. */
  absent?: unknown;
  /**
   * Compare only when the new inputs give a value. `region` is stored as the region the snapshot was
   * made in; a program that leaves it to the environment must not replace the snapshot because of it.
   */
  onlyWhenGiven?: boolean;
  /** Order does not matter (a list used as a set). */
  unordered?: boolean;
}

/** The SDK's bookkeeping inputs: never a change. */
const BOOKKEEPING_RULES: Readonly<Record<string, DiffRule>> = { [LOGICAL_NAME_KEY]: { kind: "ignore" }, [URN_KEY]: { kind: "ignore" } };

/** Every input of a resource and what a change to it means, from its spec. */
export function diffRulesOf(spec: ResourceSpec): Readonly<Record<string, DiffRule>> {
  const rules = Object.entries(spec.inputs).map(([name, input]): [string, DiffRule] => {
    const absent = input.absent ?? input.default;
    return [
      name,
      {
        kind: input.change,
        ...(absent === undefined ? {} : { absent }),
        ...(input.onlyWhenGiven ? { onlyWhenGiven: true } : {}),
        ...(input.unordered ? { unordered: true } : {}),
      },
    ];
  });
  return { ...Object.fromEntries(rules), ...BOOKKEEPING_RULES };
}

/** What the engine receives from diff: `changes`, `replaces` and `deleteBeforeReplace` are all it reads. */
export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Inputs that would be changed in place; reported for tests and messages, dropped by the host. */
  updates: string[];
}

type Props = Record<string, unknown>;

/** Canonical JSON: object keys sorted, so that key order never looks like a change. */
function canonical(value: unknown, unordered: boolean): string {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, false));
    return `[${(unordered ? items.sort() : items).join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, false)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function effective(value: unknown, rule: DiffRule): unknown {
  return value === undefined || value === null ? rule.absent : value;
}

/**
 * Compares the old state (`olds` are the previous outputs, which echo the inputs) with the new inputs,
 * input by input, from one table. `__provider` is not an input and never causes a change.
 */
export function diffInputs(rules: Readonly<Record<string, DiffRule>>, olds: Props, news: Props): DiffResult {
  const replaces: string[] = [];
  const updates: string[] = [];
  for (const [name, rule] of Object.entries(rules)) {
    if (rule.kind === "ignore") {
      continue;
    }
    const next = news[name];
    if (rule.onlyWhenGiven && (next === undefined || next === null)) {
      continue;
    }
    const changed = containsUnknown(next) || canonical(effective(olds[name], rule), !!rule.unordered) !== canonical(effective(next, rule), !!rule.unordered);
    if (changed) {
      (rule.kind === "replace" ? replaces : updates).push(name);
    }
  }
  return { changes: replaces.length > 0 || updates.length > 0, replaces, deleteBeforeReplace: false, updates };
}

/**
 * The full diff of a snapshot resource: the input table, plus what the recorded state itself asks for.
 * A snapshot still pending while the program wants to wait for it is an update (resume waiting);
 * one that ended in error is replaced, deleting it first because it still counts against the volume's
 * pending-snapshot limit.
 */
export function diffResource(rules: Readonly<Record<string, DiffRule>>, olds: Props, news: Props): DiffResult {
  const result = diffInputs(rules, olds, news);
  const waitWanted = news.waitForCompletion !== false;
  if (olds.state === "error") {
    return { ...result, changes: true, replaces: [...result.replaces, "state"], deleteBeforeReplace: true };
  }
  if (olds.state === "pending" && waitWanted && !result.updates.includes("state")) {
    return { ...result, changes: true, updates: [...result.updates, "state"] };
  }
  return result;
}
