import assert from "node:assert/strict";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { DeadlineExceededError } from "../../../provider/lifecycle/deadline";
import { InvalidRegionError } from "../../../provider/ec2/regionSource";
import {
  adviceFor,
  classifyError,
  CredentialsError,
  Ec2OperationError,
  EndpointError,
  endpointIsWrong,
  imageIdFromInUse,
  type ClassifiedError,
  type EndpointInfo,
  type ErrorKind,
} from "../../../provider/ec2/errors";

/** An error as @aws-sdk/client-ec2 v3 throws it for an EC2 error response: the code in `name`. */
function ec2Error(code: string, httpStatusCode: number, message: string): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    $metadata: { httpStatusCode, requestId: "00000000-0000-0000-0000-000000000000", attempts: 1, totalRetryDelay: 0 },
    message,
  });
}

/** A Node socket error after the SDK's retry middleware has stamped `$metadata` (no status) on it. */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, $metadata: { attempts: 3, totalRetryDelay: 350 } });
}

describe("classifyError", () => {
  const serviceCases: [code: string, status: number, kind: ErrorKind][] = [
    ["RequestLimitExceeded", 503, "throttled"],
    ["ConcurrentSnapshotLimitExceeded", 400, "snapshotLimit"],
    ["PendingSnapshotLimitExceeded", 400, "snapshotLimit"],
    ["SnapshotCreationPerVolumeRateExceeded", 400, "volumeRate"],
    ["IncorrectState", 400, "incorrectState"],
    ["InvalidVolume.NotFound", 400, "notFound"],
    ["InvalidInstanceID.NotFound", 400, "notFound"],
    ["InvalidSnapshot.NotFound", 400, "notFound"],
    ["InvalidSnapshot.InUse", 400, "inUse"],
    ["InternalError", 500, "ambiguous"],
    ["ServiceUnavailable", 503, "ambiguous"],
    ["UnknownError", 502, "ambiguous"],
    ["InvalidParameterValue", 400, "fatal"],
    ["InvalidParameterCombination", 400, "fatal"],
    ["MissingParameter", 400, "fatal"],
    ["InvalidVolumeID.Malformed", 400, "fatal"],
    ["UnauthorizedOperation", 403, "fatal"],
    ["SnapshotLimitExceeded", 400, "fatal"],
  ];
  for (const [code, status, kind] of serviceCases) {
    it(`classifies EC2 ${code} (HTTP ${status}) as ${kind}`, () => {
      // given the error the SDK throws for this EC2 response
      const classified = classifyError(ec2Error(code, status, `EC2 says ${code}`));
      // then its kind, code, message and status are all reported
      assert.deepEqual(classified, { kind, code, message: `EC2 says ${code}`, httpStatus: status });
    });
  }

  it("classifies a bare HTTP 500 by its status", () => {
    assert.deepEqual(classifyError(ec2Error("SomethingNew", 500, "")), { kind: "ambiguous", code: "SomethingNew", message: "", httpStatus: 500 });
  });

  it('treats the SDK\'s "UnknownError" placeholder message as no message', () => {
    assert.deepEqual(classifyError(ec2Error("InvalidVolume.NotFound", 400, "UnknownError")), {
      kind: "notFound",
      code: "InvalidVolume.NotFound",
      message: "",
      httpStatus: 400,
    });
  });

  it("prefers the Code field EC2's error body adds over the exception name", () => {
    const error = Object.assign(ec2Error("Client", 400, "slow down"), { Code: "RequestLimitExceeded" });
    assert.equal(classifyError(error).kind, "throttled");
  });

  it("reads the status from $response when $metadata has none", () => {
    const error = { name: "InternalFailure", message: "boom", $response: { statusCode: 500 } };
    assert.deepEqual(classifyError(error), { kind: "ambiguous", code: "InternalFailure", message: "boom", httpStatus: 500 });
  });

  const networkCases: [code: string, kind: ErrorKind][] = [
    ["ECONNRESET", "ambiguous"],
    ["EPIPE", "ambiguous"],
    ["ETIMEDOUT", "ambiguous"],
    ["ECONNREFUSED", "unreachable"],
    ["ENOTFOUND", "unreachable"],
    ["EAI_AGAIN", "unreachable"],
  ];
  for (const [code, kind] of networkCases) {
    it(`classifies the network error ${code} as ${kind}, using the socket code`, () => {
      assert.deepEqual(classifyError(networkError(code, `connect ${code} 127.0.0.1:4566`)), {
        kind,
        code,
        message: `connect ${code} 127.0.0.1:4566`,
      });
    });
  }

  it("classifies the SDK's request TimeoutError as ambiguous", () => {
    const error = Object.assign(new Error("Connection timed out after 30000 ms"), { name: "TimeoutError" });
    assert.deepEqual(classifyError(error), { kind: "ambiguous", code: "TimeoutError", message: "Connection timed out after 30000 ms" });
  });

  it("classifies a socket hang-up without a code as ambiguous", () => {
    assert.deepEqual(classifyError(new Error("socket hang up")), { kind: "ambiguous", code: "Error", message: "socket hang up" });
  });

  it("classifies our DeadlineExceededError as aborted", () => {
    const error = new DeadlineExceededError("create Snapshot", 600_000, networkError("ECONNRESET", "read ECONNRESET"));
    assert.deepEqual(classifyError(error), {
      kind: "aborted",
      code: "DeadlineExceededError",
      message: "create Snapshot did not finish within its 10m timeout (the last attempt failed before EC2 answered: ECONNRESET)",
    });
  });

  it("classifies an AbortError as aborted", () => {
    const error = Object.assign(new Error("Request aborted"), { name: "AbortError" });
    assert.equal(classifyError(error).kind, "aborted");
  });

  it("classifies thrown non-errors as fatal without failing", () => {
    const results: ClassifiedError[] = [undefined, null, "text", 42].map(classifyError);
    assert.deepEqual(results, [
      { kind: "fatal", code: "Error", message: "" },
      { kind: "fatal", code: "Error", message: "" },
      { kind: "fatal", code: "Error", message: "" },
      { kind: "fatal", code: "Error", message: "" },
    ]);
  });
});

