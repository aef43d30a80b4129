import type { Snapshot } from "@aws-sdk/client-ec2";
import type { Ec2 } from "../ec2/ec2";
import { containsUnknown } from "../inputs/unknown";
import { ExplainedError } from "../messages/failureMessage";
import { writeLine } from "../messages/log";

/** Who may create volumes from a snapshot (EC2's createVolumePermission). */
export interface Sharing {
  accounts: string[];
  public: boolean;
}

/** The outputs every resource reports of its snapshots' sharing. */
export interface SharingOutputs {
  sharedWithAccounts: string[];
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

/** A resource's sharing outputs from its members': every account any member is shared with, public if any is. */
export function sharingOutputs(perMember: ReadonlyMap<string, Sharing>): SharingOutputs {
  const all = [...perMember.values()];
  return { sharedWithAccounts: [...new Set(all.flatMap((s) => s.accounts))].sort(), public: all.some((s) => s.public) };
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

/** Each member's current sharing, one DescribeSnapshotAttribute per member. */
export async function readSharing(ec2: Ec2, members: readonly Snapshot[]): Promise<Map<string, Sharing>> {
  const ids = members.map((m) => m.SnapshotId ?? "").filter((id) => id !== "");
  const found = await Promise.all(ids.map((id) => ec2.volumePermissions(id)));
  return new Map(ids.map((id, i) => [id, found[i]]));
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
  const current = await readSharing(ec2, members);
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
