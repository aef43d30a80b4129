import { defaultErrorStatus } from "./ec2ErrorResponse";
import { Ec2Refusal } from "./ec2Refusal";
import type { RuleHandle } from "./ruleHandle";

/** Which AttachVolume requests a refusal takes: the volume itself, or any volume created from a snapshot; both must match when both are given. */
export interface AttachSelector {
  snapshotId?: string;
  volumeId?: string;
}

/** The error EC2 answers instead of attaching; default IncorrectState, 400, "vol-… is not 'available'.". */
export interface AttachFault {
  code?: string;
  message?: string;
  status?: number;
}

interface Registration {
  selector: AttachSelector;
  fault: AttachFault;
}

/**
 * AttachVolume refused before it reaches moto, for volumes picked by their source snapshot (which the
 * generic `inject()` cannot see: the request names only the volume). A refused attach is never
 * forwarded, so moto's volume stays `available`.
 */
export class AttachRefusals {
  private registrations: Registration[] = [];

  refuseAttach(selector: AttachSelector, fault: AttachFault = {}): RuleHandle {
    const registration: Registration = { selector: { ...selector }, fault: { ...fault } };
    this.registrations.push(registration);
    return { remove: () => (this.registrations = this.registrations.filter((entry) => entry !== registration)) };
  }

  /** The refusal for an AttachVolume of the volume (created from `snapshotId`, if known), or undefined. */
  refusalFor(volumeId: string, snapshotId: string | undefined): Ec2Refusal | undefined {
    const match = this.registrations.find(
      ({ selector }) => (selector.volumeId === undefined || selector.volumeId === volumeId) && (selector.snapshotId === undefined || selector.snapshotId === snapshotId),
    );
    if (match === undefined) {
      return undefined;
    }
    const code = match.fault.code ?? "IncorrectState";
    return new Ec2Refusal(code, match.fault.message ?? `${volumeId} is not 'available'.`, match.fault.status ?? defaultErrorStatus(code));
  }

  clear(): void {
    this.registrations = [];
  }
}
