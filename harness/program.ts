import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { PLUGIN_PACKAGE, type JsonObject, type ProviderFace } from "./providerHost";

/** One RegisterResource call of a program, as the engine receives it from the language host. */
export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  /**
   * The serialized inputs, unchanged: `__provider` as Pulumi's serializer wrote it, unknowns as the
   * UNKNOWN sentinel, secrets and resource references in their signature envelopes.
   */
  inputs: JsonObject;
  /**
   * The resource's customTimeouts option as the program gave it (Go durations such as "2s"); the
   * engine sends them to the provider as the timeout of Create, Update and Delete.
   */
  customTimeouts?: CustomTimeouts;
}

export interface CustomTimeouts {
  create?: string;
  update?: string;
  delete?: string;
}

export interface ProgramOptions {
  /** Run as `pulumi preview`: outputs of resources the program reads are unknown. Default false. */
  preview?: boolean;
  project?: string;
  stack?: string;
  /**
   * Answers for the mock monitor. By default a resource gets id "<name>-id" and its inputs as outputs,
   * and in preview no id and no outputs (so everything derived from them is unknown), as in a first
   * preview. Invokes return {}.
   */
  mocks?: pulumi.runtime.Mocks;
  /**
   * The face the registrations are for. "plugin" maps each of this package's dynamic resources to what
   * a program using the plugin registers (see forFace). Default "dynamic": the SDK's registrations unchanged.
   */
  face?: ProviderFace;
}

/** The mock monitor's registerResource, which the runtime calls with the serialized request. */
interface RegisteringMonitor {
  registerResource(request: RegisterResourceRequest, callback: (error: Error | null, response?: RegisterResourceResponse) => void): void;
}

export function isDynamic(resource: Pick<RegisteredResource, "type">): boolean {
  return resource.type.startsWith("pulumi-nodejs:dynamic");
}

/** The dynamic face's type of this package's resources: `pulumi-nodejs:dynamic/ebs-snapshots:<Type>`. */
const DYNAMIC_TYPE = /^pulumi-nodejs:dynamic\/ebs-snapshots:([A-Za-z]+)$/;

/** The plugin's type for one of this package's dynamic types (`ebs-snapshots:index:<Type>`); any other type unchanged. */
export function pluginTypeOf(type: string): string {
  const match = DYNAMIC_TYPE.exec(type);
  return match === null ? type : `${PLUGIN_PACKAGE}:index:${match[1]}`;
}

/** A resource of the plugin: `ebs-snapshots:index:<Type>`. */
export function isPluginResource(resource: Pick<RegisteredResource, "type">): boolean {
  return resource.type.startsWith(`${PLUGIN_PACKAGE}:index:`);
}

/** The inputs the SDK's dynamic classes add for the dynamic face; the plugin learns all of it from the request's URN. */
const DYNAMIC_ONLY_INPUTS = ["__provider", "__logicalName", "__urn"];

/**
 * A registration as the face receives it. For "plugin", one of this package's dynamic resources
 * becomes what a program using the plugin registers: type `ebs-snapshots:index:<Type>`, the URN with
 * that type, and no `__provider`, `__logicalName` or `__urn` in its inputs. Anything else (resources
 * of other providers, plugin resources already) is returned unchanged.
 */
export function forFace<R extends Pick<RegisteredResource, "type" | "urn" | "inputs">>(resource: R, face: ProviderFace): R {
  const type = pluginTypeOf(resource.type);
  if (face === "dynamic" || type === resource.type) {
    return resource;
  }
  const inputs = Object.fromEntries(Object.entries(resource.inputs).filter(([key]) => !DYNAMIC_ONLY_INPUTS.includes(key)));
  return { ...resource, type, urn: withType(resource.urn, resource.type, type), inputs };
}

/** urn:pulumi:<stack>::<project>::<[parent$]type>::<name>, with the resource's own type replaced. */
function withType(urn: string, from: string, to: string): string {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  if (qualified !== from && !qualified.endsWith(`$${from}`)) {
    throw new Error(`${urn} is not a URN of type ${from}`);
  }
  parts[2] = `${qualified.slice(0, qualified.length - from.length)}${to}`;
  return parts.join("::");
}

// setMocks replaces process-global runtime state, so runs take turns.
let turn: Promise<unknown> = Promise.resolve();

/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` and returns every resource it registered, in
 * registration order, once all of the program's registrations have finished.
 */
export function registerResources(program: () => void | Promise<void>, options: ProgramOptions = {}): Promise<RegisteredResource[]> {
  const run = turn.then(() => runProgram(program, options));
  turn = run.catch(() => undefined);
  return run;
}

async function runProgram(program: () => void | Promise<void>, options: ProgramOptions): Promise<RegisteredResource[]> {
  const preview = options.preview ?? false;
  await pulumi.runtime.setMocks(options.mocks ?? defaultMocks(preview), options.project ?? "project", options.stack ?? "stack", preview);
  const monitor = pulumi.runtime.getMonitor() as unknown as RegisteringMonitor | undefined;
  if (monitor === undefined) {
    throw new Error("setMocks installed no monitor");
  }
  const registered: RegisteredResource[] = [];
  const registrationErrors: unknown[] = [];
  const mockRegister = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    mockRegister(request, (error, response) => {
      if (error === null && response !== undefined) {
        const customTimeouts = customTimeoutsOf(request);
        registered.push(
          forFace(
            {
              type: request.getType(),
              name: request.getName(),
              urn: response.getUrn(),
              custom: request.getCustom(),
              inputs: request.getObject()?.toJavaScript() ?? {},
              ...(Object.keys(customTimeouts).length > 0 ? { customTimeouts } : {}),
            },
            options.face ?? "dynamic",
          ),
        );
      }
      callback(error, response);
    });
  };
  // A registration that fails (for instance a provider that cannot be serialized) surfaces only as an
  // unhandled rejection of the runtime's resource operation.
  const onRejection = (reason: unknown): void => {
    registrationErrors.push(reason);
  };
  process.on("unhandledRejection", onRejection);
  try {
    let programError: unknown;
    try {
      await program();
    } catch (error) {
      programError = error;
    }
    // Waits for every registration, including those made later in apply callbacks.
    await pulumi.runtime.disconnect();
    // Unhandled rejections are reported after the microtask queue drains.
    await new Promise((resolve) => setImmediate(resolve));
    if (programError !== undefined) {
      throw programError;
    }
    if (registrationErrors.length > 0) {
      const [first] = registrationErrors;
      const messages = [...new Set(registrationErrors.map(describe))];
      throw new Error(`the program's registrations failed: ${messages.join("; ")}`, { cause: first });
    }
    return registered;
  } finally {
    process.removeListener("unhandledRejection", onRejection);
  }
}

/** The request's customTimeouts, leaving out those the program did not set (the runtime sends "" for them). */
function customTimeoutsOf(request: RegisterResourceRequest): CustomTimeouts {
  const timeouts = request.getCustomtimeouts();
  const given: CustomTimeouts = {};
  if (timeouts?.getCreate()) {
    given.create = timeouts.getCreate();
  }
  if (timeouts?.getUpdate()) {
    given.update = timeouts.getUpdate();
  }
  if (timeouts?.getDelete()) {
    given.delete = timeouts.getDelete();
  }
  return given;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function defaultMocks(preview: boolean): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      return preview ? { id: undefined, state: {} } : { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
    },
    call() {
      return {};
    },
  };
}
