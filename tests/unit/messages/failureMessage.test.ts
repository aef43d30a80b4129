import assert from "node:assert/strict";
import { describeFailure, ExplainedError, failureText, OUTCOME, sentence } from "../../../provider/messages/failureMessage";
import { failureShapeProblems } from "../../support/failureShape";

const LABEL = 'Snapshot "db"';

describe("failureText", () => {
  it("puts the resource first and once, then what happened, what exists and what to do, each ending in one full stop", () => {
    assert.equal(
      failureText(LABEL, "CreateTags snap-1 failed: EC2 UnauthorizedOperation: You are not authorized.", OUTCOME.recorded(["snap-1"]), "grant it in IAM"),
      'Snapshot "db": CreateTags snap-1 failed: EC2 UnauthorizedOperation: You are not authorized. Snapshot snap-1 was created and is recorded in the stack. Grant it in IAM.',
    );
  });

  it("names several snapshots in one outcome", () => {
    assert.equal(OUTCOME.recorded(["snap-1", "snap-2"]), "Snapshots snap-1, snap-2 were created and are recorded in the stack");
  });

  it("leaves a sentence that starts with a backtick or an id as it is", () => {
    assert.deepEqual([sentence("`pulumi up` resumes it;"), sentence("snap-1 is gone")], ["`pulumi up` resumes it.", "Snap-1 is gone."]);
  });
});

describe("describeFailure", () => {
  it("prefers the error's own next step to the hook's", () => {
    const error = new ExplainedError("no AWS region is configured", "set AWS_REGION");
    assert.equal(
      describeFailure(LABEL, error, OUTCOME.nothingCreated, "run `pulumi up` again"),
      'Snapshot "db": no AWS region is configured. No snapshot was created. Set AWS_REGION.',
    );
  });

  it("takes the hook's next step for an error that has none, and a plain error's message as what happened", () => {
    assert.equal(
      describeFailure(LABEL, new Error("socket hang up"), "the snapshot stays recorded in the stack", "run `pulumi up` again"),
      'Snapshot "db": socket hang up. The snapshot stays recorded in the stack. Run `pulumi up` again.',
    );
  });
});

describe("the shape audit (tests/support/failureShape.ts)", () => {
  it("passes what the formatter writes", () => {
    assert.deepEqual(failureShapeProblems(failureText(LABEL, "volume vol-1 does not exist", OUTCOME.nothingCreated, "check volumeId"), LABEL), []);
  });

  it("catches a resource named twice, no outcome, no next step and doubled punctuation", () => {
    assert.deepEqual(failureShapeProblems('Snapshot "db": create of Snapshot "db" failed (last error: Request limit exceeded.).. Nothing more', LABEL), [
      "names the resource 2 times",
      "says nothing of what exists afterwards",
      'does not end with a next step (last sentence: "Nothing more")',
      "does not end with a full stop",
      "has doubled punctuation",
    ]);
  });
});
