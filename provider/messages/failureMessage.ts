/**
 * The one shape of every error a hook reports, so that a person reading `pulumi up` output always finds
 * the same four things in the same order:
 *
 *   Snapshot "db": <what happened, with EC2's code when EC2 answered>. <What exists now>. <What to do next>.
 *
 * The resource is named once, by the hook (runHook); the parts below it never name it themselves.
 */

/** An error that knows what happened and what to do about it, apart from what exists afterwards. */
export interface Explained {
  /** What happened, without the resource's name. */
  readonly what: string;
  /** What to do next, when the error itself knows better than the hook. */
  readonly next?: string;
}

export function isExplained(error: unknown): error is Error & Explained {
  return error instanceof Error && typeof (error as Partial<Explained>).what === "string";
}

/** An error that carries its own shape but no outcome; its message is the two parts in order. */
export class ExplainedError extends Error implements Explained {
  constructor(
    readonly what: string,
    readonly next?: string,
    options?: ErrorOptions,
  ) {
    super(next === undefined ? `${fragment(what)}.` : `${fragment(what)}. ${sentence(next)}`, options);
  }
}

/** A clause without its closing punctuation, so that exactly one full stop can follow. */
function fragment(text: string): string {
  return text.trim().replace(/[.;,]+$/, "");
}

/** Ends a fragment as a sentence: first letter up (backticks and ids left alone), one full stop. */
export function sentence(text: string): string {
  return `${capitalized(fragment(text))}.`;
}

/** The full message: the resource once, then what happened, what exists now and what to do next. */
export function failureText(label: string, what: string, outcome: string, next: string): string {
  return `${label}: ${fragment(what)}. ${sentence(outcome)} ${sentence(next)}`;
}

/** How to name one or several snapshots: "snapshot snap-1", "snapshots snap-1, snap-2". */
export function snapshotsNamed(ids: readonly string[]): string {
  return ids.length === 1 ? `snapshot ${ids[0]}` : `snapshots ${ids.join(", ")}`;
}

/** The outcomes hooks state, worded once here so that every message says them alike. */
export const OUTCOME = {
  nothingCreated: "no snapshot was created",
  /** After a deadline the provider looked, by the create's token, and found nothing: it cannot know more. */
  nothingFound: "no snapshot of this create was found (searched by its create token)",
  /** The search itself failed: the next `pulumi up` searches again, so nothing leaks. */
  couldNotLook: (why: string) => `whether EC2 made a snapshot is not known: the search for one failed (${why})`,
  recorded: (ids: readonly string[]) =>
    `${capitalized(snapshotsNamed(ids))} ${ids.length === 1 ? "was" : "were"} created and ${ids.length === 1 ? "is" : "are"} recorded in the stack`,
  /** For messages whose "what" already names the snapshots. */
  itIsRecorded: (count: number) => (count === 1 ? "it is recorded in the stack" : "they are recorded in the stack"),
  stillRecorded: (ids: readonly string[]) => `${capitalized(snapshotsNamed(ids))} ${ids.length === 1 ? "stays" : "stay"} recorded in the stack`,
  notDeleted: (ids: readonly string[]) =>
    `${capitalized(snapshotsNamed(ids))} ${ids.length === 1 ? "was" : "were"} not deleted and ${ids.length === 1 ? "stays" : "stay"} in the stack`,
  refreshUnchanged: "the stack's record was not changed",
} as const;

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** What an error says happened, without its advice. */
export function whatOf(error: unknown): string {
  return isExplained(error) ? error.what : error instanceof Error ? error.message : String(error);
}

/** The full message for an error: its own advice wins over the hook's `next`. */
export function describeFailure(label: string, error: unknown, outcome: string, next: string): string {
  return failureText(label, whatOf(error), outcome, (isExplained(error) ? error.next : undefined) ?? next);
}
