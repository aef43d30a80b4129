import { SNAPSHOT_SPEC } from "./snapshot/spec";
import { SNAPSHOT_SET_SPEC } from "./snapshotSet/spec";

/** Every resource of the package, in the order of schema.json. */
export const RESOURCE_SPECS = [SNAPSHOT_SPEC, SNAPSHOT_SET_SPEC] as const;