describe("Ec2OperationError", () => {
  it("names the operation, the resource, EC2's code and words, and the advice as a sentence", () => {
    // given EC2 refusing a create for bad input
    const cause = ec2Error("InvalidParameterValue", 400, "Value (x) for parameter description is invalid");
    // when wrapped
    const error = new Ec2OperationError("CreateSnapshot", "vol-0123456789abcdef0", cause, "check the description");
    // then the message says what happened to what, and the error keeps its cause and kind
    assert.deepEqual(
      { message: error.message, name: error.name, code: error.code, kind: error.kind, cause: error.cause, operation: error.operation, resourceId: error.resourceId },
      {
        message: "CreateSnapshot vol-0123456789abcdef0 failed: EC2 InvalidParameterValue: Value (x) for parameter description is invalid. Check the description.",
        name: "Ec2OperationError",
        code: "InvalidParameterValue",
        kind: "fatal",
        cause,
        operation: "CreateSnapshot",
        resourceId: "vol-0123456789abcdef0",
      },
    );
  });

  it("does not double the full stop after an EC2 message that ends with one", () => {
    const error = new Ec2OperationError("CreateSnapshot", "vol-0123456789abcdef0", ec2Error("RequestLimitExceeded", 503, "Request limit exceeded."), "run again later");
    assert.equal(error.message, "CreateSnapshot vol-0123456789abcdef0 failed: EC2 RequestLimitExceeded: Request limit exceeded. Run again later.");
  });

  it("puts a full stop before the advice when EC2 gave no message", () => {
    const error = new Ec2OperationError("CreateSnapshot", "vol-0123456789abcdef0", ec2Error("IncorrectState", 400, "UnknownError"), "run again shortly");
    assert.equal(error.message, "CreateSnapshot vol-0123456789abcdef0 failed: EC2 IncorrectState. Run again shortly.");
  });

  it("leaves out an empty EC2 message and absent advice", () => {
    const error = new Ec2OperationError("DeleteSnapshot", "snap-0123456789abcdef0", ec2Error("InvalidSnapshot.NotFound", 400, "UnknownError"));
    assert.equal(error.message, "DeleteSnapshot snap-0123456789abcdef0 failed: EC2 InvalidSnapshot.NotFound.");
  });

  it("is an Error that instanceof recognises", () => {
    const error = new Ec2OperationError("CreateSnapshot", "vol-1", ec2Error("IncorrectState", 400, "busy"));
    assert.deepEqual([error instanceof Error, error instanceof Ec2OperationError], [true, true]);
  });
});

