import { request, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";

/** A complete HTTP answer, buffered so it can be rewritten, held back or dropped. */
export interface HttpAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

// Connection-scoped headers belong to one hop; the proxy sets its own framing (content-length).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "content-length", "expect"]);

export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) {
      kept[name] = value;
    }
  }
  return kept;
}

/** Sends one request to the upstream emulator over a fresh connection and buffers the answer. */
export class UpstreamForwarder {
  private readonly inFlight = new Set<ClientRequest>();

  constructor(private readonly upstream: URL) {}

  forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<HttpAnswer> {
    const outgoing = endToEndHeaders(headers);
    outgoing["host"] = this.upstream.host;
    // Rewriting needs plain text, so ask for no compression.
    delete outgoing["accept-encoding"];
    outgoing["content-length"] = String(body.length);
    return new Promise((resolve, reject) => {
      const upstreamRequest = request(
        {
          protocol: this.upstream.protocol,
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          method,
          path,
          headers: outgoing,
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: endToEndHeaders(response.headers), body: Buffer.concat(chunks) }));
        },
      );
      this.inFlight.add(upstreamRequest);
      upstreamRequest.on("close", () => this.inFlight.delete(upstreamRequest));
      upstreamRequest.on("error", reject);
      upstreamRequest.end(body);
    });
  }

  abortAll(): void {
    for (const upstreamRequest of this.inFlight) {
      upstreamRequest.destroy(new Error("fault proxy closed"));
    }
    this.inFlight.clear();
  }
}
