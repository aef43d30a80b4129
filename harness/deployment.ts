import { isDeepStrictEqual } from "node:util";
import { HostCallError, UNKNOWN, type CheckFailure, type HostCapabilities, type JsonObject, type JsonValue, type ProviderHost } from "./providerHost";
import { forFace, isDynamic, isPluginResource, type CustomTimeouts, type RegisteredResource } from "./program";
import { specialOutputValueSig, specialResourceSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** One resource as the stack's checkpoint records it. */
export interface ResourceState {
  type: string;
  id: string;
  /** The checked inputs of the last successful step. */
  inputs: JsonObject;
  /** What the provider returned, `__provider` included. */
  outputs: JsonObject;
  /** Set when Create/Update reported partial state; the next `up` updates the resource even without changes. */
  initErrors?: string[];
  /** The resource's customTimeouts, when the program set any: a delete after the program dropped it uses them. */
  customTimeouts?: CustomTimeouts;
}

/** A replaced resource whose delete has not happened yet; the next `up` or `destroy` deletes it first. */
export interface PendingDelete extends ResourceState {
  urn: string;
}

/** Plain JSON: tests may serialize and scan it, and a new Deployment may start from it. */
export interface DeploymentState {
  resources: Record<string, ResourceState>;
  pendingDeletes: PendingDelete[];
}

export type StepOp = "create" | "update" | "replace" | "same" | "delete" | "refresh";

export interface Step {
  urn: string;
  op: StepOp;
  ok: boolean;
  error?: Error;
}

export interface UpOptions {
  /** As `pulumi preview`: Check and Diff run, nothing else reaches a host that does not support preview. */
  preview?: boolean;
  /**
   * Run the resources' steps concurrently, as the engine does for independent resources: true for no
   * limit (`pulumi up --parallel` at least the number of resources), or at most this many at once. The
   * CLI's own default is 4 per CPU (GOMAXPROCS x 4, or PULUMI_PARALLEL), and a step holds its place
   * while its hook waits for a snapshot.
   */
  parallel?: Parallelism;
}

export type Parallelism = boolean | number;

/** The program's resources, as registerResources returns them. */
export type ProgramResource = Pick<RegisteredResource, "urn" | "type" | "inputs" | "customTimeouts">;

export class CheckFailedError extends Error {
  override readonly name = "CheckFailedError";

  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    super(`${urn}: check failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

const SIG_KEY = specialSigKey;
const SECRET_SIG = specialSecretSig;
const RESOURCE_SIG = specialResourceSig;
const OUTPUT_SIG = specialOutputValueSig;

/**
 * A minimal Pulumi engine over one ProviderHost: the step semantics of `pulumi up`, `refresh` and
 * `destroy` for dynamic resources, without dependency ordering. Steps run in program order (deletes in
 * reverse), one at a time unless asked otherwise. A resource's customTimeouts go to the host as the
 * timeout of its Create, Update and Delete, as the engine sends them.
 *
 * On a plugin host (face "plugin") the same program drives the plugin: this package's dynamic
 * resources are taken as the plugin's (forFace: `ebs-snapshots:index:<Type>`, no `__provider`), so
 * the state records the plugin's URNs and types.
 */
export class Deployment {
  private current: DeploymentState;

  constructor(
    readonly host: ProviderHost,
    state: DeploymentState = { resources: {}, pendingDeletes: [] },
  ) {
    this.current = structuredClone(state);
  }

  /** A copy of the checkpoint. */
  get state(): DeploymentState {
    return structuredClone(this.current);
  }

  /**
   * Check, then Create, Diff → Update/Replace/Same for each resource; then, if every step succeeded,
   * deletes what the program no longer declares, as the engine skips deletes after a failure.
   */
  async up(program: ProgramResource[], options: UpOptions = {}): Promise<Step[]> {
    const capabilities = this.capabilities();
    const preview = options.preview ?? false;
    const seen = new Set<string>();
    const face = this.host.face;
    const resources = program.map((resource) => forFace(resource, face));
    for (const resource of resources) {
      if (face === "dynamic" && !isDynamic(resource)) {
        throw new Error(`${resource.urn}: a Deployment drives only dynamic resources; filter the program's resources with isDynamic`);
      }
      if (face === "plugin" && !isPluginResource(resource)) {
        throw new Error(`${resource.urn}: a Deployment on the plugin drives only ebs-snapshots resources`);
      }
      if (seen.has(resource.urn)) {
        throw new Error(`${resource.urn} is registered twice`);
      }
      seen.add(resource.urn);
    }
    const steps: Step[] = [];
    if (!preview) {
      steps.push(...(await this.deletePending(options.parallel ?? false)));
    }
    steps.push(
      ...(await this.each(resources, options.parallel ?? false, (resource) =>
        this.step(resource.urn, resource.type, marshal(resource.inputs, capabilities), preview, capabilities, resource.customTimeouts),
      )),
    );
    if (steps.every((step) => step.ok)) {
      const gone = Object.keys(this.current.resources)
        .filter((urn) => !seen.has(urn))
        .reverse();
      steps.push(...(await this.each(gone, options.parallel ?? false, (urn) => this.deleteResource(urn, preview))));
    }
    return steps;
  }

  /** Read for every recorded resource: an empty id drops it, otherwise its outputs (and inputs, if returned) are replaced. */
  async refresh(options: { parallel?: Parallelism } = {}): Promise<Step[]> {
    this.capabilities();
    const steps = await this.each(Object.keys(this.current.resources), options.parallel ?? false, async (urn): Promise<Step> => {
      const recorded = this.current.resources[urn];
      try {
        const result = await this.host.read(urn, recorded.id, recorded.outputs, recorded.inputs);
        if (result.id === "") {
          delete this.current.resources[urn];
        } else {
          // The engine takes initErrors only from the Read, and the dynamic host never reports any.
          this.current.resources[urn] = { type: recorded.type, id: result.id, inputs: result.inputs ?? recorded.inputs, outputs: result.properties };
        }
        return { urn, op: "refresh", ok: true };
      } catch (error) {
        return { urn, op: "refresh", ok: false, error: asError(error) };
      }
    });
    const pending: Step[] = [];
    for (const entry of [...this.current.pendingDeletes]) {
      try {
        const result = await this.host.read(entry.urn, entry.id, entry.outputs, entry.inputs);
        this.current.pendingDeletes = this.current.pendingDeletes.filter((other) => other !== entry);
        if (result.id !== "") {
          this.current.pendingDeletes.push({ ...entry, id: result.id, outputs: result.properties });
        }
        pending.push({ urn: entry.urn, op: "refresh", ok: true });
      } catch (error) {
        pending.push({ urn: entry.urn, op: "refresh", ok: false, error: asError(error) });
      }
    }
    return [...steps, ...pending];
  }

  /** Deletes pending deletes, then every resource in reverse order; failed deletes stay in state. */
  async destroy(options: { parallel?: Parallelism } = {}): Promise<Step[]> {
    this.capabilities();
    const pending = await this.deletePending(options.parallel ?? false);
    const urns = Object.keys(this.current.resources).reverse();
    return [...pending, ...(await this.each(urns, options.parallel ?? false, (urn) => this.deleteResource(urn, false)))];
  }

  private capabilities(): HostCapabilities {
    const capabilities = this.host.capabilities;
    if (capabilities === undefined) {
      throw new Error("configure the host first: the engine sends Configure before any resource call");
    }
    return capabilities;
  }

  private async each<T>(items: T[], parallel: Parallelism, run: (item: T) => Promise<Step>): Promise<Step[]> {
    const width = parallel === true ? items.length : parallel === false ? 1 : Math.max(1, Math.floor(parallel));
    const steps: Step[] = new Array<Step>(items.length);
    let next = 0;
    // `width` workers take the items in order, as the engine's step executor takes ready steps.
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const index = next++;
        steps[index] = await run(items[index]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
    return steps;
  }

  private async step(urn: string, type: string, news: JsonObject, preview: boolean, capabilities: HostCapabilities, timeouts?: CustomTimeouts): Promise<Step> {
    const old = this.current.resources[urn];
    const intended: StepOp = old === undefined ? "create" : "update";
    let inputs: JsonObject;
    try {
      inputs = await this.checked(urn, old?.inputs ?? {}, news);
    } catch (error) {
      return { urn, op: intended, ok: false, error: asError(error) };
    }
    if (old === undefined) {
      return this.create(urn, type, inputs, preview, capabilities, timeouts);
    }
    let changes: "none" | "some";
    let replaces: string[];
    let deleteBeforeReplace: boolean;
    try {
      const diff = await this.host.diff(urn, old.id, old.outputs, inputs, { oldInputs: old.inputs });
      // An undecided provider leaves the engine to compare the inputs itself, __provider included.
      changes = diff.changes === "unknown" ? (isDeepStrictEqual(old.inputs, inputs) ? "none" : "some") : diff.changes;
      replaces = diff.replaces;
      deleteBeforeReplace = diff.deleteBeforeReplace;
    } catch (error) {
      return { urn, op: intended, ok: false, error: asError(error) };
    }
    if (changes === "some" && replaces.length > 0) {
      return this.replace(urn, type, news, old, deleteBeforeReplace, preview, capabilities, timeouts);
    }
    if (changes === "some" || (old.initErrors?.length ?? 0) > 0) {
      return this.update(urn, inputs, old, preview, capabilities, timeouts);
    }
    this.current.resources[urn] = { ...withTimeouts(old, timeouts), inputs };
    return { urn, op: "same", ok: true };
  }

  private async checked(urn: string, olds: JsonObject, news: JsonObject): Promise<JsonObject> {
    const { inputs, failures } = await this.host.check(urn, olds, news);
    if (failures.length > 0) {
      throw new CheckFailedError(urn, failures);
    }
    return inputs;
  }

  private async create(urn: string, type: string, inputs: JsonObject, preview: boolean, capabilities: HostCapabilities, timeouts?: CustomTimeouts): Promise<Step> {
    if (preview && !capabilities.supportsPreview) {
      return { urn, op: "create", ok: true };
    }
    try {
      const { id, properties } = await this.host.create(urn, inputs, { preview, ...timeoutOf(timeouts, "create") });
      if (!preview) {
        this.current.resources[urn] = withTimeouts({ type, id, inputs, outputs: properties }, timeouts);
      }
      return { urn, op: "create", ok: true };
    } catch (error) {
      this.recordInitFailure(urn, type, inputs, error, timeouts);
      return { urn, op: "create", ok: false, error: asError(error) };
    }
  }

  private async update(urn: string, inputs: JsonObject, old: ResourceState, preview: boolean, capabilities: HostCapabilities, timeouts?: CustomTimeouts): Promise<Step> {
    if (preview && !capabilities.supportsPreview) {
      return { urn, op: "update", ok: true };
    }
    try {
      const { properties } = await this.host.update(urn, old.id, old.outputs, inputs, { preview, oldInputs: old.inputs, ...timeoutOf(timeouts, "update") });
      if (!preview) {
        this.current.resources[urn] = withTimeouts({ type: old.type, id: old.id, inputs, outputs: properties }, timeouts);
      }
      return { urn, op: "update", ok: true };
    } catch (error) {
      if (!preview && error instanceof HostCallError && error.initFailed !== undefined) {
        // An update keeps the resource's id whatever the error says.
        this.current.resources[urn] = withTimeouts({ type: old.type, id: old.id, inputs, outputs: error.initFailed.properties, initErrors: error.initFailed.reasons }, timeouts);
      }
      return { urn, op: "update", ok: false, error: asError(error) };
    }
  }

  /**
   * The engine checks the program's inputs again with no olds (defaults are not carried over into a
   * replacement), creates the new resource, then deletes the old one; or the reverse with deleteBeforeReplace.
   */
  private async replace(
    urn: string,
    type: string,
    news: JsonObject,
    old: ResourceState,
    deleteBeforeReplace: boolean,
    preview: boolean,
    capabilities: HostCapabilities,
    timeouts?: CustomTimeouts,
  ): Promise<Step> {
    let inputs: JsonObject;
    try {
      inputs = await this.checked(urn, {}, news);
    } catch (error) {
      return { urn, op: "replace", ok: false, error: asError(error) };
    }
    if (preview) {
      return { urn, op: "replace", ok: true };
    }
    if (deleteBeforeReplace) {
      try {
        await this.host.delete(urn, old.id, old.outputs, { oldInputs: old.inputs, ...timeoutOf(old.customTimeouts, "delete") });
      } catch (error) {
        return { urn, op: "replace", ok: false, error: asError(error) };
      }
      const created = await this.create(urn, type, inputs, false, capabilities, timeouts);
      if (!created.ok && this.current.resources[urn] === old) {
        delete this.current.resources[urn];
      }
      return { ...created, op: "replace" };
    }
    let id: string;
    let properties: JsonObject;
    try {
      ({ id, properties } = await this.host.create(urn, inputs, timeoutOf(timeouts, "create")));
    } catch (error) {
      if (this.recordInitFailure(urn, type, inputs, error, timeouts)) {
        // The engine marks the old resource for deletion once a replacement exists, even a partial one.
        this.current.pendingDeletes.push({ urn, ...old });
      }
      return { urn, op: "replace", ok: false, error: asError(error) };
    }
    this.current.resources[urn] = withTimeouts({ type, id, inputs, outputs: properties }, timeouts);
    try {
      await this.host.delete(urn, old.id, old.outputs, { oldInputs: old.inputs, ...timeoutOf(old.customTimeouts, "delete") });
    } catch (error) {
      this.current.pendingDeletes.push({ urn, ...old });
      return { urn, op: "replace", ok: false, error: asError(error) };
    }
    return { urn, op: "replace", ok: true };
  }

  private async deleteResource(urn: string, preview: boolean): Promise<Step> {
    const recorded = this.current.resources[urn];
    if (preview) {
      return { urn, op: "delete", ok: true };
    }
    try {
      await this.host.delete(urn, recorded.id, recorded.outputs, { oldInputs: recorded.inputs, ...timeoutOf(recorded.customTimeouts, "delete") });
      delete this.current.resources[urn];
      return { urn, op: "delete", ok: true };
    } catch (error) {
      return { urn, op: "delete", ok: false, error: asError(error) };
    }
  }

  private async deletePending(parallel: Parallelism): Promise<Step[]> {
    return this.each([...this.current.pendingDeletes], parallel, async (entry) => {
      try {
        await this.host.delete(entry.urn, entry.id, entry.outputs, { oldInputs: entry.inputs, ...timeoutOf(entry.customTimeouts, "delete") });
        this.current.pendingDeletes = this.current.pendingDeletes.filter((other) => other !== entry);
        return { urn: entry.urn, op: "delete", ok: true };
      } catch (error) {
        return { urn: entry.urn, op: "delete", ok: false, error: asError(error) };
      }
    });
  }

  /** Records partial state from a failed Create; true if there was any. */
  private recordInitFailure(urn: string, type: string, inputs: JsonObject, error: unknown, timeouts?: CustomTimeouts): boolean {
    if (error instanceof HostCallError && error.initFailed !== undefined) {
      const { id, properties, reasons } = error.initFailed;
      this.current.resources[urn] = withTimeouts({ type, id, inputs, outputs: properties, initErrors: reasons }, timeouts);
      return true;
    }
    return false;
  }
}

