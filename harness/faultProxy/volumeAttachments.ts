import { childElement, childElements, childText, setChild, setChildText, type XmlElement } from "../xmlTree";
import type { RuleHandle } from "./ruleHandle";

/**
 * Attachments that take time, as on EC2: after AttachVolume the attachment is `attaching` (the volume
 * already `in-use`) for a while before `attached`; after DetachVolume the volume stays `in-use` with
 * the attachment `detaching` until it is `available` with no attachment
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-detaching-volume.html). moto answers AttachVolume
 * `attaching` but describes the volume `attached` at once, and is `available` right after DetachVolume.
 *
 * Under an `attachingVolumes(describes)` rule, each transition lasts `describes` DescribeVolumes answers
 * that include the volume; without one, moto's instant states pass unchanged.
 */

type Transition = { kind: "attaching"; left: number } | { kind: "detaching"; left: number; instanceId: string; attachment: XmlElement[] };

const DEFAULT_DESCRIBES = 1;

export class AttachmentTransitions {
  private readonly transitions = new Map<string, Transition>();
  private plans: Array<{ describes: number }> = [];

  attachingVolumes(describes: number = DEFAULT_DESCRIBES): RuleHandle {
    if (!Number.isInteger(describes) || describes < 1) {
      throw new RangeError(`describes must be a positive integer, got ${describes}`);
    }
    const plan = { describes };
    this.plans.push(plan);
    return { remove: () => (this.plans = this.plans.filter((entry) => entry !== plan)) };
  }

  /** moto accepted an AttachVolume of the volume. */
  attached(volumeId: string): void {
    const plan = this.plans.at(-1);
    if (plan === undefined) {
      this.transitions.delete(volumeId);
      return;
    }
    this.transitions.set(volumeId, { kind: "attaching", left: plan.describes });
  }

  /** moto accepted a DetachVolume; `answer` is its VolumeAttachment (volumeId, instanceId, device, status, attachTime). */
  detached(volumeId: string, answer: XmlElement): void {
    const plan = this.plans.at(-1);
    const instanceId = childText(answer, "instanceId");
    if (plan === undefined || instanceId === undefined) {
      this.transitions.delete(volumeId);
      return;
    }
    const attachment = childElements(answer).filter((field) => field.name !== "requestId");
    this.transitions.set(volumeId, { kind: "detaching", left: plan.describes, instanceId, attachment });
  }

  /**
   * Rewrites one DescribeVolumes item moto answered and spends one answer of its transition. A transition
   * moto's state no longer fits (detached meanwhile, or attached again) is dropped.
   */
  describe(volumeId: string, item: XmlElement): void {
    const transition = this.transitions.get(volumeId);
    if (transition === undefined) {
      return;
    }
    const attachmentSet = childElement(item, "attachmentSet");
    const motoAttachments = attachmentSet === undefined ? [] : childElements(attachmentSet, "item");
    const fits = transition.kind === "attaching" ? motoAttachments.length > 0 : motoAttachments.length === 0;
    if (!fits) {
      this.transitions.delete(volumeId);
      return;
    }
    if (transition.kind === "attaching") {
      for (const attachment of motoAttachments) {
        setChildText(attachment, "status", "attaching");
      }
    } else {
      const attachment: XmlElement = { name: "item", attributes: [], selfClosing: false, children: [...transition.attachment] };
      setChildText(attachment, "status", "detaching");
      setChild(item, { name: "attachmentSet", attributes: [], selfClosing: false, children: [attachment] });
    }
    setChildText(item, "status", "in-use");
    transition.left -= 1;
    if (transition.left <= 0) {
      this.transitions.delete(volumeId);
    }
  }

  /** The instance the volume is still detaching from, as the proxy reports it now. */
  detachingFrom(volumeId: string): string | undefined {
    const transition = this.transitions.get(volumeId);
    return transition?.kind === "detaching" ? transition.instanceId : undefined;
  }

  forget(volumeId: string): void {
    this.transitions.delete(volumeId);
  }

  clear(): void {
    this.transitions.clear();
    this.plans = [];
  }
}
