import type * as pulumi from "@pulumi/pulumi";

import type { Timeouts } from "../provider/types";

export type { ProductCode, SnapshotSetMember, SnapshotState, Timeouts } from "../provider/types";

/**
 * The provider's own deadlines. Pulumi's `customTimeouts` do not reach dynamic providers, so set these
 * instead. Each is `Timeouts` (from the spec) with Pulumi inputs, so the compiler keeps the two alike.
 */
export type TimeoutsArgs = { [K in keyof Timeouts]: pulumi.Input<NonNullable<Timeouts[K]>> };

/** The type token module of this package's resources: `pulumi-nodejs:dynamic/ebs-snapshots:<Type>`. */
export const MODULE = "ebs-snapshots";
