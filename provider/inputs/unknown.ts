import type { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/**
 * During `pulumi preview` the dynamic-provider host hands check and diff Pulumi's unknown sentinel in
 * place of every value that is not known yet, whatever the property's type. Typed as Pulumi's own
 * constant, so the compiler fails if the two ever differ; the value is spelled out because loading
 * @pulumi/pulumi's runtime into the provider for one string would cost every hook process its start-up.
 */
export const UNKNOWN: typeof unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when the value, or anything inside it, is still unknown. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsUnknown);
  }
  if (value !== null && typeof value === "object") {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}
