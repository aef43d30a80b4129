import { spawn, type ChildProcess } from "node:child_process";
import { devNull } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { freePort } from "./freePort";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What the engine puts in place of a value that is not known yet (preview), whatever its type. */
export const UNKNOWN = unknownValue;

export type HostMethod = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete" | "cancel";

/**
 * Which face of the provider a host process is: the SDK's dynamic-provider host serving the
 * `pulumi-nodejs:dynamic` resources the TypeScript SDK registers, or the resource-provider plugin
 * (bin/pulumi-resource-ebs-snapshots) serving `ebs-snapshots:index:<Type>`.
 */
export type ProviderFace = "dynamic" | "plugin";

/** The plugin's package name: its config keys are `ebs-snapshots:config:<key>`, its type tokens `ebs-snapshots:index:<Type>`. */
export const PLUGIN_PACKAGE = "ebs-snapshots";

/** What the host accepted in Configure; the engine adapts what it sends (and whether it previews) to it. */
export interface HostCapabilities {
  acceptSecrets: boolean;
  acceptResources: boolean;
  acceptOutputs: boolean;
  supportsPreview: boolean;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: JsonObject;
  failures: CheckFailure[];
}

export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CreateResult {
  id: string;
  properties: JsonObject;
}

export interface ReadResult {
  id: string;
  properties: JsonObject;
  inputs?: JsonObject;
}

export interface UpdateResult {
  properties: JsonObject;
}

/** The partial state a failed Create/Update reported (pulumirpc.ErrorResourceInitFailed). */
export interface InitFailure {
  id: string;
  properties: JsonObject;
  reasons: string[];
}

export interface StepCallOptions {
  preview?: boolean;
  /** The resource's customTimeouts, in seconds, as the engine forwards them. */
  timeoutSeconds?: number;
}

/** A call the host answered with a gRPC error; `message` is the host's text, unchanged. */
export class HostCallError extends Error {
  override readonly name = "HostCallError";

  constructor(
    readonly method: HostMethod,
    readonly code: grpc.status,
    message: string,
    readonly initFailed?: InitFailure,
  ) {
    super(message);
  }
}

export interface ProviderHostOptions {
  /** The process to spawn and drive. Defaults to "dynamic", the SDK's dynamic-provider host. */
  face?: ProviderFace;
  /** Environment of the host on top of a scrubbed copy of this process's (no AWS_*, PULUMI_*, EBS_SNAPSHOTS_*). */
  env: Record<string, string>;
  /**
   * Where `require` inside `__provider` resolves from (dynamic face), or whose bin/ holds the plugin
   * (plugin face). Defaults to this package's root.
   */
  cwd?: string;
  /** Bound on each gRPC call. Defaults to 100 s, below mocha's 120 s, so a hung hook fails the test with a reason. */
  callTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Called with each line the host writes after its port, as it arrives (the demo shows them live). */
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
}

export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STOP_TIMEOUT_MS = 5_000;

/** What start() spawns for each face, and what its messages call it. */
const FACES: Readonly<Record<ProviderFace, { label: string; command(cwd: string): { file: string; args: string[] } }>> = {
  dynamic: {
    label: "dynamic-provider host",
    command: (cwd) => ({ file: process.execPath, args: [require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [cwd] })] }),
  },
  plugin: {
    label: "ebs-snapshots plugin",
    // The executable the CLI runs (it execs node on dist/provider/faces/plugin/main.js).
    command: (cwd) => ({ file: path.join(cwd, "bin", "pulumi-resource-ebs-snapshots"), args: [] }),
  },
};

/**
 * A provider process spawned and driven over gRPC with the requests `pulumi up` sends: by default the
 * SDK's own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`), or, with face "plugin", the
 * resource-provider plugin. Nothing here interprets results: it is the engine's wire.
 */
export class ProviderHost {
  private readonly stdoutLines: string[] = [];
  private readonly stderrLines: string[] = [];
  private capabilitiesValue: HostCapabilities | undefined;
  private readonly exited: Promise<HostExit>;
  private readonly lineWaiters = new Set<() => void>();
  private clientClosed = false;

