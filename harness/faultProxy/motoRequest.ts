import type { IncomingHttpHeaders } from "node:http";
import { childElement, childText, parseXml, type XmlElement } from "../xmlTree";
import type { HttpAnswer, UpstreamForwarder } from "./upstreamForwarder";

/** moto could not be asked (connection refused or reset, the proxy closing). */
export class MotoUnreachable extends Error {
  override readonly name = "MotoUnreachable";
}

/** moto's answer to one of the proxy's own requests: its status, its XML root and its text. */
export interface MotoAnswer {
  status: number;
  root: XmlElement;
  text: string;
}

/**
 * One request of the proxy's own to moto, bypassing its rewrites (a lookup on behalf of an answer the
 * proxy gives must not advance a plan or take an invisible lookup).
 *
 * moto checks no signature, but it picks the emulated service from the credential scope of the
 * Authorization header; a request without one is routed to its S3 backend. So a lookup carries the
 * client's own header (same account, same region) or, for an unsigned client, an us-east-1 EC2 scope.
 */
export async function askMoto(forwarder: UpstreamForwarder, authorization: string | undefined, params: Readonly<Record<string, string>>): Promise<MotoAnswer> {
  const headers: IncomingHttpHeaders = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    authorization: authorization ?? "AWS4-HMAC-SHA256 Credential=fault-proxy/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=unsigned",
  };
  let answer: HttpAnswer;
  try {
    answer = await forwarder.forward("POST", "/", headers, Buffer.from(new URLSearchParams({ Version: "2016-11-15", ...params }).toString(), "utf8"));
  } catch (error) {
    throw new MotoUnreachable(`moto did not answer the proxy's ${params.Action}: ${String(error)}`);
  }
  const text = answer.body.toString("utf8");
  return { status: answer.status, root: parseXml(text).root, text };
}

/** The code of moto's error answer, if it is one. */
export function motoErrorCode(root: XmlElement): string | undefined {
  const error = childElement(childElement(root, "Errors") ?? root, "Error");
  return error === undefined ? undefined : childText(error, "Code");
}
