import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";

/**
 * The engine's log service, as the CLI shows it: a line sent with a resource's URN appears under that
 * resource in `pulumi up`, and once in the Diagnostics of that resource, instead of as the Stack's.
 */
export class EngineLog {
  private readonly client: EngineClient | undefined;

  constructor(engineAddress: string | undefined) {
    this.client = engineAddress === undefined || engineAddress === "" ? undefined : new EngineClient(engineAddress, grpc.credentials.createInsecure());
  }

  /** The sink for one resource's lines; without an engine (a test driving the plugin alone), stderr. */
  sinkFor(urn: string): (line: string) => void {
    return (line) => this.info(urn, line);
  }

  info(urn: string, line: string): void {
    if (this.client === undefined) {
      process.stderr.write(`${line}\n`);
      return;
    }
    const request = new LogRequest().setSeverity(LogSeverity.INFO).setMessage(line).setUrn(urn);
    // A line that cannot reach the engine must not fail the operation it describes.
    this.client.log(request, (error) => {
      if (error !== null) {
        process.stderr.write(`${line}\n`);
      }
    });
  }

  close(): void {
    this.client?.close();
  }
}
