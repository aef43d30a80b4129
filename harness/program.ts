import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import type { JsonObject } from "./providerHost";

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
}

/** The mock monitor's registerResource, which the runtime calls with the serialized request. */
interface RegisteringMonitor {
  registerResource(request: RegisterResourceRequest, callback: (error: Error | null, response?: RegisterResourceResponse) => void): void;
}

export function isDynamic(resource: Pick<RegisteredResource, "type">): boolean {
  return resource.type.startsWith("pulumi-nodejs:dynamic");
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
        registered.push({
          type: request.getType(),
          name: request.getName(),
          urn: response.getUrn(),
          custom: request.getCustom(),
          inputs: request.getObject()?.toJavaScript() ?? {},
        });
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
