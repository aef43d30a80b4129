import { isUnknown } from "./unknown";

/**
 * One changed property as a reviewer reads it in `pulumi preview --diff`: its path (`volumeId`,
 * `tags.Team`, `tags["cost center"]`, `lock.duration`), whether it appears, disappears or changes, and
 * whether it forces a replacement. The lifecycle's diff decides which properties changed; this only
 * says how each one did, one level into maps and objects so that a tag change names the tag.
 */
export interface PropertyChange {
  path: string;
  kind: "add" | "delete" | "update";
  replace: boolean;
}

type Props = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The property path of a key inside `name`, in the form Pulumi's property paths use. */
export function childPath(name: string, key: string): string {
  return IDENTIFIER.test(key) ? `${name}.${key}` : `${name}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Props {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function kindOf(old: unknown, next: unknown): PropertyChange["kind"] {
  return absent(old) ? "add" : absent(next) ? "delete" : "update";
}

/** How one named property changed, per key where both sides are objects and the new one is known. */
function changesOf(name: string, old: unknown, next: unknown, replace: boolean): PropertyChange[] {
  if (isPlainObject(old) && isPlainObject(next)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
    const changed = keys
      .filter((key) => isUnknown(next[key]) || !same(old[key], next[key]))
      .map((key) => ({ path: childPath(name, key), kind: kindOf(old[key], next[key]), replace }));
    if (changed.length > 0) {
      return changed;
    }
  }
  return [{ path: name, kind: kindOf(old, next), replace }];
}

/**
 * The changed properties of a diff: `replaces` force a replacement, `updates` are made in place. Olds
 * are the recorded outputs (which echo the inputs), news the program's inputs.
 */
export function propertyChanges(olds: Props, news: Props, replaces: readonly string[], updates: readonly string[]): PropertyChange[] {
  const names = [...new Set([...replaces, ...updates])];
  return names.flatMap((name) => changesOf(name, olds[name], news[name], replaces.includes(name)));
}
