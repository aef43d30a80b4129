import { Deadline } from "./deadline";
import { Ec2 } from "./ec2";
import { CleanedUpError, PartialStateError } from "./partialState";
import { readSettings, type Settings } from "./settings";

export interface HookContext {
  ec2: Ec2;
  settings: Settings;
  deadline: Deadline;
}

/** Makes an error's message start with the resource it is about, unless it already names it. */
function labelled(label: string, error: unknown): unknown {
  if (!(error instanceof Error) || error.message.includes(label)) {
    return error;
  }
  const message = `${label}: ${error.message}`;
  if (error instanceof PartialStateError) {
    return new PartialStateError(error.id, error.properties, message);
  }
  if (error instanceof CleanedUpError) {
    return new CleanedUpError(message, { cause: error });
  }
  return new Error(message, { cause: error });
}

/**
 * Runs one hook's work with its settings, its own deadline and an EC2 connection in the right region;
 * the deadline is released however the work ends, and every error names the resource (`label`).
 */
export async function runHook<T>(
  label: string,
  operation: string,
  timeoutMs: number,
  region: string | undefined,
  work: (context: HookContext) => Promise<T>,
): Promise<T> {
  const settings = readSettings();
  const deadline = Deadline.after(timeoutMs, operation);
  try {
    const ec2 = await Ec2.connect(settings, deadline, region, label);
    return await work({ ec2, settings, deadline });
  } catch (error) {
    throw labelled(label, error);
  } finally {
    deadline.dispose();
  }
}
