/**
 * The AWS settings of the Pulumi stack (`pulumi config set aws:region ...`), as handed to the dynamic
 * provider's `configure`. They live in this module, inside the provider process, and never in the
 * serialized provider or in state.
 */
export interface AwsStackConfig {
  region?: string;
  profile?: string;
  accessKey?: string;
  secretKey?: string;
  token?: string;
  /** Set when the plugin's provider configuration gave region and profile, not the stack's `aws:*` keys. */
  fromProvider?: true;
}

let current: AwsStackConfig = {};

type StackKey = Exclude<keyof AwsStackConfig, "fromProvider">;

const KEYS: Readonly<Record<StackKey, string>> = {
  region: "aws:region",
  profile: "aws:profile",
  accessKey: "aws:accessKey",
  secretKey: "aws:secretKey",
  token: "aws:token",
};

/** The given fields that are non-blank strings, trimmed; `get` reads one field's value. */
function picked(fields: readonly StackKey[], get: (field: StackKey) => unknown): AwsStackConfig {
  const next: AwsStackConfig = {};
  for (const field of fields) {
    const value = get(field);
    if (typeof value === "string" && value.trim() !== "") {
      next[field] = value.trim();
    }
  }
  return next;
}

/** Records the stack's AWS settings; `get` reads one fully qualified config key. */
export function configureFromStack(get: (key: string) => unknown): void {
  current = picked(Object.keys(KEYS) as StackKey[], (field) => get(KEYS[field]));
}

export function stackConfig(): Readonly<AwsStackConfig> {
  return current;
}

/**
 * Records the plugin's provider configuration (`ebs-snapshots:region` and `:profile`, or an explicit
 * provider's inputs). The engine hands a plugin only its own namespace, never `aws:*`.
 */
export function configureFromProvider(values: Readonly<Record<string, unknown>>): void {
  current = { ...picked(["region", "profile"], (field) => values[field]), fromProvider: true };
}
