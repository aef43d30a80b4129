import { randomUUID } from "node:crypto";
import { serializeXml, xmlElement, type XmlElement } from "../xmlTree";

// EC2's own HTTP statuses for the codes whose status is not 400.
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  RequestLimitExceeded: 503,
  InternalError: 500,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  Unavailable: 503,
  UnauthorizedOperation: 403,
};

// EC2's wording, so tests that surface messages read like the real thing.
const MESSAGE_BY_CODE: Readonly<Record<string, string>> = {
  RequestLimitExceeded: "Request limit exceeded.",
  InternalError: "An internal error has occurred",
  ConcurrentSnapshotLimitExceeded: "Maximum number of active snapshots has been reached for volume.",
  PendingSnapshotLimitExceeded: "Maximum number of pending snapshots has been reached.",
  SnapshotCreationPerVolumeRateExceeded: "The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.",
  IncorrectState: "The volume is in an incorrect state for this operation.",
  UnauthorizedOperation: "You are not authorized to perform this operation.",
};

export function defaultErrorStatus(code: string): number {
  return STATUS_BY_CODE[code] ?? 400;
}

export function defaultErrorMessage(code: string): string {
  return MESSAGE_BY_CODE[code] ?? `${code} (injected by the fault proxy)`;
}

/** The body EC2 sends with every Query-protocol error. */
export function ec2ErrorBody(code: string, message: string): string {
  const error: XmlElement = { name: "Error", attributes: [], selfClosing: false, children: [xmlElement("Code", code), xmlElement("Message", message)] };
  const errors: XmlElement = { name: "Errors", attributes: [], selfClosing: false, children: [error] };
  const root: XmlElement = {
    name: "Response",
    // EC2 puts no namespace on error answers (moto does; the SDK accepts both).
    attributes: [],
    selfClosing: false,
    children: [errors, xmlElement("RequestID", randomUUID())],
  };
  return serializeXml({ prolog: '<?xml version="1.0" encoding="UTF-8"?>\n', root, epilog: "" });
}

export function snapshotNotFoundMessage(snapshotId: string): string {
  return `The snapshot '${snapshotId}' does not exist.`;
}
