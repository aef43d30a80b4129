import { Deadline } from "./deadline";
import { Ec2 } from "./ec2";
import { readSettings, type Settings } from "./settings";

export interface HookContext {
  ec2: Ec2;
  settings: Settings;
  deadline: Deadline;
}

/**
 * Runs one hook's work with its settings, its own deadline and an EC2 connection in the right region;
 * the deadline is released however the work ends.
 */
export async function runHook<T>(operation: string, timeoutMs: number, region: string | undefined, work: (context: HookContext) => Promise<T>): Promise<T> {
  const settings = readSettings();
  const deadline = Deadline.after(timeoutMs, operation);
  try {
    const ec2 = await Ec2.connect(settings, deadline, region);
    return await work({ ec2, settings, deadline });
  } finally {
    deadline.dispose();
  }
}
