import * as os from "node:os";
import * as path from "node:path";
import { invalidRegionReason, judgeRegion, noteUnknownRegion, type NearestRegion } from "../inputs/region";
import { ExplainedError } from "../messages/failureMessage";

/** Where the region of a connection came from, in the order the provider and the AWS SDK look. */
export type RegionSource =
  /** The resource's own input (`region`, or a copy's `sourceRegion`), already checked by check. */
  | { kind: "input"; property: string }
  | { kind: "stack" }
  /** The plugin's provider configuration: `ebs-snapshots:region`, or an explicit provider's `region`. */
  | { kind: "provider" }
  | { kind: "environment" }
  /** The SDK found it in the shared config file, under this profile. */
  | { kind: "profile"; profile: string; file: string };

/** The profile and config file the AWS SDK reads a region from, when nothing closer gives one. */
export function profileSource(stackProfile: string | undefined, env: NodeJS.ProcessEnv = process.env): RegionSource {
  const profile = stackProfile ?? (env.AWS_PROFILE || undefined) ?? "default";
  const file = env.AWS_CONFIG_FILE || path.join(os.homedir(), ".aws", "config");
  return { kind: "profile", profile, file };
}

/** The source as a message names it: "the stack's aws:region". */
export function describeRegionSource(source: RegionSource): string {
  switch (source.kind) {
    case "input":
      return `the resource's \`${source.property}\` input`;
    case "stack":
      return "the stack's aws:region";
    case "provider":
      return "the provider's region (ebs-snapshots:region, or an explicit provider's `region`)";
    case "environment":
      return "AWS_REGION";
    case "profile":
      return `the region of the profile "${source.profile}" in ${source.file}`;
  }
}

/** How to put a region right at its source. */
function correction(source: RegionSource, region: string): string {
  switch (source.kind) {
    case "input":
      return `set \`${source.property}: "${region}"\` on the resource`;
    case "stack":
      return `run \`pulumi config set aws:region ${region}\``;
    case "provider":
      return `run \`pulumi config set ebs-snapshots:region ${region}\` (or set \`region: ${region}\` on the explicit provider)`;
    case "environment":
      return `set AWS_REGION=${region}`;
    case "profile":
      return `set \`region = ${region}\` under the profile "${source.profile}" in ${source.file}`;
  }
}

/** A region that cannot be right: refused before any request is sent, since no endpoint would ever answer for it. */
export class InvalidRegionError extends ExplainedError {
  override readonly name = "InvalidRegionError";

  constructor(
    readonly region: string,
    readonly source: RegionSource,
    nearest: NearestRegion | undefined,
  ) {
    super(
      `"${region}" from ${describeRegionSource(source)} is not an AWS region: ${invalidRegionReason(nearest)}, so no EC2 request was sent`,
      nearest === undefined ? `${correction(source, "<region>")} with a region such as us-east-1, then run again` : `${correction(source, nearest.region)}, then run again`,
    );
  }
}

/**
 * Refuses a region that matches no partition's pattern; for one that matches a pattern but is not one
 * this SDK version knows, says so in one line and goes on, since AWS adds regions.
 */
export function verifyRegion(region: string, source: RegionSource): void {
  const verdict = judgeRegion(region);
  if (verdict.kind === "invalid") {
    throw new InvalidRegionError(region, source, verdict.nearest);
  }
  if (verdict.kind === "unknown") {
    noteUnknownRegion(region, describeRegionSource(source));
  }
}
