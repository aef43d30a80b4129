import { ExplainedError } from "../messages/failureMessage";
import { describeRegionSource, type RegionSource } from "./regionSource";

/**
 * The one place that decides what an error from EC2 (or from the network on the way to it) means.
 * Hooks never compare error strings; they ask for the kind.
 */
export type ErrorKind =
  /** EC2 refused the request before doing anything (RequestLimitExceeded and friends). */
  | "throttled"
  /** A transient server or network fault after which the request may or may not have been carried out. */
  | "ambiguous"
  /** A transient fault that certainly happened before EC2 saw the request. */
  | "unreachable"
  /** Too many pending snapshots on the volume; one must finish first. */
  | "snapshotLimit"
  /** Under 15 s since the volume's previous snapshot. */
  | "volumeRate"
  /** The previous request on the volume has not finished. */
  | "incorrectState"
  | "notFound"
  /** The snapshot backs a registered AMI. */
  | "inUse"
  /** The availability zone has no capacity for the volume right now (InsufficientVolumeCapacity). */
  | "volumeCapacity"
  /** Our own deadline or a caller's abort. */
  | "aborted"
  /** No credentials could be loaded, or EC2 refused them as expired: not EC2's failure, nor a retryable one. */
  | "credentials"
  /** An HTTP answer below 500 that is not EC2's (an HTML page, a 404 of some other service): the endpoint is wrong. */
  | "notEc2"
  /** The provider's own verdict that the endpoint cannot be right (EndpointError): no retry helps. */
  | "endpoint"
  /** Bad input, missing permission or a quota: retrying cannot help. */
  | "fatal";

export interface ClassifiedError {
  kind: ErrorKind;
  /** EC2's error code, or the network error code, or the error's name. */
  code: string;
  /** EC2's own words, when it gave any. */
  message: string;
  httpStatus?: number;
  /** The answer was not XML, which EC2 always answers in, errors included. */
  foreignAnswer?: boolean;
}

const THROTTLING_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "EC2ThrottledException",
  "SlowDown",
  "BandwidthLimitExceeded",
]);
const SNAPSHOT_LIMIT_CODES = new Set(["ConcurrentSnapshotLimitExceeded", "PendingSnapshotLimitExceeded"]);
/** The SDK's own failures to load credentials (no request was sent), and EC2's answer to expired ones. */
const CLIENT_CREDENTIAL_CODES = new Set(["CredentialsProviderError", "TokenProviderError"]);
const EXPIRED_CREDENTIAL_CODES = new Set(["ExpiredToken", "ExpiredTokenException"]);
const AMBIGUOUS_SERVER_CODES = new Set([
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "Unavailable",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "RequestAbortedError",
]);
const NETWORK_AMBIGUOUS = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ESOCKETTIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET"]);
const NETWORK_UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { statusCode?: unknown; headers?: Record<string, unknown> };
  cause?: unknown;
}

