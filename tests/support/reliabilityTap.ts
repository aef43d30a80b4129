/**
 * A pass-through HTTP hop in front of the fault proxy that notes which access key signed each request
 * (the `Credential=` of the SigV4 Authorization header). The secrets scenarios use it to show that the
 * stack's `aws:accessKey` really is the credential in use, so that scanning for it means something.
 * Anything the upstream does to a connection (a reset, a held answer) reaches the client the same way.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface CredentialTap {
  readonly endpoint: string;
  /** The access key id of every signed request, in arrival order. */
  readonly accessKeys: readonly string[];
  close(): Promise<void>;
}

const CREDENTIAL = /Credential=([^/,\s]+)\//;

export async function startCredentialTap(upstream: string): Promise<CredentialTap> {
  const target = new URL(upstream);
  const accessKeys: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const authorization = incoming.headers.authorization ?? "";
    const match = CREDENTIAL.exec(authorization);
    accessKeys.push(match?.[1] ?? "(unsigned)");
    const forward = request(
      { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: target.host }, agent: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // The upstream dropped the connection (an injected reset): drop the client's too.
    forward.on("error", () => incoming.socket.destroy());
    // The client gave up (its socket timeout): give up upstream as well, as a direct connection would.
    outgoing.on("close", () => {
      if (!outgoing.writableFinished) {
        forward.destroy();
      }
    });
    incoming.pipe(forward);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") {
    server.close();
    throw new Error("the credential tap did not get a TCP port");
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    accessKeys,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        sockets.forEach((socket) => socket.destroy());
      }),
  };
}
