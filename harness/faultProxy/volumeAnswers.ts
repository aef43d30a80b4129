import { childElement, childElements, childText, setChildText, type XmlDocument, type XmlElement } from "../xmlTree";
import { listParam } from "./ec2QueryParams";
import type { FastSnapshotRestores } from "./fastSnapshotRestores";
import type { MotoVolume } from "./motoVolumes";
import type { AttachmentTransitions } from "./volumeAttachments";
import type { VolumeClientTokens } from "./volumeClientTokens";
import { initializationRateParam, type VolumeInitialization } from "./volumeInitialization";
import type { VolumeLifecycle } from "./volumeLifecycle";

/** The proxy's volume model that moto's volume answers are rewritten from. */
export interface VolumeModel {
  lifecycle: VolumeLifecycle;
  attachments: AttachmentTransitions;
  initialization: VolumeInitialization;
  fastRestores: FastSnapshotRestores;
  tokens: VolumeClientTokens;
}

/** The relayed volume actions whose successful answers the proxy reads (and, for two of them, rewrites). */
export const VOLUME_ACTIONS: ReadonlySet<string> = new Set(["CreateVolume", "DescribeVolumes", "AttachVolume", "DetachVolume", "DeleteVolume"]);

type Params = Readonly<Record<string, string>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** The fields moto lacks, on a Volume element (a CreateVolume root or a DescribeVolumes item). */
function addSuppliedFields(volume: XmlElement, volumeId: string, model: VolumeModel, described: boolean): void {
  const rate = model.initialization.rateOf(volumeId);
  if (rate !== undefined) {
    setChildText(volume, "volumeInitializationRate", String(rate));
  }
  // EC2 documents fastRestored as "not returned by CreateVolume"; moto never sends it.
  if (described && model.initialization.fastRestored(volumeId)) {
    setChildText(volume, "fastRestored", "true");
  }
}

/**
 * CreateVolume: learns the new volume (its snapshot, its token, its initialization rate, whether its
 * snapshot had fast snapshot restore enabled in its zone) and reports it `creating` under a rule.
 */
export function rewriteCreateVolume(document: XmlDocument, params: Params, model: VolumeModel): void {
  const root = document.root;
  const volumeId = childText(root, "volumeId");
  if (volumeId === undefined) {
    return;
  }
  const snapshotId = nonEmpty(params["SnapshotId"]);
  const rate = initializationRateParam(params);
  model.tokens.learn(params, volumeId);
  model.lifecycle.learnCreated(volumeId, snapshotId);
  model.initialization.learn(volumeId, {
    ...(snapshotId !== undefined ? { snapshotId } : {}),
    ...(rate !== undefined ? { rate } : {}),
    fastRestoreEnabled: snapshotId !== undefined && model.fastRestores.enabledFor(snapshotId, childText(root, "availabilityZone")),
  });
  const state = model.lifecycle.createdState(volumeId);
  if (state !== undefined) {
    setChildText(root, "status", state);
  }
  addSuppliedFields(root, volumeId, model, false);
}

/** The request's `Filter.N` values for one filter name (several filters of one name are ANDed, as on EC2). */
function filterValues(params: Params, name: string): string[][] {
  return Object.entries(params)
    .flatMap(([key, value]) => {
      const match = /^Filter\.(\d+)\.Name$/.exec(key);
      return match !== null && value === name ? [listParam(params, `Filter.${match[1]}.Value`)] : [];
    })
    .filter((values) => values.length > 0);
}

/**
 * DescribeVolumes: applies the creation states, then the attachment transitions, then the fields moto
 * lacks. moto filtered on its own states, so an item whose state the proxy changed is dropped when it no
 * longer passes a `status` or `attachment.status` filter (one the proxy's state would pass but moto's
 * did not cannot be brought back: filter on volume ids instead).
 */
export function rewriteDescribeVolumes(document: XmlDocument, params: Params, model: VolumeModel): void {
  const set = childElement(document.root, "volumeSet");
  if (set === undefined) {
    return;
  }
  const statusFilters = filterValues(params, "status");
  const attachmentFilters = filterValues(params, "attachment.status");
  set.children = set.children.filter((child) => {
    if (typeof child === "string" || child.name !== "item") {
      return true;
    }
    const volumeId = childText(child, "volumeId");
    if (volumeId === undefined) {
      return true;
    }
    const state = model.lifecycle.describedState(volumeId);
    if (state !== undefined) {
      setChildText(child, "status", state);
    } else {
      model.attachments.describe(volumeId, child);
    }
    addSuppliedFields(child, volumeId, model, true);
    const status = childText(child, "status");
    const attachmentSet = childElement(child, "attachmentSet");
    const attachmentStates = (attachmentSet === undefined ? [] : childElements(attachmentSet, "item")).map((attachment) => childText(attachment, "status"));
    return (
      statusFilters.every((values) => status !== undefined && values.includes(status)) &&
      attachmentFilters.every((values) => attachmentStates.some((attachmentState) => attachmentState !== undefined && values.includes(attachmentState)))
    );
  });
  if (childElements(set).length === 0) {
    set.children = [];
    set.selfClosing = true;
  }
}

/** AttachVolume / DetachVolume / DeleteVolume that moto accepted. */
export function learnVolumeAction(action: string, document: XmlDocument, params: Params, model: VolumeModel): void {
  const volumeId = childText(document.root, "volumeId") ?? params["VolumeId"];
  if (volumeId === undefined) {
    return;
  }
  if (action === "AttachVolume") {
    model.attachments.attached(volumeId);
  } else if (action === "DetachVolume") {
    model.attachments.detached(volumeId, document.root);
  } else if (action === "DeleteVolume") {
    model.lifecycle.deleted(volumeId);
    model.attachments.forget(volumeId);
  }
}

/**
 * The answer to a CreateVolume retried with a known ClientToken: the volume as it is now, in
 * CreateVolume's shape (moto's Volume item without attachmentSet and fastRestored, which EC2 documents
 * as not returned by CreateVolume), in the state the proxy reports now without counting a describe.
 */
export function replayedCreateVolumeFields(volume: MotoVolume, model: VolumeModel): XmlElement[] {
  const answer: XmlElement = {
    name: "replay",
    attributes: [],
    selfClosing: false,
    children: childElements(volume.item).filter((field) => field.name !== "attachmentSet" && field.name !== "fastRestored"),
  };
  const state = model.lifecycle.currentState(volume.volumeId) ?? (model.attachments.detachingFrom(volume.volumeId) !== undefined ? "in-use" : undefined);
  if (state !== undefined) {
    setChildText(answer, "status", state);
  }
  addSuppliedFields(answer, volume.volumeId, model, false);
  return childElements(answer);
}
