import type { FaultProxy, RecordedRequest } from "./faultProxy";

const TOKEN_FILTER = "tag:pulumi-ebs-snapshots:create-token";

/**
 * The DescribeSnapshots every create sends first, asking (for all creates starting together) whether an
 * earlier create of the same resource was interrupted before it could record its snapshots: a wildcard
 * on the in-flight token (provider/lifecycle/interruptedLookup.ts).
 */
export function isInterruptedLookup(request: RecordedRequest): boolean {
  return request.action === "DescribeSnapshots" && request.params["Filter.1.Name"] === TOKEN_FILTER && (request.params["Filter.1.Value.1"] ?? "").endsWith(".*");
}

/** The DescribeSnapshots calls other than those lookups: the polls and the recovery searches. */
export function snapshotPolls(proxy: FaultProxy): RecordedRequest[] {
  return proxy.requestsFor("DescribeSnapshots").filter((request) => !isInterruptedLookup(request));
}