  private constructor(
    readonly face: ProviderFace,
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    readonly port: number,
    private readonly callTimeoutMs: number,
    exited: Promise<HostExit>,
    private readonly killOnExit: () => void,
    private readonly onLine: ProviderHostOptions["onLine"],
  ) {
    this.exited = exited;
  }

  static async start(options: ProviderHostOptions): Promise<ProviderHost> {
    const face = options.face ?? "dynamic";
    const { label } = FACES[face];
    const cwd = options.cwd ?? packageRoot();
    const command = FACES[face].command(cwd);
    // The dynamic host insists on an engine address but never dials it (pulumi.log has no engine
    // there), so a port nobody listens on will do. The plugin does dial it to log, finds nobody, and
    // writes its lines to stderr instead.
    const engineAddress = `127.0.0.1:${await freePort()}`;
    const child = spawn(command.file, [...command.args, engineAddress], {
      cwd,
      env: hostEnvironment(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const killOnExit = (): void => {
      child.kill("SIGKILL");
    };
    process.once("exit", killOnExit);
    const exited = new Promise<HostExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const stdout = new LineSplitter();
    const stderr = new LineSplitter();
    // Lines that arrive before the ProviderHost exists, such as any that share a chunk with the port.
    const early = { stdout: [] as string[], stderr: [] as string[] };
    let host: ProviderHost | undefined;
    let portLine: string | undefined;
    const portRead = new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (chunk: Buffer) => {
        for (const line of stdout.push(chunk)) {
          if (portLine === undefined) {
            portLine = line;
            resolve(line);
          } else if (host === undefined) {
            early.stdout.push(line);
          } else {
            host.addLine("stdout", line);
          }
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        for (const line of stderr.push(chunk)) {
          if (host === undefined) {
            early.stderr.push(line);
          } else {
            host.addLine("stderr", line);
          }
        }
      });
      child.once("error", reject);
      void exited.then((exit) => reject(new Error(`${label} exited (${describeExit(exit)}) before printing its port`)));
    });
    const startTimeoutMs = options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const line = await Promise.race([
        portRead,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${label} printed no port within ${startTimeoutMs} ms`)), startTimeoutMs);
        }),
      ]);
      const port = Number(line.trim());
      if (!Number.isInteger(port) || port <= 0) {
        throw new Error(`${label} printed ${JSON.stringify(line)} instead of a port`);
      }
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      host = new ProviderHost(face, child, client, port, options.callTimeoutMs ?? 100_000, exited, killOnExit, options.onLine);
      early.stdout.forEach((line) => host?.addLine("stdout", line));
      early.stderr.forEach((line) => host?.addLine("stderr", line));
      const flushAtExit = (): void => {
        const current = host;
        for (const rest of stdout.end()) {
          current?.addLine("stdout", rest);
        }
        for (const rest of stderr.end()) {
          current?.addLine("stderr", rest);
        }
      };
      child.stdout?.once("end", flushAtExit);
      child.stderr?.once("end", flushAtExit);
      return host;
    } catch (error) {
      child.kill("SIGKILL");
      process.removeListener("exit", killOnExit);
      const detail = [...early.stderr, ...stderr.end()].join("\n");
      throw new Error(`${error instanceof Error ? error.message : String(error)}${detail ? `\nhost stderr:\n${detail}` : ""}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lines the host wrote to stdout after its port line. */
  get stdout(): readonly string[] {
    return this.stdoutLines;
  }

  /** Lines the host wrote to stderr: the provider's warnings and progress, the host's traces of failed check/diff/read/delete. */
  get stderr(): readonly string[] {
    return this.stderrLines;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** What the last Configure returned; undefined until the host is configured. */
  get capabilities(): HostCapabilities | undefined {
    return this.capabilitiesValue;
  }

  /** The exit of the host process, once it has exited. */
  get exit(): HostExit | undefined {
    return this.child.exitCode !== null || this.child.signalCode !== null ? { code: this.child.exitCode, signal: this.child.signalCode } : undefined;
  }

  /**
   * Stack configuration with full keys ("aws:region"), sent as the engine does. The dynamic host gets
   * every key, as args and as variables. The plugin gets only its own package's keys, as the engine
   * hands a provider only its namespace: `aws:region` and `aws:profile` are taken as
   * `ebs-snapshots:config:region` and `:profile` (so one config serves both faces), keys already in
   * the plugin's namespace (`ebs-snapshots:region` or `ebs-snapshots:config:region`) are its own,
   * and other keys are not sent; the args are the provider's inputs ({region, profile}).
   */
  async configure(config: Record<string, string>): Promise<HostCapabilities> {
    const request = new proto.ConfigureRequest();
    const variables = request.getVariablesMap();
    const sent = this.face === "plugin" ? pluginConfig(config) : { variables: config, args: config };
    for (const [key, value] of Object.entries(sent.variables)) {
      variables.set(key, value);
    }
    request.setArgs(toStruct(sent.args, "config"));
    request.setAcceptsecrets(true);
    request.setAcceptresources(true);
    request.setSendsOldInputs(true);
    request.setSendsOldInputsToDelete(true);
    const response = await this.unary<proto.ConfigureRequest, proto.ConfigureResponse>("configure", this.client.configure, request);
    this.capabilitiesValue = {
      acceptSecrets: response.getAcceptsecrets(),
      acceptResources: response.getAcceptresources(),
      acceptOutputs: response.getAcceptoutputs(),
      supportsPreview: response.getSupportspreview(),
    };
    return this.capabilitiesValue;
  }

  /** `olds` are the inputs recorded in state ({} for a new resource). */
  async check(urn: string, olds: JsonObject, news: JsonObject): Promise<CheckResult> {
    const request = new proto.CheckRequest();
    address(request, urn);
    request.setOlds(toStruct(olds, "olds"));
    request.setNews(toStruct(news, "news"));
    const response = await this.unary<proto.CheckRequest, proto.CheckResponse>("check", this.client.check, request);
    return {
      inputs: fromStruct(response.getInputs()),
      failures: response.getFailuresList().map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
    };
  }

  /** `olds` are the outputs recorded in state; `news` the checked inputs. */
  async diff(urn: string, id: string, olds: JsonObject, news: JsonObject, options: { oldInputs?: JsonObject } = {}): Promise<DiffResult> {
    const request = new proto.DiffRequest();
    request.setId(id);
    address(request, urn);
    request.setOlds(toStruct(olds, "olds"));
    request.setNews(toStruct(news, "news"));
    if (options.oldInputs !== undefined) {
      request.setOldInputs(toStruct(options.oldInputs, "oldInputs"));
    }
    const response = await this.unary<proto.DiffRequest, proto.DiffResponse>("diff", this.client.diff, request);
    return {
      changes: diffChanges(response.getChanges()),
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(urn: string, properties: JsonObject, options: StepCallOptions = {}): Promise<CreateResult> {
    const request = new proto.CreateRequest();
    address(request, urn);
    request.setProperties(toStruct(properties, "properties"));
    request.setPreview(options.preview ?? false);
    request.setTimeout(options.timeoutSeconds ?? 0);
    const response = await this.unary<proto.CreateRequest, proto.CreateResponse>("create", this.client.create, request);
    return { id: response.getId(), properties: fromStruct(response.getProperties()) };
  }

  /** `properties` are the outputs recorded in state, `inputs` the recorded inputs. */
  async read(urn: string, id: string, properties: JsonObject, inputs?: JsonObject): Promise<ReadResult> {
    const request = new proto.ReadRequest();
    request.setId(id);
    address(request, urn);
    request.setProperties(toStruct(properties, "properties"));
    if (inputs !== undefined) {
      request.setInputs(toStruct(inputs, "inputs"));
    }
    const response = await this.unary<proto.ReadRequest, proto.ReadResponse>("read", this.client.read, request);
    const returnedInputs = response.getInputs();
    return {
      id: response.getId(),
      properties: fromStruct(response.getProperties()),
      ...(returnedInputs !== undefined ? { inputs: fromStruct(returnedInputs) } : {}),
    };
  }

  /** `olds` are the outputs recorded in state; `news` the checked inputs. */
  async update(urn: string, id: string, olds: JsonObject, news: JsonObject, options: StepCallOptions & { oldInputs?: JsonObject } = {}): Promise<UpdateResult> {
    const request = new proto.UpdateRequest();
    request.setId(id);
    address(request, urn);
    request.setOlds(toStruct(olds, "olds"));
    request.setNews(toStruct(news, "news"));
    request.setPreview(options.preview ?? false);
    request.setTimeout(options.timeoutSeconds ?? 0);
    if (options.oldInputs !== undefined) {
      request.setOldInputs(toStruct(options.oldInputs, "oldInputs"));
    }
    const response = await this.unary<proto.UpdateRequest, proto.UpdateResponse>("update", this.client.update, request);
    return { properties: fromStruct(response.getProperties()) };
  }

  /** `properties` are the outputs recorded in state. */
  async delete(urn: string, id: string, properties: JsonObject, options: { timeoutSeconds?: number; oldInputs?: JsonObject } = {}): Promise<void> {
    const request = new proto.DeleteRequest();
    request.setId(id);
    address(request, urn);
    request.setProperties(toStruct(properties, "properties"));
    request.setTimeout(options.timeoutSeconds ?? 0);
    if (options.oldInputs !== undefined) {
      request.setOldInputs(toStruct(options.oldInputs, "oldInputs"));
    }
    await this.unary("delete", this.client.delete, request);
  }

  /**
   * The engine's Cancel (the first Ctrl-C of `pulumi up`): the plugin stops every hook in flight as at
   * its deadline. The dynamic host has no Cancel of its own.
   */
  async cancel(): Promise<void> {
    await this.unary<Empty, Empty>("cancel", this.client.cancel, new Empty());
  }

  /** Resolves with the first line (existing or future) of the stream that matches; rejects after timeoutMs. */
  waitForLine(stream: "stdout" | "stderr", pattern: RegExp | string, timeoutMs: number): Promise<string> {
    const lines = stream === "stdout" ? this.stdoutLines : this.stderrLines;
    const matches = (line: string): boolean => (typeof pattern === "string" ? line.includes(pattern) : pattern.test(line));
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        const found = lines.find(matches);
        if (found === undefined) {
          return false;
        }
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${stream} line matching ${String(pattern)} within ${timeoutMs} ms; ${stream} so far:\n${lines.join("\n")}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.lineWaiters.delete(onLine);
      };
      const onLine = (): void => {
        look();
      };
      if (!look()) {
        this.lineWaiters.add(onLine);
      }
    });
  }

  /**
   * SIGKILL, as a crash mid-operation: calls in flight and later calls fail with UNAVAILABLE, as the
   * engine's would. stop() still closes the client.
   */
  async kill(): Promise<HostExit> {
    if (this.exit === undefined) {
      this.child.kill("SIGKILL");
    }
    const exit = await this.exited;
    process.removeListener("exit", this.killOnExit);
    return exit;
  }

  /** Closes the client, then SIGTERM; SIGKILL if the host has not exited within 5 s. */
  async stop(): Promise<HostExit> {
    this.closeClient();
    if (this.exit === undefined) {
      this.child.kill("SIGTERM");
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    const exit = await this.exited;
    clearTimeout(timer);
    process.removeListener("exit", this.killOnExit);
    return exit;
  }

  private closeClient(): void {
    if (!this.clientClosed) {
      this.clientClosed = true;
      this.client.close();
    }
  }

  private addLine(stream: "stdout" | "stderr", line: string): void {
    (stream === "stdout" ? this.stdoutLines : this.stderrLines).push(line);
    this.onLine?.(stream, line);
    for (const waiter of [...this.lineWaiters]) {
      waiter();
    }
  }

  private unary<Req, Res>(
    method: HostMethod,
    rpc: (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall,
    request: Req,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      rpc.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + this.callTimeoutMs }, (error, response) => {
        if (error) {
          reject(new HostCallError(method, error.code, error.details, initFailureOf(error)));
        } else {
          resolve(response);
        }
      });
    });
  }
}

/** What the engine sends the plugin for the stack configuration `config`: its own keys only (see configure). */
function pluginConfig(config: Record<string, string>): { variables: Record<string, string>; args: Record<string, string> } {
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const match = /^(aws|ebs-snapshots)(?::config)?:(.+)$/.exec(key);
    if (match === null) {
      continue;
    }
    const [, namespace, name] = match;
    if (namespace === PLUGIN_PACKAGE || name === "region" || name === "profile") {
      // The plugin's own key wins over the aws: one it stands in for.
      if (namespace === PLUGIN_PACKAGE || args[name] === undefined) {
        args[name] = value;
      }
    }
  }
  const variables = Object.fromEntries(Object.entries(args).map(([name, value]) => [`${PLUGIN_PACKAGE}:config:${name}`, value]));
  return { variables, args };
}

function packageRoot(): string {
  return path.dirname(require.resolve("pulumi-ebs-snapshots/package.json"));
}

/**
 * The developer's AWS profile, credentials or Pulumi settings must never reach the host: a test that
 * forgot an endpoint would otherwise talk to a real account.
 */
function hostEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AWS_|PULUMI_|EBS_SNAPSHOTS_)/.test(key)));
  return {
    ...inherited,
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
    AWS_EC2_METADATA_DISABLED: "true",
    ...env,
  };
}

