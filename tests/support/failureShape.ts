/**
 * The one shape every hook error must have (issue 10, item 4), checked independently of the provider's
 * own formatter: the resource named once and first, a statement of what exists afterwards, and an
 * imperative last sentence saying what to do next.
 */

/** Words that state what exists after a failure: created and recorded, nothing created or found, kept, deleted. */
const OUTCOME = [
  /\b(was|were) created and (is|are) recorded in the stack\b/,
  /\bno snapshot was created\b/i,
  /\bno snapshot of this create was found\b/i,
  /\bis not known: the search for one failed\b/,
  /\b(is|are) recorded in the stack\b/,
  /\bstays? recorded in the stack\b/,
  /\bstays? in the stack\b/,
  /\bnothing of this create is left\b/,
  /\bthe stack's record was not changed\b/i,
];

/** How a next step begins. */
const NEXT = /^(Run|Raise|Check|Grant|Set|Start|Deregister|Correct|Lower|Point|Snapshot|Exclude|Use|Remove|Refresh|Look|Enable|Delete|Wait|Name)\b/;

function sentences(text: string): string[] {
  // A full stop inside a backtick span or an id never ends a sentence; ". " followed by a capital does.
  return text.split(/(?<=\.)\s+(?=[A-Z`])/);
}

/** What is wrong with `message` as the error of the resource `label` (`Snapshot "db"`); empty when nothing. */
export function failureShapeProblems(message: string, label: string): string[] {
  const problems: string[] = [];
  if (!message.startsWith(`${label}: `)) {
    problems.push(`does not start with ${label}`);
  }
  const mentions = message.split(label).length - 1;
  if (mentions !== 1) {
    problems.push(`names the resource ${mentions} times`);
  }
  if (!OUTCOME.some((pattern) => pattern.test(message))) {
    problems.push("says nothing of what exists afterwards");
  }
  const last = sentences(message).pop() ?? "";
  if (!NEXT.test(last)) {
    problems.push(`does not end with a next step (last sentence: "${last}")`);
  }
  if (!message.endsWith(".")) {
    problems.push("does not end with a full stop");
  }
  if (/\.\.|\.;|;\./.test(message.replace(/`[^`]*`/g, ""))) {
    problems.push("has doubled punctuation");
  }
  return problems;
}

/** The label the provider gives a resource of this URN: its type's last segment and its name. */
export function labelOfUrn(urn: string): string {
  const parts = urn.split("::");
  const type = (parts[parts.length - 2] ?? "").split(":").pop() ?? "";
  return `${type} "${parts[parts.length - 1] ?? ""}"`;
}
