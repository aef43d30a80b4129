import type { ResourceSpec } from "../../provider/inputs/spec";
import * as provider from "../../provider/index";

/** A resource as the provider registers it: the hook set's export name, which every shim in state names, and its spec. */
export interface RegisteredResource {
  hookSet: string;
  spec: ResourceSpec;
}

/**
 * The resources the provider registers, in its export order (the order of schema.json): the registry is
 * provider/index.ts's list of hook sets, so that a resource is added there once and nowhere else.
 */
export function registeredResources(): RegisteredResource[] {
  return Object.entries(provider).flatMap(([hookSet, value]: [string, unknown]) =>
    value !== null && typeof value === "object" && "spec" in value && "create" in value ? [{ hookSet, spec: (value as { spec: ResourceSpec }).spec }] : [],
  );
}
