/** An error answer of the simulated EC2: its code (what the SDK puts in `err.name`), message and HTTP status. */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
