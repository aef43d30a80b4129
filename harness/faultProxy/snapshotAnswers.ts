import { childElement, childElements, childText, removeChildren, setChild, setChildText, xmlElement, type XmlDocument, type XmlElement } from "../xmlTree";
import type { SnapshotEnrichment, VolumeEnrichments } from "./snapshotEnrichment";
import type { SnapshotLifecycle, SnapshotView } from "./snapshotLifecycle";

/** The proxy's snapshot model that the answers are rewritten from. */
export interface SnapshotModel {
  lifecycle: SnapshotLifecycle;
  enrichments: VolumeEnrichments;
}

/** The actions whose successful answers the proxy reads and rewrites. */
export const SNAPSHOT_ACTIONS: ReadonlySet<string> = new Set(["CreateSnapshot", "CreateSnapshots", "CopySnapshot", "DescribeSnapshots", "DescribeSnapshotAttribute"]);

/** EC2's wire names: a full Snapshot says `status`/`statusMessage`, a CreateSnapshots SnapshotInfo says `state`. */
type SnapshotShape = "Snapshot" | "SnapshotInfo";

function applyView(item: XmlElement, shape: SnapshotShape, view: SnapshotView): void {
  setChildText(item, shape === "Snapshot" ? "status" : "state", view.state);
  if (view.progress !== undefined) {
    setChildText(item, "progress", view.progress);
  }
  if (shape === "Snapshot") {
    if (view.statusMessage !== undefined) {
      setChildText(item, "statusMessage", view.statusMessage);
    } else {
      removeChildren(item, "statusMessage");
    }
  }
}

function applyEnrichment(item: XmlElement, enrichment: SnapshotEnrichment, completionTime: string | undefined): void {
  const fields: Array<[string, string | undefined]> = [
    ["kmsKeyId", enrichment.kmsKeyId],
    ["dataEncryptionKeyId", enrichment.dataEncryptionKeyId],
    ["ownerAlias", enrichment.ownerAlias],
    ["storageTier", enrichment.storageTier],
    ["completionTime", enrichment.completionTime === true ? completionTime : undefined],
  ];
  for (const [name, value] of fields) {
    if (value !== undefined) {
      setChildText(item, name, value);
    }
  }
}

/** Brings one full Snapshot element in line with the model; `view` undefined keeps moto's state. */
function rewriteSnapshot(item: XmlElement, model: SnapshotModel, view: SnapshotView | undefined): void {
  const snapshotId = childText(item, "snapshotId");
  if (snapshotId === undefined) {
    return;
  }
  if (view !== undefined) {
    applyView(item, "Snapshot", view);
  }
  const enrichment = model.enrichments.forVolume(model.lifecycle.volumeOf(snapshotId));
  const completionTime = model.lifecycle.completionTime(snapshotId, childText(item, "status"));
  if (enrichment !== undefined) {
    applyEnrichment(item, enrichment, completionTime);
  }
}

/** CreateSnapshot: the root element is the Snapshot itself. */
export function rewriteCreateSnapshot(document: XmlDocument, model: SnapshotModel): void {
  const snapshotId = childText(document.root, "snapshotId");
  if (snapshotId === undefined) {
    return;
  }
  model.lifecycle.learn(snapshotId, childText(document.root, "volumeId"), true);
  rewriteSnapshot(document.root, model, model.lifecycle.createdView(snapshotId));
}

/**
 * CopySnapshot: EC2 answers with the new id alone. The copy is learned as a new snapshot, so progress
 * plans without a volume selector apply to it (its volume is learned from the first DescribeSnapshots).
 */
export function learnCopySnapshot(document: XmlDocument, model: SnapshotModel): void {
  const snapshotId = childText(document.root, "snapshotId");
  if (snapshotId !== undefined) {
    model.lifecycle.learn(snapshotId, undefined, true);
  }
}

