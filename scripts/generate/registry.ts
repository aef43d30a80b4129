import type { ResourceSpec } from "../../provider/inputs/spec";
import { registeredResources as registered } from "../../provider/resources/registered";

/** A resource as the generator needs it: the hook set's export name, which every shim in state names, and its spec. */
export interface RegisteredResource {
  hookSet: string;
  spec: ResourceSpec;
}

/** The resources the provider registers (provider/resources/registered.ts), in the order of schema.json. */
export function registeredResources(): RegisteredResource[] {
  return registered().map(({ hookSet, hooks }) => ({ hookSet, spec: hooks.spec }));
}
