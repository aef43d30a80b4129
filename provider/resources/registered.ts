import type { ResourceHooks } from "../lifecycle/lifecycle";
import * as registry from "./registry";

/** A registered resource: its hook set's export name, which every dynamic shim in state names, and its hooks. */
export interface RegisteredResource {
  hookSet: string;
  hooks: ResourceHooks<object>;
}

/**
 * Every resource registry.ts lists, in its order (the order of schema.json): its exports that are hook
 * sets, so that a resource is added there once, and both faces and the generator find it.
 */
export function registeredResources(): RegisteredResource[] {
  return Object.entries(registry as Record<string, unknown>).flatMap(([hookSet, value]) =>
    value !== null && typeof value === "object" && "spec" in value && "create" in value ? [{ hookSet, hooks: value as ResourceHooks<object> }] : [],
  );
}
