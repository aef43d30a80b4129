/** The object types both resources report: a snapshot's state and its product codes. */
import { enumType, objectType, t } from "../inputs/spec";

export const SNAPSHOT_STATE = enumType({
  name: "SnapshotState",
  description: "The state EC2 reports for a snapshot.",
  values: [
    { value: "pending", doc: "EC2 is still copying the volume's data." },
    { value: "completed", doc: "The snapshot is complete and usable." },
    { value: "error", doc: "The snapshot failed; see `stateMessage`." },
    { value: "recoverable", doc: "An archived snapshot that can be recovered from the Recycle Bin." },
    { value: "recovering", doc: "An archived snapshot being recovered." },
  ],
});

export const PRODUCT_CODE = objectType({
  name: "ProductCode",
  description: "A Marketplace product code propagated from the snapshotted volume.",
  properties: {
    productCodeId: { type: t.string, required: true, doc: "The product code." },
    productCodeType: { type: t.string, required: true, doc: "The type of product code: `devpay` or `marketplace`." },
  },
});
