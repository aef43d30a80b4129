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
}

let current: AwsStackConfig = {};

const KEYS: Readonly<Record<keyof AwsStackConfig, string>> = {
  region: "aws:region",
  profile: "aws:profile",
  accessKey: "aws:accessKey",
  secretKey: "aws:secretKey",
  token: "aws:token",
};

/** Records the stack's AWS settings; `get` reads one fully qualified config key. */
export function configureFromStack(get: (key: string) => unknown): void {
  const next: AwsStackConfig = {};
  for (const [field, key] of Object.entries(KEYS) as [keyof AwsStackConfig, string][]) {
    const value = get(key);
    if (typeof value === "string" && value.trim() !== "") {
      next[field] = value.trim();
    }
  }
  current = next;
}

export function stackConfig(): Readonly<AwsStackConfig> {
  return current;
}