/** CreateSnapshots: SnapshotInfo items, to which moto adds no `state`; EC2 always sends one. */
export function rewriteCreateSnapshots(document: XmlDocument, model: SnapshotModel): void {
  const set = childElement(document.root, "snapshotSet");
  for (const item of set === undefined ? [] : childElements(set, "item")) {
    const snapshotId = childText(item, "snapshotId");
    if (snapshotId === undefined) {
      continue;
    }
    model.lifecycle.learn(snapshotId, childText(item, "volumeId"), true);
    const view = model.lifecycle.createdView(snapshotId);
    if (view !== undefined) {
      applyView(item, "SnapshotInfo", view);
    } else if (childText(item, "state") === undefined) {
      // Agrees with the "100%" moto puts in the same item and with what DescribeSnapshots will say.
      setChildText(item, "state", "completed");
    }
  }
}

/** DescribeSnapshots: drops invisible snapshots, then applies lifecycle and enrichment to the rest. */
export function rewriteDescribeSnapshots(document: XmlDocument, model: SnapshotModel): void {
  const set = childElement(document.root, "snapshotSet");
  if (set === undefined) {
    return;
  }
  set.children = set.children.filter((child) => {
    if (typeof child === "string" || child.name !== "item") {
      return true;
    }
    const snapshotId = childText(child, "snapshotId");
    if (snapshotId === undefined) {
      return true;
    }
    model.lifecycle.learn(snapshotId, childText(child, "volumeId"), false);
    if (model.lifecycle.takeHiddenLookup(snapshotId)) {
      return false;
    }
    rewriteSnapshot(child, model, model.lifecycle.describedView(snapshotId));
    return true;
  });
  if (childElements(set).length === 0) {
    set.children = [];
    set.selfClosing = true;
  }
}

/**
 * DescribeSnapshots with `RestorableBy.N` = `all` lists only public snapshots (EC2's documented
 * filter); moto ignores the parameter and lists every snapshot, so the proxy keeps the public ones.
 */
export async function keepRestorableByAll(document: XmlDocument, params: Readonly<Record<string, string>>, isPublic: (snapshotId: string) => Promise<boolean>): Promise<void> {
  const asked = Object.entries(params)
    .filter(([key]) => /^RestorableBy\.\d+$/.test(key))
    .map(([, value]) => value);
  const set = childElement(document.root, "snapshotSet");
  if (!asked.includes("all") || set === undefined) {
    return;
  }
  const items = childElements(set, "item");
  const verdicts = await Promise.all(items.map((item) => isPublic(childText(item, "snapshotId") ?? "")));
  const kept = new Set(items.filter((_, i) => verdicts[i]));
  set.children = set.children.filter((child) => typeof child === "string" || child.name !== "item" || kept.has(child));
  if (kept.size === 0) {
    set.children = [];
    set.selfClosing = true;
  }
}

/** DescribeSnapshotAttribute(productCodes): EC2 answers the one attribute asked for, as an item list. */
export function rewriteDescribeSnapshotAttribute(document: XmlDocument, params: Readonly<Record<string, string>>, model: SnapshotModel): void {
  if (params["Attribute"] !== "productCodes") {
    return;
  }
  const snapshotId = childText(document.root, "snapshotId") ?? params["SnapshotId"];
  const codes = snapshotId === undefined ? [] : (model.enrichments.forVolume(model.lifecycle.volumeOf(snapshotId))?.productCodes ?? []);
  const list: XmlElement = {
    name: "productCodes",
    attributes: [],
    selfClosing: codes.length === 0,
    children: codes.map((code) => ({
      name: "item",
      attributes: [],
      selfClosing: false,
      children: [xmlElement("productCode", code.id), xmlElement("type", code.type)],
    })),
  };
  removeChildren(document.root, "createVolumePermission");
  setChild(document.root, list);
}

/**
 * A DescribeSnapshots request that names a still-invisible snapshot in `SnapshotId.N` fails as a
 * whole with InvalidSnapshot.NotFound on EC2; returns that snapshot id (taking one of its invisible
 * lookups), or undefined when the request may go ahead.
 */
export function invisibleSnapshotNamed(params: Readonly<Record<string, string>>, model: SnapshotModel): string | undefined {
  const named = Object.entries(params)
    .filter(([key]) => /^SnapshotId\.\d+$/.test(key))
    .map(([, value]) => value);
  let invisible: string | undefined;
  for (const snapshotId of named) {
    if (model.lifecycle.takeHiddenLookup(snapshotId) && invisible === undefined) {
      invisible = snapshotId;
    }
  }
  return invisible;
}
