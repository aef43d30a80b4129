import { snapshotNotFoundMessage } from "./ec2ErrorResponse";

/**
 * An EC2 error answer that an action the proxy supplies gives instead of acting. The rules throw it
 * and the proxy turns it into EC2's error XML, so each rule reads as "refuse with this code".
 */
export class Ec2Refusal extends Error {
  override readonly name = "Ec2Refusal";

  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function snapshotNotFound(snapshotId: string): Ec2Refusal {
  return new Ec2Refusal("InvalidSnapshot.NotFound", snapshotNotFoundMessage(snapshotId));
}

/** EC2's answer to a valid request that carries DryRun=true: HTTP 412, the action not taken. */
export function dryRunSucceeded(): Ec2Refusal {
  return new Ec2Refusal("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
}