function describeExit(exit: HostExit): string {
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** urn:pulumi:<stack>::<project>::<type>::<name>; the name may itself contain "::". */
function urnParts(urn: string): string[] {
  return urn.split("::");
}

/** The requests that name the resource they are about, as the engine fills them in from its URN. */
interface Addressed {
  setUrn(value: string): unknown;
  setName(value: string): unknown;
  setType(value: string): unknown;
}

function address(request: Addressed, urn: string): void {
  request.setUrn(urn);
  request.setName(urnName(urn));
  request.setType(urnType(urn));
}

function urnType(urn: string): string {
  const type = urnParts(urn)[2] ?? "";
  return type.split("$").pop() ?? type;
}

function urnName(urn: string): string {
  return urnParts(urn).slice(3).join("::");
}

function diffChanges(changes: proto.DiffResponse.DiffChanges): DiffResult["changes"] {
  switch (changes) {
    case proto.DiffResponse.DiffChanges.DIFF_NONE:
      return "none";
    case proto.DiffResponse.DiffChanges.DIFF_SOME:
      return "some";
    default:
      return "unknown";
  }
}

/**
 * Struct.fromJavaScript fails on undefined, Dates, Buffers and class instances with a bare "Unexpected
 * struct type"; the engine never sends such values, so a test that does gets told where.
 */
function assertJson(value: unknown, at: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") {
    return;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${at} is ${value}, which a protobuf Struct cannot carry`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJson(item, `${at}[${index}]`));
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      assertJson(item, `${at}.${key}`);
    }
    return;
  }
  const kind = value === undefined ? "undefined" : typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value;
  throw new TypeError(`${at} is ${kind}, which is not a JSON value; the engine sends only JSON values`);
}

function toStruct(value: JsonObject, what: string): Struct {
  assertJson(value, what);
  return Struct.fromJavaScript(value);
}

function fromStruct(struct: Struct | undefined): JsonObject {
  return struct?.toJavaScript() ?? {};
}

function initFailureOf(error: grpc.ServiceError): InitFailure | undefined {
  const packed = error.metadata?.get("grpc-status-details-bin") ?? [];
  for (const value of packed) {
    if (typeof value === "string") {
      continue;
    }
    const status = Status.deserializeBinary(new Uint8Array(value));
    for (const detail of status.getDetailsList()) {
      const failure = detail.unpack(proto.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed");
      if (failure !== null) {
        return { id: failure.getId(), properties: fromStruct(failure.getProperties()), reasons: failure.getReasonsList() };
      }
    }
  }
  return undefined;
}

/** Splits a byte stream into lines, keeping a trailing partial line until more arrives or the stream ends. */
class LineSplitter {
  private pending = "";

  push(chunk: Buffer): string[] {
    const lines = (this.pending + chunk.toString("utf8")).split("\n");
    this.pending = lines.pop() ?? "";
    return lines.map((line) => line.replace(/\r$/, ""));
  }

  end(): string[] {
    const rest = this.pending;
    this.pending = "";
    return rest === "" ? [] : [rest];
  }
}
