/**
 * The inputs every resource has. What they are and do is declared here once; only their documentation,
 * which names the resource, is each resource's own.
 */
import { lockInput } from "./protectionInputs";
import { objectType, t } from "./spec";

export const TIMEOUTS = objectType({
  name: "Timeouts",
  description:
    'The provider\'s own deadlines. Pulumi\'s `customTimeouts` do not reach dynamic providers, so on that face set these instead; on the plugin face `customTimeouts` win over them. Each is a duration such as "90s", "10m", "1h30m" or "2h".',
  properties: {
    create: { type: t.string, default: "60m", doc: 'How long create may take, including waiting for completion. Default "60m".' },
    update: { type: t.string, default: "60m", doc: 'How long update may take, including resumed waiting. Default "60m".' },
    delete: { type: t.string, default: "10m", doc: 'How long delete may retry, for instance while an AMI still uses the snapshot. Default "10m".' },
  },
});

export const SHARING = objectType({
  name: "Sharing",
  description: "Who may create volumes from the snapshots (EC2's createVolumePermission).",
  properties: {
    accountIds: { type: t.list(t.string), doc: "AWS accounts (12 digits each, none twice, not the owner) to share with." },
    public: { type: t.boolean, doc: "Share with everyone. Refused for an encrypted snapshot, which EC2 never makes public." },
  },
});

const SHARING_DOC =
  "Who may create volumes from the snapshots: `accountIds` (12-digit AWS accounts) and `public`. Updated in place, adding and removing only the difference; left out, the permissions are left as they are. An encrypted snapshot cannot be public, and the accounts it is shared with also need a grant on its KMS key.";

const TIMEOUTS_DOC =
  'The provider\'s own deadlines for create, update and delete. Pulumi\'s `customTimeouts` resource option does not reach dynamic providers, so on the dynamic face these are the only deadlines; on the plugin face `customTimeouts` win over them where both are given. Each is a duration such as "90s", "10m", "1h30m" or "2h"; defaults: create 60m, update 60m, delete 10m. Updated in place.';

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
    sharing: { type: t.object(SHARING), change: "update", absent: {}, rule: "sharing", doc: SHARING_DOC },
    lock: lockInput,
  } as const;
}

/** The names of the common inputs; validation lists a resource's own inputs before them. */
export const COMMON_INPUT_NAMES: readonly string[] = Object.keys(commonInputs({ description: "", outpostArn: "", region: "", tags: "", waitForCompletion: "" }));
