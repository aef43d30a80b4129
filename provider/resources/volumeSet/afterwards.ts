import type { Ec2 } from "../../ec2/ec2";
import { Deadline } from "../../lifecycle/deadline";

/**
 * Time, past a hook's deadline, for the work that must happen however the hook ends: disabling fast
 * snapshot restore (billed while enabled), deleting the volumes of a failed restore.
 */
export const AFTERWARDS_MS = 5 * 60_000;

/** Runs `work` on the same connection with a deadline of its own, so that cleanup still runs after the hook's has passed. */
export async function afterwards<T>(ec2: Ec2, operation: string, work: (ec2: Ec2) => Promise<T>): Promise<T> {
  const deadline = Deadline.after(AFTERWARDS_MS, operation);
  try {
    return await work(ec2.withDeadline(deadline));
  } finally {
    deadline.dispose();
  }
}
