import { Ec2Refusal } from "./ec2Refusal";

type Params = Readonly<Record<string, string>>;

interface Issued {
  volumeId: string;
  /** The request's other parameters, to tell a retry from a different request reusing the token. */
  fingerprint: string;
}

function fingerprintOf(params: Params): string {
  return JSON.stringify(
    Object.entries(params)
      .filter(([key]) => key !== "ClientToken")
      .sort(([left], [right]) => left.localeCompare(right)),
  );
}

/**
 * CreateVolume's idempotency (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html):
 * a retry with the same ClientToken returns the volume the first request created instead of a second
 * one, and the same token with other parameters is refused (IdempotentParameterMismatch). moto ignores
 * the token and creates a volume per request, so a lost answer retried would leave two.
 *
 * Tokens are learned from CreateVolume answers moto gave successfully (even those the client never
 * received, e.g. under a reset after forwarding). The SDK fills in a token when the caller gives none.
 */
export class VolumeClientTokens {
  private readonly issued = new Map<string, Issued>();

  /** The volume an earlier request with the request's token created, or undefined for a new token; refuses a mismatched reuse. */
  earlierVolume(params: Params): string | undefined {
    const token = params["ClientToken"];
    const issued = token === undefined ? undefined : this.issued.get(token);
    if (issued === undefined) {
      return undefined;
    }
    if (issued.fingerprint !== fingerprintOf(params)) {
      throw new Ec2Refusal("IdempotentParameterMismatch", `The client token '${token}' was used with different parameters by an earlier request.`);
    }
    return issued.volumeId;
  }

  learn(params: Params, volumeId: string): void {
    const token = params["ClientToken"];
    if (token !== undefined && token !== "") {
      this.issued.set(token, { volumeId, fingerprint: fingerprintOf(params) });
    }
  }

  clear(): void {
    this.issued.clear();
  }
}