describe("adviceFor", () => {
  it("gives advice for the kinds a person can act on and none for the rest", () => {
    const kinds: ErrorKind[] = ["throttled", "snapshotLimit", "volumeRate", "incorrectState", "ambiguous", "unreachable", "notFound", "inUse", "aborted", "fatal"];
    assert.deepEqual(Object.fromEntries(kinds.map((kind) => [kind, adviceFor(kind)])), {
      throttled: "EC2 kept throttling the account's API calls; run again later or raise the timeout",
      snapshotLimit: "the volume already has the maximum number of pending snapshots; wait for them to complete, or raise the timeout",
      volumeRate: "EC2 accepts one new snapshot per volume every 15 seconds; run again shortly",
      incorrectState: "the volume is busy with an earlier request; run again shortly",
      ambiguous: "EC2 could not be reached reliably; check the network and endpoint configuration, then run again",
      unreachable: "EC2 could not be reached reliably; check the network and endpoint configuration, then run again",
      notFound: undefined,
      inUse: undefined,
      aborted: undefined,
      fatal: undefined,
    });
  });
});

describe("adviceFor fatal codes", () => {
  it("says what to do about the fatal codes EC2 commonly gives, and nothing for unknown ones", () => {
    assert.deepEqual(
      ["UnauthorizedOperation", "SnapshotLimitExceeded", "InvalidVolumeID.Malformed", "InvalidParameterValue", "SomethingNew"].map((code) => adviceFor("fatal", code)),
      [
        "the credentials in use lack this EC2 permission; grant it in IAM, or use other credentials",
        "the account's snapshot quota is reached; delete unused snapshots or request a quota increase",
        "check the resource's inputs: an id is malformed",
        "check the resource's inputs against EC2's message",
        undefined,
      ],
    );
  });
});

describe("imageIdFromInUse", () => {
  it("finds the AMI named in EC2's InvalidSnapshot.InUse message", () => {
    const error = ec2Error("InvalidSnapshot.InUse", 400, "The snapshot snap-0123456789abcdef0 is currently in use by ami-0fedcba9876543210");
    assert.equal(imageIdFromInUse(error), "ami-0fedcba9876543210");
  });

  it("finds a legacy 8-digit AMI id", () => {
    assert.equal(imageIdFromInUse(ec2Error("InvalidSnapshot.InUse", 400, "in use by ami-1234abcd.")), "ami-1234abcd");
  });

  it("returns undefined when the message names no AMI", () => {
    assert.deepEqual([ec2Error("InvalidSnapshot.InUse", 400, "UnknownError"), new Error("ami-XYZ is in use"), undefined].map(imageIdFromInUse), [undefined, undefined, undefined]);
  });
});

/** What the SDK throws when something other than EC2 answers: a status, the page's content type, no request id. */
function foreignAnswer(status: number, contentType: string): EC2ServiceException {
  return Object.assign(
    new EC2ServiceException({ name: "NotFound", $fault: "client", $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 }, message: "Unknown" }),
    { $response: { statusCode: status, headers: { "content-type": contentType } } },
  );
}

