import assert from "node:assert/strict";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { DeadlineExceededError } from "../../provider/deadline";
import { adviceFor, classifyError, Ec2OperationError, imageIdFromInUse, type ClassifiedError, type ErrorKind } from "../../provider/ec2Errors";

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

  it("treats the SDK's \"UnknownError\" placeholder message as no message", () => {
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
      message: "create Snapshot did not finish within its 10m timeout (last error: read ECONNRESET)",
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
        message: "CreateSnapshot vol-0123456789abcdef0 failed: EC2 InvalidParameterValue: Value (x) for parameter description is invalid. Check the description",
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
    assert.equal(error.message, "CreateSnapshot vol-0123456789abcdef0 failed: EC2 RequestLimitExceeded: Request limit exceeded. Run again later");
  });

  it("puts a full stop before the advice when EC2 gave no message", () => {
    const error = new Ec2OperationError("CreateSnapshot", "vol-0123456789abcdef0", ec2Error("IncorrectState", 400, "UnknownError"), "run again shortly");
    assert.equal(error.message, "CreateSnapshot vol-0123456789abcdef0 failed: EC2 IncorrectState. Run again shortly");
  });

  it("leaves out an empty EC2 message and absent advice", () => {
    const error = new Ec2OperationError("DeleteSnapshot", "snap-0123456789abcdef0", ec2Error("InvalidSnapshot.NotFound", 400, "UnknownError"));
    assert.equal(error.message, "DeleteSnapshot snap-0123456789abcdef0 failed: EC2 InvalidSnapshot.NotFound");
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
    assert.deepEqual(
      [ec2Error("InvalidSnapshot.InUse", 400, "UnknownError"), new Error("ami-XYZ is in use"), undefined].map(imageIdFromInUse),
      [undefined, undefined, undefined],
    );
  });
});
