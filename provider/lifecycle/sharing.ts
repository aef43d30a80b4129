import type { Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../ec2/ec2";
import { containsUnknown } from "../inputs/unknown";
import { ExplainedError } from "../messages/failureMessage";
import { writeLine } from "../messages/log";
import { batchedRead } from "../scheduling/readBatch";

/** Who may create volumes from a snapshot (EC2's createVolumePermission). */
export interface Sharing {
  accounts: string[];
  public: boolean;
  /** The accounts were not read (see readSharing): only whether the snapshot is public is known. */
  accountsUnread?: boolean;
}

/** The outputs every resource reports of its snapshots' sharing; `sharedWithAccounts` only where it was read. */
export interface SharingOutputs {
  sharedWithAccounts?: string[];
  public: boolean;
}

/**
 * The sharing the program asks for; undefined when it gives no `sharing`, and then the provider leaves
 * the permissions as they are (it still reports them, so that changes made elsewhere show on refresh).
 */
export function desiredSharing(value: unknown): Sharing | undefined {
  if (value === null || typeof value !== "object" || containsUnknown(value)) {
    return undefined;
  }
  const given = value as { accountIds?: unknown; public?: unknown };
  const accounts = Array.isArray(given.accountIds) ? given.accountIds.filter((id): id is string => typeof id === "string") : [];
  return { accounts: [...new Set(accounts)].sort(), public: given.public === true };
}

/**
 * A resource's sharing outputs from its members': every account any member is shared with, public if
 * any is. The accounts are left out when no member's were read, rather than reported stale or empty.
 */
export function sharingOutputs(perMember: ReadonlyMap<string, Sharing>): SharingOutputs {
  const all = [...perMember.values()];
  const publicly = all.some((s) => s.public);
  // No member read (a create that was given no sharing), or none whose accounts were read: leave them out.
  if (all.every((s) => s.accountsUnread === true)) {
    return { public: publicly };
  }
  return { sharedWithAccounts: [...new Set(all.flatMap((s) => s.accounts))].sort(), public: publicly };
}

/** True when the recorded sharing outputs differ from what the program asks for. */
export function sharingDiffers(desired: Sharing, recorded: { sharedWithAccounts?: unknown; public?: unknown }): boolean {
  const accounts = Array.isArray(recorded.sharedWithAccounts) ? [...(recorded.sharedWithAccounts as string[])].sort() : [];
  return desired.public !== (recorded.public === true) || desired.accounts.join(",") !== accounts.join(",");
}

/**
 * EC2 never makes an encrypted snapshot public. Refused before any change, naming the snapshot and its
 * key; `subject` names what is encrypted when the snapshot does not exist yet ("volume vol-1").
 */
export function refusePublicEncrypted(desired: Sharing | undefined, encrypted: readonly { subject: string; kmsKeyId?: string }[]): void {
  const [first] = encrypted;
  if (desired?.public !== true || first === undefined) {
    return;
  }
  throw new ExplainedError(
    `sharing.public is refused: ${first.subject} is encrypted${first.kmsKeyId ? ` (KMS key ${first.kmsKeyId})` : ""}, and EC2 never makes an encrypted snapshot public`,
    "share it with specific accounts instead (sharing.accountIds), and grant those accounts use of the key",
  );
}

/**
 * Each member's current sharing. Where the program manages `sharing`, every member's permissions are
 * read (DescribeSnapshotAttribute), because the diff compares them. Where it does not, one batched
 * DescribeSnapshots shared with the other resources being read finds which members are public, a fact
 * every refresh must show, and only those are read in full; the others report `public: false` and no
 * accounts (sharedWithAccounts is then left out).
 */
export async function readSharing(ec2: Ec2, snapshotIds: readonly string[], managed: boolean): Promise<Map<string, Sharing>> {
  const ids = snapshotIds.filter((id) => id !== "");
  const candidates = managed ? ids : [...(await batchedRead("public", (own, batch) => own.publicSnapshots(batch), ec2, ids)).keys()];
  const found = await Promise.all(candidates.map((id) => ec2.volumePermissions(id)));
  const read = new Map(candidates.map((id, i) => [id, found[i]]));
  return new Map(ids.map((id) => [id, read.get(id) ?? { accounts: [], public: false, accountsUnread: true }]));
}

/**
 * Gives every member exactly the desired sharing, adding and removing only the difference. The owning
 * account is refused, as is public sharing of an encrypted member; sharing an encrypted member with
 * accounts says in one line which key those accounts also need.
 */
export async function applySharing(ec2: Ec2, label: string, members: readonly Snapshot[], desired: Sharing): Promise<Map<string, Sharing>> {
  const owner = members.find((m) => m.OwnerId !== undefined && desired.accounts.includes(m.OwnerId))?.OwnerId;
  if (owner !== undefined) {
    throw new ExplainedError(
      `sharing.accountIds lists ${owner}, the account that owns the snapshots`,
      `remove ${owner} from sharing.accountIds: the owner can always use its snapshots`,
    );
  }
  refusePublicEncrypted(
    desired,
    members.filter((m) => m.Encrypted === true).map((m) => ({ subject: `snapshot ${m.SnapshotId}`, ...(m.KmsKeyId !== undefined ? { kmsKeyId: m.KmsKeyId } : {}) })),
  );
  const current = await readSharing(
    ec2,
    members.map((m) => m.SnapshotId ?? ""),
    true,
  );
  for (const member of members) {
    const id = member.SnapshotId ?? "";
    const now = current.get(id) ?? { accounts: [], public: false };
    await ec2.changeVolumePermissions(
      id,
      "remove",
      now.accounts.filter((a) => !desired.accounts.includes(a)),
      now.public && !desired.public,
    );
    await ec2.changeVolumePermissions(
      id,
      "add",
      desired.accounts.filter((a) => !now.accounts.includes(a)),
      desired.public && !now.public,
    );
    current.set(id, { accounts: [...desired.accounts], public: desired.public });
  }
  const encrypted = members.filter((m) => m.Encrypted === true);
  if (desired.accounts.length > 0 && encrypted.length > 0) {
    const keys = [...new Set(encrypted.map((m) => m.KmsKeyId ?? "the snapshot's KMS key"))].join(", ");
    writeLine(
      `${label}: shared encrypted ${encrypted.length === 1 ? "snapshot" : "snapshots"} with ${desired.accounts.join(", ")}; those accounts also need a grant on ${keys} to use it`,
    );
  }
  return current;
}