describe("a wrong endpoint", () => {
  const EMULATOR: EndpointInfo = { url: "http://127.0.0.1:9", variable: "AWS_ENDPOINT_URL_EC2", region: "us-east-1", regionSource: { kind: "stack" } };
  const REAL: EndpointInfo = { url: "https://ec2.us-east-1.amazonaws.com", region: "us-east-1", regionSource: { kind: "environment" } };

  it("tells an answer that is not EC2's (an HTML 404) from EC2's own XML errors", () => {
    assert.equal(classifyError(foreignAnswer(404, "text/html; charset=utf-8")).kind, "notEc2");
    assert.equal(classifyError(foreignAnswer(403, "application/json")).kind, "notEc2");
    const fromEc2 = Object.assign(ec2Error("InvalidVolume.NotFound", 400, "The volume does not exist."), {
      $response: { statusCode: 400, headers: { "content-type": "text/xml;charset=UTF-8" } },
    });
    assert.equal(classifyError(fromEc2).kind, "notFound");
    // A gateway's 502 page is transient as a kind; whether the endpoint is to blame is endpointIsWrong's call.
    assert.deepEqual(classifyError(foreignAnswer(502, "text/html")), { kind: "ambiguous", code: "NotFound", message: "Unknown", httpStatus: 502, foreignAnswer: true });
  });

  it("blames an endpoint of the user's for a server error that is not EC2's (an emulator's HTML 500), and EC2's own endpoint never", () => {
    // moto answers an HTML 500 for a region it does not serve; EC2's load balancers may answer a 5xx page in passing
    const page500 = classifyError(foreignAnswer(500, "text/html; charset=utf-8"));
    const xml500 = classifyError(
      Object.assign(ec2Error("InternalError", 500, "An internal error has occurred"), { $response: { statusCode: 500, headers: { "content-type": "text/xml" } } }),
    );
    assert.deepEqual([endpointIsWrong(page500, EMULATOR), endpointIsWrong(page500, REAL), endpointIsWrong(xml500, EMULATOR)], [true, false, false]);
  });

  it("is wrong for good when an endpoint of the user's refuses or does not resolve, and for EC2's own only when its name does not resolve", () => {
    const refused = classifyError(networkError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"));
    const unresolved = classifyError(networkError("ENOTFOUND", "getaddrinfo ENOTFOUND ec2.xx-east-1.amazonaws.com"));
    const reset = classifyError(networkError("ECONNRESET", "socket hang up"));
    assert.deepEqual([endpointIsWrong(refused, EMULATOR), endpointIsWrong(unresolved, EMULATOR), endpointIsWrong(reset, EMULATOR)], [true, true, false]);
    assert.deepEqual(
      [endpointIsWrong(refused, REAL), endpointIsWrong(unresolved, REAL), endpointIsWrong(classifyError(foreignAnswer(404, "text/html")), REAL)],
      [false, true, true],
    );
  });

  it("names the endpoint, what happened, the variable that set it, and what to do", () => {
    assert.equal(
      new EndpointError(EMULATOR, "DescribeVolumes vol-0123456789abcdef0", networkError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9"), 3).message,
      "DescribeVolumes vol-0123456789abcdef0 did not reach EC2: the endpoint http://127.0.0.1:9 (set by AWS_ENDPOINT_URL_EC2) refused or dropped the connection " +
        "(connect ECONNREFUSED 127.0.0.1:9, 3 attempts). Start the EC2 emulator or service at that address, or correct AWS_ENDPOINT_URL_EC2, or unset it to use EC2's own endpoint; then run again.",
    );
    assert.equal(
      new EndpointError(
        { ...EMULATOR, url: "http://127.0.0.1:8080", variable: "AWS_ENDPOINT_URL" },
        "DescribeVolumes vol-0123456789abcdef0",
        foreignAnswer(404, "text/html; charset=utf-8"),
        1,
      ).message,
      "DescribeVolumes vol-0123456789abcdef0 did not reach EC2: the endpoint http://127.0.0.1:8080 (set by AWS_ENDPOINT_URL) answered HTTP 404 (text/html), which is not an EC2 answer. " +
        "Start the EC2 endpoint or emulator you meant at that address, or correct AWS_ENDPOINT_URL, or unset it to use EC2's own endpoint; then run again.",
    );
    assert.equal(
      new EndpointError(EMULATOR, "DescribeVolumes vol-0123456789abcdef0", foreignAnswer(500, "text/html; charset=utf-8"), 3).message,
      "DescribeVolumes vol-0123456789abcdef0 did not reach EC2: the endpoint http://127.0.0.1:9 (set by AWS_ENDPOINT_URL_EC2) answered HTTP 500 (text/html), which is not an EC2 answer (3 attempts). " +
        "Start the EC2 endpoint or emulator you meant at that address, or correct AWS_ENDPOINT_URL_EC2, or unset it to use EC2's own endpoint; then run again. " +
        "An emulator answers so for a region it does not serve: requests are signed for region us-east-1, from the stack's aws:region.",
    );
    assert.equal(
      new EndpointError(REAL, "DescribeVolumes vol-0123456789abcdef0", networkError("ENOTFOUND", "getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com"), 3).message,
      "DescribeVolumes vol-0123456789abcdef0 did not reach EC2: EC2's endpoint https://ec2.us-east-1.amazonaws.com (region us-east-1, from AWS_REGION) has a host name that does not resolve " +
        "(getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com, 3 attempts). Check that us-east-1 is the region you meant (it came from AWS_REGION), and that this machine resolves " +
        "ec2.us-east-1.amazonaws.com (its DNS, network and any proxy); to use an EC2 emulator instead, set AWS_ENDPOINT_URL_EC2 to its address; then run again.",
    );
  });
});

describe("errors of the provider's own making", () => {
  const REAL: EndpointInfo = { url: "https://ec2.us-east-1.amazonaws.com", region: "us-east-1", regionSource: { kind: "stack" } };

  it("keep their verdict and are never judged again by their words (an EndpointError whose advice says 'network' was once retried as a transient fault)", () => {
    const endpoint = new EndpointError(REAL, "DescribeVolumes vol-1", networkError("ENOTFOUND", "getaddrinfo ENOTFOUND ec2.us-east-1.amazonaws.com"), 3);
    assert.match(endpoint.message, /network/);
    const credentials = new CredentialsError(
      "DescribeVolumes vol-1",
      { text: "the default chain" },
      Object.assign(new Error("no credentials"), { name: "CredentialsProviderError" }),
    );
    const region = new InvalidRegionError("us-east-1a", { kind: "stack" }, { region: "us-east-1", because: "an availability zone of us-east-1, not a region" });
    const operation = new Ec2OperationError("CreateSnapshot", "vol-1", ec2Error("RequestLimitExceeded", 503, "Request limit exceeded."));
    assert.deepEqual(
      [endpoint, credentials, region, operation].map((error) => [classifyError(error).kind, classifyError(error).code]),
      [
        ["endpoint", "ENOTFOUND"],
        ["credentials", "CredentialsProviderError"],
        ["fatal", "InvalidRegionError"],
        ["throttled", "RequestLimitExceeded"],
      ],
    );
  });
});

describe("credentials", () => {
  /** What the SDK's credential chain throws when no provider gives credentials: no request was sent. */
  function noCredentials(): Error {
    return Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError", tryNextLink: false });
  }

  it("are a kind of their own, never retried as EC2 faults: none loaded, or expired ones refused", () => {
    assert.equal(classifyError(noCredentials()).kind, "credentials");
    assert.equal(classifyError(ec2Error("ExpiredToken", 400, "The security token included in the request is expired")).kind, "credentials");
  });

  it("name the source tried and what to set, and say EC2 was not called when it was not", () => {
    const operation = "DescribeVolumes vol-0123456789abcdef0";
    assert.equal(
      new CredentialsError(operation, { text: 'the profile "backup" (the stack\'s aws:profile)', profile: "backup" }, noCredentials()).message,
      `${operation} was not sent, and EC2 was not called: the AWS SDK could not load credentials from the profile "backup" (the stack's aws:profile): Could not load credentials from any providers. ` +
        'Check that the profile "backup" exists in ~/.aws/config or ~/.aws/credentials and holds credentials (for SSO, run aws sso login --profile backup), or name another, then run again.',
    );
    assert.equal(
      new CredentialsError(operation, { text: "the default chain" }, noCredentials()).message,
      `${operation} was not sent, and EC2 was not called: the AWS SDK could not load credentials from the default chain: Could not load credentials from any providers. ` +
        "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or `pulumi config set aws:profile <name>`, then run again.",
    );
    assert.equal(
      new CredentialsError(
        operation,
        { text: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment" },
        ec2Error("ExpiredToken", 400, "The security token included in the request is expired"),
      ).message,
      `${operation} was refused: EC2 says the credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment have expired (EC2 ExpiredToken: The security token included in the request is expired). ` +
        "Refresh them (for SSO, aws sso login; for session credentials, new ones with their AWS_SESSION_TOKEN), then run again.",
    );
  });
});
