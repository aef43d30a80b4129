import { EC2Client, type EC2ClientConfig } from "@aws-sdk/client-ec2";
import type { CredentialSource, EndpointInfo } from "./errors";
import { ExplainedError } from "../messages/failureMessage";
import { stackConfig, type AwsStackConfig } from "../runtime/stackConfig";
import type { Settings } from "../runtime/settings";
import { processRegistry, scopeKey } from "../runtime/processState";
import { profileSource, verifyRegion, type RegionSource } from "./regionSource";

/** An EC2 client, the region it resolved to, where its requests go, and whose credentials it signs with. */
export interface Ec2Connection {
  client: EC2Client;
  region: string;
  endpoint: EndpointInfo;
  credentialSource: CredentialSource;
}

/** The credential source the client was given, in the order `open` applies them. */
function credentialSourceOf(stack: Readonly<AwsStackConfig>): CredentialSource {
  if (stack.accessKey !== undefined && stack.secretKey !== undefined) {
    return { text: "the stack's aws:accessKey and aws:secretKey" };
  }
  if (stack.profile !== undefined) {
    return { text: `the profile "${stack.profile}" (${stack.fromProvider === true ? "the provider's profile" : "the stack's aws:profile"})`, profile: stack.profile };
  }
  // As the SDK's default chain: AWS_PROFILE, when set, wins over the environment's keys.
  const profile = process.env.AWS_PROFILE;
  if (profile !== undefined && profile !== "") {
    return { text: `the profile "${profile}" (AWS_PROFILE)`, profile };
  }
  if (process.env.AWS_ACCESS_KEY_ID) {
    return { text: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment" };
  }
  return { text: "the default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the default profile in ~/.aws, SSO, container and instance roles)" };
}

/**
 * Where the SDK sends requests: the service-specific variable first, then the general one, as the SDK
 * itself resolves them; otherwise EC2's regional endpoint, as the SDK's endpoint rules give it.
 */
function endpointOf(client: EC2Client, region: string, regionSource: RegionSource): EndpointInfo {
  for (const variable of ["AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"] as const) {
    const url = process.env[variable];
    if (url !== undefined && url.trim() !== "") {
      return { url: url.trim(), variable, region, regionSource };
    }
  }
  try {
    return { url: client.config.endpointProvider({ Region: region, UseDualStack: false, UseFIPS: false }).url.href.replace(/\/$/, ""), region, regionSource };
  } catch {
    return { url: `EC2 in ${region}`, region, regionSource };
  }
}

/**
 * Where the region comes from: the resource's input, the stack's aws:region, or else the AWS SDK's own
 * resolution, which reads AWS_REGION and then the profile's region in the shared config file.
 */
function regionSourceOf(regionInput: string | undefined, inputName: string, stack: Readonly<AwsStackConfig>): RegionSource {
  if (regionInput !== undefined) {
    return { kind: "input", property: inputName };
  }
  if (stack.region !== undefined) {
    return stack.fromProvider === true ? { kind: "provider" } : { kind: "stack" };
  }
  return process.env.AWS_REGION ? { kind: "environment" } : profileSource(stack.profile);
}

/** Raised when no region can be found; names every place a region can come from. */
export class MissingRegionError extends ExplainedError {
  override readonly name = "MissingRegionError";
  constructor() {
    super(
      "no AWS region is configured",
      "Set the resource's `region` input, or `pulumi config set aws:region <region>`, or the AWS_REGION environment variable, or a region in your AWS profile",
    );
  }
}

// One client per configuration and process: every hook of a deployment runs in one host process, and
// sharing the client shares its connection pool. This cache lives in the provider module, which the
// host loads with require(); it is never part of the serialized provider.
const connections = processRegistry<Promise<Ec2Connection>>("connections");

/**
 * Returns an EC2 client, built inside the calling method. Region, credentials and endpoint come from
 * the AWS SDK's own resolution (AWS_REGION, profiles, the credential chain, AWS_ENDPOINT_URL_EC2), with
 * the resource's `region` input and the stack's `aws:*` config taking precedence where given.
 */
export function connectEc2(settings: Pick<Settings, "requestTimeoutMs">, regionInput?: string, inputName = "region"): Promise<Ec2Connection> {
  const stack = stackConfig();
  const region = regionInput ?? stack.region;
  const source = regionSourceOf(regionInput, inputName, stack);
  const key = scopeKey(
    region,
    JSON.stringify([
      // The same region from another source is another connection, so that messages name the right source.
      source,
      stack.profile,
      stack.accessKey !== undefined,
      settings.requestTimeoutMs,
      process.env.AWS_REGION,
      process.env.AWS_PROFILE,
      process.env.AWS_ENDPOINT_URL_EC2,
      process.env.AWS_ENDPOINT_URL,
    ]),
  );
  let connection = connections.get(key);
  if (connection === undefined) {
    connection = open(settings, region, source);
    connections.set(key, connection);
    connection.catch(() => connections.delete(key));
  }
  return connection;
}

async function open(settings: Pick<Settings, "requestTimeoutMs">, region: string | undefined, regionSource: RegionSource): Promise<Ec2Connection> {
  const stack = stackConfig();
  const config: EC2ClientConfig = {
    // One retry layer only (provider/ec2/retry.ts): the SDK's own retries would silently repeat
    // CreateSnapshot after a lost response, making a second snapshot nobody records.
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: settings.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(settings.requestTimeoutMs, 10_000),
    },
  };
  if (region !== undefined) {
    config.region = region;
  }
  if (stack.profile !== undefined) {
    config.profile = stack.profile;
  }
  if (stack.accessKey !== undefined && stack.secretKey !== undefined) {
    config.credentials = {
      accessKeyId: stack.accessKey,
      secretAccessKey: stack.secretKey,
      ...(stack.token !== undefined ? { sessionToken: stack.token } : {}),
    };
  }
  const client = new EC2Client(config);
  let resolved: string | undefined;
  try {
    resolved = await client.config.region();
  } catch {
    resolved = undefined;
  }
  if (!resolved) {
    client.destroy();
    throw new MissingRegionError();
  }
  try {
    // Before any request: a region that is no region would only fail later as an endpoint that does not resolve.
    verifyRegion(resolved, regionSource);
  } catch (error) {
    client.destroy();
    throw error;
  }
  return { client, region: resolved, endpoint: endpointOf(client, resolved, regionSource), credentialSource: credentialSourceOf(stack) };
}

/** Closes every cached client; tests call it between emulator restarts. */
export function closeEc2Connections(): void {
  for (const connection of connections.values()) {
    connection.then(({ client }) => client.destroy()).catch(() => undefined);
  }
  connections.clear();
}
