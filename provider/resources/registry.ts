import { lifecycleOf } from "../lifecycle/lifecycle";
import { snapshotModel } from "./snapshot/model";
import { snapshotCopyModel } from "./snapshotCopy/model";
import { snapshotSetModel } from "./snapshotSet/model";
import { volumeSetLifecycle } from "./volumeSet/hooks";

// The registry: one line per resource. Both faces serve what it lists: the dynamic face under these
// export names (read by every shim ever serialized, through provider/index.ts), the plugin face under
// each spec's type token. The generator derives schema.json and the SDK from it.
export const snapshotHooks = lifecycleOf(snapshotModel);
export const snapshotSetHooks = lifecycleOf(snapshotSetModel);
export const snapshotCopyHooks = lifecycleOf(snapshotCopyModel);
// A restore makes volumes, not snapshots: its own lifecycle, from the same parts (volumeSet/hooks.ts).
export const volumeSetHooks = volumeSetLifecycle;
