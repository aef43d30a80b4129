import { randomBytes } from "node:crypto";
import { xmlElement, type XmlElement } from "../xmlTree";
import { itemSet, presentFields } from "./ec2QueryAnswer";
import type { InitializationView } from "./volumeInitialization";

/**
 * DescribeVolumeStatus, which moto 5.2.1 answers with an HTML 500 whatever the request. The proxy answers
 * it for the volumes moto holds, in EC2's shape
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVolumeStatus.html):
 * - an `available` or `in-use` volume is `ok`: io-enabled passed, io-performance not-applicable (it
 *   applies to io1/io2 only), initialization-state initializing or completed;
 * - a volume the proxy reports `creating` has no checks yet: `insufficient-data`;
 * - a volume the proxy reports `error` is `impaired` with io-enabled failed, and the failure message of
 *   `failNewVolumes` as the description of its event (EC2's Volume carries no reason for `error`, and a
 *   status event is where EC2 describes what happened to a volume);
 * - initializationStatusDetails only for volumes created from a snapshot, as EC2 documents.
 * actionsSet is empty and eventsSet too unless the volume is impaired. Filters are not applied.
 */

/** The condition of a volume, from the proxy's creation states. */
export type VolumeCondition = { kind: "ok" } | { kind: "creating" } | { kind: "error"; message: string };

/** The parts of a volume its status item shows. */
export interface StatusVolume {
  volumeId: string;
  availabilityZone?: string;
}

function detail(name: string, status: string): XmlElement[] {
  return [xmlElement("name", name), xmlElement("status", status)];
}

function element(name: string, children: XmlElement[]): XmlElement {
  return { name, attributes: [], selfClosing: children.length === 0, children };
}

/** One `volumeStatusSet` item. */
export function volumeStatusFields(volume: StatusVolume, condition: VolumeCondition, initialization: InitializationView, now: number): XmlElement[] {
  const status = condition.kind === "ok" ? "ok" : condition.kind === "creating" ? "insufficient-data" : "impaired";
  const ioEnabled = condition.kind === "ok" ? "passed" : condition.kind === "creating" ? "insufficient-data" : "failed";
  const volumeStatus = element("volumeStatus", [
    xmlElement("status", status),
    itemSet("details", [detail("io-enabled", ioEnabled), detail("io-performance", "not-applicable"), detail("initialization-state", initialization.state)]),
  ]);
  const events =
    condition.kind === "error"
      ? [
          presentFields([
            ["eventType", "potential-data-inconsistency"],
            ["description", condition.message],
            ["eventId", `evol-${randomBytes(8).toString("hex")}`],
            ["notBefore", new Date(now).toISOString()],
          ]),
        ]
      : [];
  const details = initialization.details;
  const initializationStatus =
    details === undefined
      ? []
      : [
          element(
            "initializationStatusDetails",
            presentFields([
              ["initializationType", details.initializationType],
              ["progress", details.progress],
              ["estimatedTimeToCompleteInSeconds", details.estimatedTimeToCompleteInSeconds],
            ]),
          ),
        ];
  return [
    ...presentFields([
      ["volumeId", volume.volumeId],
      ["availabilityZone", volume.availabilityZone],
    ]),
    volumeStatus,
    itemSet("actionsSet", []),
    itemSet("eventsSet", events),
    ...initializationStatus,
  ];
}