/**
 * What the engine sends a provider in place of the language host's envelopes, given what the provider
 * accepted in Configure: plain values for secrets, ids for resource references, values for outputs.
 */
export function marshal(inputs: JsonObject, capabilities: HostCapabilities): JsonObject {
  return Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, marshalValue(value, capabilities)]));
}

function marshalValue(value: JsonValue, capabilities: HostCapabilities): JsonValue {
  if (Array.isArray(value)) {
    return value.map((item) => marshalValue(item, capabilities));
  }
  if (value === null || typeof value !== "object") {
    return value;
  }
  const sig = value[SIG_KEY];
  if (sig === SECRET_SIG && !capabilities.acceptSecrets) {
    return marshalValue(value.value ?? null, capabilities);
  }
  if (sig === RESOURCE_SIG && !capabilities.acceptResources) {
    const id = value.id;
    // A component's reference, or a custom resource whose id is unknown, becomes its URN or unknown.
    return id === undefined ? (value.urn ?? null) : id === "" ? UNKNOWN : id;
  }
  if (sig === OUTPUT_SIG && !capabilities.acceptOutputs) {
    return "value" in value ? marshalValue(value.value, capabilities) : UNKNOWN;
  }
  return marshal(value, capabilities);
}

/** The state of a resource with the customTimeouts the program gives it now (none: none recorded). */
function withTimeouts(state: ResourceState, timeouts: CustomTimeouts | undefined): ResourceState {
  const { customTimeouts: _old, ...rest } = state;
  return timeouts === undefined ? rest : { ...rest, customTimeouts: timeouts };
}

/** The `timeoutSeconds` the engine sends with an operation: the customTimeouts entry for it, in seconds, if any. */
function timeoutOf(timeouts: CustomTimeouts | undefined, op: keyof CustomTimeouts): { timeoutSeconds?: number } {
  const text = timeouts?.[op];
  return text === undefined ? {} : { timeoutSeconds: durationSeconds(text) };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration ("90s", "1m30s", "1.5h", "500ms"), as the engine parses customTimeouts, in seconds. */
export function durationSeconds(text: string): number {
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let seconds = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (match === null) {
      break;
    }
    seconds += Number(match[1]) * DURATION_UNITS[match[2]];
    at = part.lastIndex;
  }
  if (at === 0 || at !== text.length) {
    throw new Error(`customTimeouts value ${JSON.stringify(text)} is not a duration such as "90s", "1m30s" or "2h"`);
  }
  return seconds;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
