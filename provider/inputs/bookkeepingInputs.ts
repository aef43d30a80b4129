/**
 * The inputs the SDK adds to every resource besides the user's (scripts/generate/sdkClass.ts writes them):
 * validation lets them through and diff never counts them as a change.
 */

/** The resource's name in the program, so that messages can name it. */
export const LOGICAL_NAME_KEY = "__logicalName";
/** The resource's URN, so that an interrupted create can be resumed. */
export const URN_KEY = "__urn";
