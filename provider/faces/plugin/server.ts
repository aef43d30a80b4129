import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { ResourceProviderService, type IResourceProviderServer } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { importedInputs } from "../../inputs/importedInputs";
import { previewOutputs } from "../../inputs/previewOutputs";
import { regionFailures } from "../../inputs/validate";
import type { PropertyChange } from "../../inputs/propertyChanges";
import type { ResourceHooks } from "../../lifecycle/lifecycle";
import { PartialStateError } from "../../lifecycle/partialState";
import { registeredResources } from "../../resources/registered";
import { withCallContext, type CallContext } from "../../runtime/callContext";
import { configureFromProvider } from "../../runtime/stackConfig";
import { packageSchema, tokenOf, type PackageManifest } from "../../schema/packageSchema";
import type { EngineLog } from "./engineLog";
import { withBookkeeping, withoutBookkeeping } from "./housekeeping";

type Props = Record<string, unknown>;

/** A plain JSON object from a request's Struct (absent: empty). */
function plain(struct: Struct | undefined): Props {
  return struct?.toJavaScript() ?? {};
}

/** A result as a Struct: plain JSON only, with the face's bookkeeping keys left out. */
function structOf(props: object): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(withoutBookkeeping(props))) as Record<string, never>);
}

/** The type token of a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
function typeOf(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? (parts[2].split("$").pop() ?? "") : "";
}

const DIFF_KIND: Readonly<Record<PropertyChange["kind"], [proto.PropertyDiff.Kind, proto.PropertyDiff.Kind]>> = {
  add: [proto.PropertyDiff.Kind.ADD, proto.PropertyDiff.Kind.ADD_REPLACE],
  delete: [proto.PropertyDiff.Kind.DELETE, proto.PropertyDiff.Kind.DELETE_REPLACE],
  update: [proto.PropertyDiff.Kind.UPDATE, proto.PropertyDiff.Kind.UPDATE_REPLACE],
};

/** A failed hook as the engine expects it: partial state as ErrorResourceInitFailed, anything else as its message. */
function grpcError(error: unknown): Partial<grpc.StatusObject> {
  const message = error instanceof Error ? error.message : String(error);
  const metadata = new grpc.Metadata();
  if (error instanceof PartialStateError) {
    const detail = new proto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(structOf(error.properties));
    detail.setReasonsList(error.reasons);
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

/** Answers one unary call from an async handler; a thrown error becomes the gRPC error. */
function unary<Req, Res>(handler: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handler(call.request).then(
      (response) => callback(null, response),
      (error: unknown) => callback(grpcError(error), null),
    );
  };
}

/**
 * The ResourceProvider service of the plugin face: every call is received, handed to the same hooks the
 * dynamic face serves (resources/registry.ts), and its result returned. What this face adds is only
 * what the engine's protocol carries and the dynamic host drops: the request's timeout and the engine's
 * cancel (through the call context), the detailed diff, the inputs `read` gives `pulumi import`, lines
 * attributed to the resource, the package schema and the provider's configuration.
 */
export function resourceProvider(manifest: PackageManifest, log: EngineLog): IResourceProviderServer {
  const registered = registeredResources().map(({ hooks }) => hooks);
  const hooksByToken = new Map<string, ResourceHooks<object>>(registered.map((hooks) => [tokenOf(hooks.spec.typeName), hooks]));
  let cancel = new AbortController();

  function hooksOf(urn: string): ResourceHooks<object> {
    const token = typeOf(urn);
    const hooks = hooksByToken.get(token);
    if (hooks === undefined) {
      throw new Error(`ebs-snapshots has no resource type ${JSON.stringify(token)}; it serves ${[...hooksByToken.keys()].join(", ")}`);
    }
    return hooks;
  }

  /** Runs one hook with what the engine said about the call: its timeout (seconds; 0 when none) and its URN. */
  function call<T>(urn: string, timeoutSeconds: number, work: () => Promise<T>): Promise<T> {
    const context: CallContext = { cancel: cancel.signal, log: log.sinkFor(urn), ...(timeoutSeconds > 0 ? { timeoutMs: Math.round(timeoutSeconds * 1000) } : {}) };
    return withCallContext(context, work);
  }

  function unimplemented<Req, Res>(what: string): grpc.handleUnaryCall<Req, Res> {
    return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `ebs-snapshots does not implement ${what}` }, null);
  }

  return {
    getPluginInfo: unary(async () => new PluginInfo().setVersion(manifest.version)),

    getSchema: unary(async (request: proto.GetSchemaRequest) => {
      if (request.getVersion() !== 0) {
        throw new Error(`ebs-snapshots serves schema version 0, not ${request.getVersion()}`);
      }
      return new proto.GetSchemaResponse().setSchema(
        JSON.stringify(
          packageSchema(
            registered.map((hooks) => hooks.spec),
            manifest,
          ),
        ),
      );
    }),

    checkConfig: unary(async (request: proto.CheckRequest) => {
      const news = plain(request.getNews());
      const failures: proto.CheckFailure[] = [];
      for (const [key, value] of Object.entries(news)) {
        if (key === "version" || key.startsWith("__")) {
          continue;
        }
        if (key !== "region" && key !== "profile") {
          failures.push(new proto.CheckFailure().setProperty(key).setReason(`unknown provider property ${JSON.stringify(key)}; expected region or profile`));
        } else if (key === "region") {
          failures.push(...regionFailures(value, key, "the provider's region").map((f) => new proto.CheckFailure().setProperty(f.property).setReason(f.reason)));
        } else if (typeof value !== "string") {
          failures.push(new proto.CheckFailure().setProperty(key).setReason(`${key} must be a string`));
        }
      }
      return new proto.CheckResponse().setInputs(Struct.fromJavaScript(news as Record<string, never>)).setFailuresList(failures);
    }),

    diffConfig: unary(async (request: proto.DiffRequest) => {
      const olds = plain(request.getOldInputs() ?? request.getOlds());
      const news = plain(request.getNews());
      // A new region or profile changes where later calls go; the snapshots stay where they were made
      // (each records its region), so nothing is replaced.
      const changed = ["region", "profile"].filter((key) => olds[key] !== news[key]);
      return new proto.DiffResponse().setChanges(changed.length > 0 ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE).setDiffsList(changed);
    }),

    configure: unary(async (request: proto.ConfigureRequest) => {
      const args = request.getArgs();
      const variables = request.getVariablesMap();
      const values: Props = args !== undefined ? plain(args) : {};
      for (const key of ["region", "profile"]) {
        const value = variables.get(`ebs-snapshots:config:${key}`) ?? variables.get(`ebs-snapshots:${key}`);
        if (values[key] === undefined && value !== undefined) {
          values[key] = value;
        }
      }
      configureFromProvider(values);
      // No secrets or resources on the wire: the engine strips secrets from what it sends and marks an
      // output secret when the input of the same name was. Previews of creates and updates answer the
      // outputs they can promise (previewOutputs), so dependents are not shown as replaced for nothing.
      return new proto.ConfigureResponse().setAcceptsecrets(false).setAcceptresources(false).setAcceptoutputs(false).setSupportspreview(true);
    }),

    check: unary(async (request: proto.CheckRequest) => {
      const urn = request.getUrn();
      const result = await hooksOf(urn).check(withBookkeeping(plain(request.getOlds()), urn), withBookkeeping(plain(request.getNews()), urn));
      return new proto.CheckResponse()
        .setInputs(structOf(result.inputs))
        .setFailuresList(result.failures.map((failure) => new proto.CheckFailure().setProperty(failure.property).setReason(failure.reason)));
    }),

    diff: unary(async (request: proto.DiffRequest) => {
      const urn = request.getUrn();
      const olds = withBookkeeping(plain(request.getOlds()), urn);
      const news = withBookkeeping(plain(request.getNews()), urn);
      const result = await hooksOf(urn).diff(request.getId(), olds, news);
      const response = new proto.DiffResponse()
        .setChanges(result.changes ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE)
        .setReplacesList(result.replaces)
        .setDeletebeforereplace(result.deleteBeforeReplace)
        .setDiffsList([...new Set(result.properties.map((change) => change.path.split(/[.[]/)[0]))])
        .setHasdetaileddiff(true);
      // The lifecycle compares the recorded state with the program (so drift found by a refresh counts),
      // so each entry is a state diff, not an input diff: the CLI then shows the value it will put back.
      for (const change of result.properties) {
        response.getDetaileddiffMap().set(change.path, new proto.PropertyDiff().setKind(DIFF_KIND[change.kind][change.replace ? 1 : 0]).setInputdiff(false));
      }
      return response;
    }),

    create: unary(async (request: proto.CreateRequest) => {
      const urn = request.getUrn();
      if (request.getPreview()) {
        return new proto.CreateResponse().setId("").setProperties(structOf(previewOutputs(hooksOf(urn).spec, plain(request.getProperties()))));
      }
      const result = await call(urn, request.getTimeout(), () => hooksOf(urn).create(withBookkeeping(plain(request.getProperties()), urn)));
      return new proto.CreateResponse().setId(result.id).setProperties(structOf(result.outs));
    }),

    read: unary(async (request: proto.ReadRequest) => {
      const urn = request.getUrn();
      const hooks = hooksOf(urn);
      const oldInputs = plain(request.getInputs());
      const result = await call(urn, 0, () => hooks.read(request.getId(), withBookkeeping({ ...oldInputs, ...plain(request.getProperties()) }, urn)));
      const response = new proto.ReadResponse().setId(result.id).setProperties(structOf(result.props));
      if (result.id !== "") {
        // A refresh keeps the program's inputs; an import (no inputs yet) gets what EC2 says of them.
        response.setInputs(structOf(Object.keys(oldInputs).length > 0 ? oldInputs : importedInputs(hooks.spec, result.props as Props)));
      }
      return response;
    }),

    update: unary(async (request: proto.UpdateRequest) => {
      const urn = request.getUrn();
      if (request.getPreview()) {
        return new proto.UpdateResponse().setProperties(
          structOf(previewOutputs(hooksOf(urn).spec, plain(request.getNews()), plain(request.getOlds()), plain(request.getOldInputs()))),
        );
      }
      const result = await call(urn, request.getTimeout(), () =>
        hooksOf(urn).update(request.getId(), withBookkeeping(plain(request.getOlds()), urn), withBookkeeping(plain(request.getNews()), urn)),
      );
      return new proto.UpdateResponse().setProperties(structOf(result.outs));
    }),

    delete: unary(async (request: proto.DeleteRequest) => {
      const urn = request.getUrn();
      await call(urn, request.getTimeout(), () => hooksOf(urn).delete(request.getId(), withBookkeeping(plain(request.getProperties()), urn)));
      return new Empty();
    }),

    cancel: unary(async () => {
      // The engine's cancel (the first Ctrl-C): every hook in flight stops as at its deadline, recording
      // what it made as partial state. Calls after it get a fresh signal, as a new deployment would.
      cancel.abort();
      cancel = new AbortController();
      return new Empty();
    }),

    attach: unary(async () => new Empty()),
    getMapping: unary(async () => new proto.GetMappingResponse().setProvider("").setData("")),
    getMappings: unary(async () => new proto.GetMappingsResponse()),
    handshake: unimplemented("Handshake"),
    parameterize: unimplemented("Parameterize"),
    invoke: unimplemented("Invoke"),
    call: unimplemented("Call"),
    construct: unimplemented("Construct"),
    list: (stream) => stream.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "ebs-snapshots does not implement List" }),
  };
}

export { ResourceProviderService };
