import type * as pulumi from "@pulumi/pulumi";

export type { ProductCode, SnapshotSetMember, SnapshotState } from "../provider/types";

/** The provider's own deadlines. Pulumi's `customTimeouts` do not reach dynamic providers, so set these instead. */
export interface TimeoutsArgs {
  /** How long create may take, including waiting for completion. Default "60m". */
  create?: pulumi.Input<string>;
  /** How long update may take, including resumed waiting. Default "60m". */
  update?: pulumi.Input<string>;
  /** How long delete may retry, for instance while an AMI still uses the snapshot. Default "10m". */
  delete?: pulumi.Input<string>;
}

/** Timeouts as recorded in state. */
export interface Timeouts {
  create?: string;
  update?: string;
  delete?: string;
}

/** The type token module of this package's resources: `pulumi-nodejs:dynamic/ebs-snapshots:<Type>`. */
export const MODULE = "ebs-snapshots";
