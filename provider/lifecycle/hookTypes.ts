import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { PropertyChange } from "../inputs/propertyChanges";

/**
 * Results of the dynamic-provider hooks: Pulumi's own types (`pulumi.dynamic`), with the fields this
 * provider always returns made required. Values are plain JSON only, because the host turns every
 * result into a protobuf Struct. Type-only: the provider never loads @pulumi/pulumi at run time.
 */
export type CheckResult<T> = Required<Pick<dynamic.CheckResult<T>, "inputs" | "failures">>;

/**
 * The diff's verdict, and each changed property with how it changed: the plugin face sends those as the
 * engine's detailed diff; the dynamic-provider host reads only the first three fields.
 */
export type DiffHookResult = Required<Pick<dynamic.DiffResult, "changes" | "replaces" | "deleteBeforeReplace">> & { properties: PropertyChange[] };

export type CreateResult<T> = Required<Pick<dynamic.CreateResult<T>, "id" | "outs">>;

/** An empty id and props tell the engine the resource is gone. */
export type ReadResult<T> = Required<Pick<dynamic.ReadResult<T | Record<string, never>>, "id" | "props">>;

export type UpdateResult<T> = Required<Pick<dynamic.UpdateResult<T>, "outs">>;

/** The stack configuration `configure` receives, once per provider process; the provider only reads keys. */
export interface ConfigureRequest {
  config: Pick<dynamic.Config, "get">;
}

/** What every hook receives: a plain object, with the serialized provider under `__provider`. */
export type Props = Record<string, unknown>;