function shapeOf(error: unknown): ErrorShape {
  return error !== null && typeof error === "object" ? error : {};
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** The kind an error of the provider's own carries; undefined for errors from the SDK or the network. */
function ownVerdict(error: unknown): ClassifiedError | undefined {
  if (error instanceof Ec2OperationError) {
    return { kind: error.kind, code: error.code, message: error.what };
  }
  if (error instanceof EndpointError) {
    return { kind: "endpoint", code: error.failureCode, message: error.what };
  }
  if (error instanceof CredentialsError) {
    return { kind: "credentials", code: error.failureCode, message: error.what };
  }
  if (error instanceof ExplainedError) {
    return { kind: "fatal", code: error.name, message: error.what };
  }
  return undefined;
}

/**
 * What an error means. Errors of the provider's own making are final verdicts and keep their kind:
 * they are never judged again by their words, which once made the retry layer retry an EndpointError
 * whose advice mentioned "network".
 */
export function classifyError(error: unknown): ClassifiedError {
  const own = ownVerdict(error);
  if (own !== undefined) {
    return own;
  }
  const shape = shapeOf(error);
  const status =
    typeof shape.$metadata?.httpStatusCode === "number" ? shape.$metadata.httpStatusCode : typeof shape.$response?.statusCode === "number" ? shape.$response.statusCode : undefined;
  const networkCode = typeof shape.code === "string" ? shape.code : undefined;
  const code = stringOr(shape.Code, networkCode !== undefined && status === undefined ? networkCode : stringOr(shape.name, "Error"));
  // The AWS SDK fills in "UnknownError" when an emulator's error body carries no message.
  const rawMessage = stringOr(shape.message, "");
  const message = rawMessage === "UnknownError" ? "" : rawMessage;
  // EC2 always answers in XML, errors included; anything else is another server's page.
  const contentType = shape.$response?.headers?.["content-type"];
  const foreignAnswer = status !== undefined && typeof contentType === "string" && !/xml/i.test(contentType);
  const result = (kind: ErrorKind): ClassifiedError => ({
    kind,
    code,
    message,
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(foreignAnswer ? { foreignAnswer: true } : {}),
  });

  if (code === "DeadlineExceededError" || code === "AbortError") {
    return result("aborted");
  }
  // Below 500 a foreign page is never transient; at 500 and above it may be a load balancer's, and
  // whether that is the endpoint's fault depends on whose endpoint it is (endpointIsWrong).
  if (foreignAnswer && status !== undefined && status < 500) {
    return result("notEc2");
  }
  if (CLIENT_CREDENTIAL_CODES.has(code) || EXPIRED_CREDENTIAL_CODES.has(code)) {
    return result("credentials");
  }
  if (THROTTLING_CODES.has(code)) {
    return result("throttled");
  }
  if (SNAPSHOT_LIMIT_CODES.has(code)) {
    return result("snapshotLimit");
  }
  if (code === "SnapshotCreationPerVolumeRateExceeded") {
    return result("volumeRate");
  }
  if (code === "IncorrectState") {
    return result("incorrectState");
  }
  if (code === "InvalidSnapshot.InUse") {
    return result("inUse");
  }
  if (code === "InsufficientVolumeCapacity") {
    return result("volumeCapacity");
  }
  if (code.endsWith(".NotFound")) {
    return result("notFound");
  }
  if (networkCode !== undefined && NETWORK_UNREACHABLE.has(networkCode)) {
    return result("unreachable");
  }
  if (AMBIGUOUS_SERVER_CODES.has(code) || (networkCode !== undefined && NETWORK_AMBIGUOUS.has(networkCode))) {
    return result("ambiguous");
  }
  if (status !== undefined && status >= 500) {
    return result("ambiguous");
  }
  // Node's own socket errors without a code; never applied to the provider's errors (ownVerdict).
  if (status === undefined && /socket hang up|ECONNRESET|network|timed? ?out/i.test(rawMessage)) {
    return result("ambiguous");
  }
  return result("fatal");
}

/**
 * An EC2 call that failed for good. The message names the operation, the resource it was about, EC2's
 * code and EC2's words, so a person reading `pulumi up` output knows what happened to what.
 */
export class Ec2OperationError extends ExplainedError {
  override readonly name = "Ec2OperationError";
  readonly code: string;
  readonly kind: ErrorKind;

  constructor(
    readonly operation: string,
    readonly resourceId: string,
    cause: unknown,
    advice?: string,
  ) {
    const classified = classifyError(cause);
    super(`${operation} ${resourceId} failed: EC2 ${classified.code}${classified.message ? `: ${classified.message}` : ""}`, advice, { cause });
    this.code = classified.code;
    this.kind = classified.kind;
  }
}

/** Where the EC2 client sends its requests, and what chose that address. */
export interface EndpointInfo {
  url: string;
  /** The environment variable that set it, or undefined for EC2's own regional endpoint. */
  variable?: "AWS_ENDPOINT_URL_EC2" | "AWS_ENDPOINT_URL";
  /** The region requests are signed for (and, without a variable, the one that names the endpoint). */
  region: string;
  regionSource: RegionSource;
}

function regionOf(endpoint: EndpointInfo): string {
  return `region ${endpoint.region}, from ${describeRegionSource(endpoint.regionSource)}`;
}

function describeEndpoint(endpoint: EndpointInfo): string {
  return endpoint.variable === undefined ? `EC2's endpoint ${endpoint.url} (${regionOf(endpoint)})` : `the endpoint ${endpoint.url} (set by ${endpoint.variable})`;
}

/** What went wrong with the endpoint, as EndpointError reports it; a foreign server error may be an emulator's answer for a region it does not serve. */
type EndpointFailure = "foreignAnswer" | "foreignServerError" | "doesNotResolve" | "refused";

function endpointAdvice(endpoint: EndpointInfo, failure: EndpointFailure): string {
  if (endpoint.variable === undefined) {
    // EC2's own endpoint is named after the region, so a name that does not resolve is a wrong region or no DNS.
    return (
      `Check that ${endpoint.region} is the region you meant (it came from ${describeRegionSource(endpoint.regionSource)}), and that this machine resolves ${new URL(endpoint.url).hostname} ` +
      "(its DNS, network and any proxy); to use an EC2 emulator instead, set AWS_ENDPOINT_URL_EC2 to its address; then run again"
    );
  }
  const unset = `or correct ${endpoint.variable}, or unset it to use EC2's own endpoint; then run again`;
  switch (failure) {
    case "foreignAnswer":
      return `Start the EC2 endpoint or emulator you meant at that address, ${unset}`;
    case "foreignServerError":
      return `Start the EC2 endpoint or emulator you meant at that address, ${unset}. An emulator answers so for a region it does not serve: requests are signed for ${regionOf(endpoint)}`;
    default:
      return `Start the EC2 emulator or service at that address, ${unset}`;
  }
}

/**
 * No retry can help: the endpoint refuses connections, its name does not resolve, or what answers is
 * not EC2. Raised within seconds instead of retrying until the hook's deadline, naming the endpoint,
 * what happened and what chose it (the variable, or the region and where the region came from). EC2
 * never saw the request. classifyError gives it the kind "endpoint", which no call retries.
 */
export class EndpointError extends ExplainedError {
  override readonly name = "EndpointError";
  /** The code of the failure behind it (ENOTFOUND, ECONNREFUSED, or EC2's code of the foreign answer). */
  readonly failureCode: string;

  constructor(
    readonly endpoint: EndpointInfo,
    operation: string,
    cause: unknown,
    attempts: number,
  ) {
    const failure = classifyError(cause);
    const kind: EndpointFailure =
      failure.foreignAnswer === true
        ? (failure.httpStatus ?? 0) >= 500
          ? "foreignServerError"
          : "foreignAnswer"
        : failure.code === "ENOTFOUND" || failure.code === "EAI_AGAIN"
          ? "doesNotResolve"
          : "refused";
    const tries = attempts > 1 ? `, ${attempts} attempts` : "";
    const what =
      kind === "foreignAnswer" || kind === "foreignServerError"
        ? `answered ${describeAnswer(cause)}, which is not an EC2 answer${tries ? ` (${tries.slice(2)})` : ""}`
        : `${kind === "doesNotResolve" ? "has a host name that does not resolve" : "refused or dropped the connection"} (${failure.message || failure.code}${tries})`;
    super(`${operation} did not reach EC2: ${describeEndpoint(endpoint)} ${what}`, endpointAdvice(endpoint, kind), { cause });
    this.failureCode = failure.code;
  }
}

function describeAnswer(error: unknown): string {
  const shape = shapeOf(error);
  const type = shape.$response?.headers?.["content-type"];
  const status = shape.$metadata?.httpStatusCode ?? shape.$response?.statusCode;
  return `HTTP ${typeof status === "number" ? status : "?"}${typeof type === "string" ? ` (${type.split(";")[0]})` : ""}`;
}

/**
 * Whether a failure means the endpoint itself is wrong, so that retrying until the deadline would only
 * hide it:
 * - an answer below 500 that is not EC2's, from any endpoint;
 * - for an endpoint of the user's own (an emulator, a proxy): also a refused connection, a name that
 *   does not resolve, or a server error that is not EC2's (an emulator's HTML 500 for a region it
 *   does not serve);
 * - for EC2's own endpoint: also a name that does not resolve, which no retry will make resolve. Its
 *   refusals, resets and server errors are transient there and keep their retries.
 */
export function endpointIsWrong(failure: ClassifiedError, endpoint: EndpointInfo): boolean {
  if (failure.kind === "notEc2") {
    return true;
  }
  if (endpoint.variable !== undefined && failure.foreignAnswer === true) {
    return true;
  }
  if (failure.kind !== "unreachable") {
    return false;
  }
  return endpoint.variable !== undefined || failure.code === "ENOTFOUND";
}

/** Where the client's credentials come from, described for messages; never a credential itself. */
export interface CredentialSource {
  text: string;
  /** The profile, when one was named (by the stack's aws:profile or AWS_PROFILE). */
  profile?: string;
}

/**
 * The credentials were the problem, not EC2: none could be loaded (the request was never sent), or EC2
 * refused them as expired. Names the source that was tried and what to set.
 */
export class CredentialsError extends ExplainedError {
  override readonly name = "CredentialsError";
  /** The code of the failure behind it (CredentialsProviderError, ExpiredToken, ...). */
  readonly failureCode: string;

  constructor(operation: string, source: CredentialSource, cause: unknown) {
    const failure = classifyError(cause);
    const detail = failure.message || failure.code;
    if (EXPIRED_CREDENTIAL_CODES.has(failure.code)) {
      super(
        `${operation} was refused: EC2 says the credentials from ${source.text} have expired (EC2 ${failure.code}: ${detail})`,
        "Refresh them (for SSO, aws sso login; for session credentials, new ones with their AWS_SESSION_TOKEN), then run again",
        { cause },
      );
    } else {
      super(
        `${operation} was not sent, and EC2 was not called: the AWS SDK could not load credentials from ${source.text}: ${detail}`,
        source.profile !== undefined
          ? `Check that the profile "${source.profile}" exists in ~/.aws/config or ~/.aws/credentials and holds credentials (for SSO, run aws sso login --profile ${source.profile}), or name another, then run again`
          : "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or `pulumi config set aws:profile <name>`, then run again",
        { cause },
      );
    }
    this.failureCode = failure.code;
  }
}

/** Why a retried failure is worth waiting through, in words for the one line that says a wait began. */
export function retryReason(kind: ErrorKind): string {
  switch (kind) {
    case "throttled":
      return "EC2 is throttling the account's API calls";
    case "snapshotLimit":
      return "the volume has as many pending snapshots as EC2 allows (5, or 1 for st1 and sc1); one must complete first";
    case "volumeRate":
      return "EC2 takes one new snapshot per volume every 15 seconds";
    case "incorrectState":
      return "the volume is busy with an earlier request";
    case "inUse":
      return "an AMI still uses the snapshot";
    case "volumeCapacity":
      return "the availability zone is short of capacity for this volume type, which EC2 says is usually brief";
    case "unreachable":
      return "EC2's endpoint could not be reached, which is usually brief";
    default:
      return "a transient fault";
  }
}

/** What a person can do about fatal errors EC2 commonly gives, by code. */
const FATAL_ADVICE: Readonly<Record<string, string>> = {
  UnauthorizedOperation: "the credentials in use lack this EC2 permission; grant it in IAM, or use other credentials",
  AuthFailure: "EC2 did not accept the credentials; check the AWS credentials and the region",
  InvalidClientTokenId: "EC2 did not accept the credentials; check the AWS credentials and the region",
  SignatureDoesNotMatch: "EC2 did not accept the credentials; check the secret key",
  OptInRequired: "the account is not subscribed to EC2 in this region; enable the region or use another",
  SnapshotLimitExceeded: "the account's snapshot quota is reached; delete unused snapshots or request a quota increase",
  VolumeLimitExceeded: "the account's EBS storage quota for this volume type is reached; delete unused volumes or request a quota increase",
  "InvalidVolume.ZoneMismatch": "the volume and the instance are in different availability zones; check availabilityZone and attach.instanceId",
  InvalidParameterValue: "check the resource's inputs against EC2's message",
  InvalidParameterCombination: "check the resource's inputs against EC2's message",
  MissingParameter: "check the resource's inputs against EC2's message",
  UnsupportedOperation: "EC2 does not support this for the volume or instance; check the inputs",
};

/** What a person can do about an error of each kind (and, for fatal ones, each code); used to finish messages. */
export function adviceFor(kind: ErrorKind, code?: string): string | undefined {
  switch (kind) {
    case "throttled":
      return "EC2 kept throttling the account's API calls; run again later or raise the timeout";
    case "snapshotLimit":
      return "the volume already has the maximum number of pending snapshots; wait for them to complete, or raise the timeout";
    case "volumeRate":
      return "EC2 accepts one new snapshot per volume every 15 seconds; run again shortly";
    case "incorrectState":
      return "the volume is busy with an earlier request; run again shortly";
    case "volumeCapacity":
      return "the availability zone kept lacking capacity for this volume type; run again later, or restore into another availabilityZone";
    case "ambiguous":
    case "unreachable":
      return "EC2 could not be reached reliably; check the network and endpoint configuration, then run again";
    case "fatal":
      return code === undefined ? undefined : (FATAL_ADVICE[code] ?? (code.endsWith(".Malformed") ? "check the resource's inputs: an id is malformed" : undefined));
    default:
      return undefined;
  }
}

/** EC2 names the AMI that holds a snapshot in the InvalidSnapshot.InUse message; returns it when present. */
export function imageIdFromInUse(error: unknown): string | undefined {
  const match = /\bami-[0-9a-f]{8,17}\b/.exec(classifyError(error).message);
  return match?.[0];
}
