/**
 * The inputs every resource has. What they are and do is declared here once; only their documentation,
 * which names the resource, is each resource's own.
 */
import { objectType, t } from "./spec";

export const TIMEOUTS = objectType({
  name: "Timeouts",
  description:
    'The provider\'s own deadlines. Pulumi\'s `customTimeouts` do not reach dynamic providers, so set these instead. Each is a duration such as "90s", "10m", "1h30m" or "2h".',
  properties: {
    create: { type: t.string, default: "60m", doc: 'How long create may take, including waiting for completion. Default "60m".' },
    update: { type: t.string, default: "60m", doc: 'How long update may take, including resumed waiting. Default "60m".' },
    delete: { type: t.string, default: "10m", doc: 'How long delete may retry, for instance while an AMI still uses the snapshot. Default "10m".' },
  },
});

const TIMEOUTS_DOC =
  'The provider\'s own deadlines for create, update and delete. Pulumi\'s `customTimeouts` resource option does not reach dynamic providers, so these are the only deadlines. Each is a duration such as "90s", "10m", "1h30m" or "2h"; defaults: create 60m, update 60m, delete 10m. Updated in place.';

/** The documentation of the common inputs that names the resource. */
export interface CommonInputDocs {
  description: string;
  outpostArn: string;
  region: string;
  tags: string;
  waitForCompletion: string;
}

export function commonInputs<const D extends CommonInputDocs>(docs: D) {
  return {
    description: { type: t.string, change: "replace", absent: "", rule: "description", doc: docs.description },
    outpostArn: { type: t.string, change: "replace", absent: "", rule: "outpostArn", doc: docs.outpostArn },
    region: { type: t.string, change: "replace", onlyWhenGiven: true, rule: "region", doc: docs.region },
    tags: { type: t.map(t.string), change: "update", absent: {}, rule: "tags", doc: docs.tags },
    waitForCompletion: { type: t.boolean, change: "update", default: true, rule: "boolean", doc: docs.waitForCompletion },
    timeouts: { type: t.object(TIMEOUTS), change: "update", absent: {}, rule: "timeouts", doc: TIMEOUTS_DOC },
  } as const;
}

/** The names of the common inputs; validation lists a resource's own inputs before them. */
export const COMMON_INPUT_NAMES: readonly string[] = Object.keys(commonInputs({ description: "", outpostArn: "", region: "", tags: "", waitForCompletion: "" }));
