import assert from "node:assert/strict";
import type { Instance, Volume } from "@aws-sdk/client-ec2";
import { attachedInstanceId, consistencyAdvice, pendingSnapshotLimit } from "../../../provider/ec2/volumeAdvice";

const INSTANCE_ID = "i-0123456789abcdef0";
const VOLUME_ID = "vol-0123456789abcdef0";

function volumeAt(device: string | undefined, state: "attached" | "detached" = "attached"): Volume {
  return { VolumeId: VOLUME_ID, Attachments: [{ InstanceId: INSTANCE_ID, Device: device, State: state }] };
}

function instance(state: "running" | "stopped" | "stopping"): Instance {
  return { InstanceId: INSTANCE_ID, RootDeviceName: "/dev/xvda", State: { Name: state } };
}

describe("consistencyAdvice", () => {
  it("warns that the root device of a running instance gets a crash-consistent snapshot only", () => {
    assert.equal(
      consistencyAdvice(volumeAt("/dev/xvda"), instance("running")),
      `volume ${VOLUME_ID} is the root device (/dev/xvda) of running instance ${INSTANCE_ID}; ` +
        "the snapshot will be crash-consistent only. Stop the instance first for a consistent snapshot of a root volume.",
    );
  });

  it("advises pausing writes for a data volume of a running instance", () => {
    assert.equal(
      consistencyAdvice(volumeAt("/dev/sdf"), instance("running")),
      `volume ${VOLUME_ID} is attached to running instance ${INSTANCE_ID} at /dev/sdf; ` +
        "the snapshot captures only data already written to the volume. Pause writes (for example fsfreeze) or stop the instance for a consistent snapshot.",
    );
  });

  it("says an unknown device when EC2 gives none", () => {
    assert.equal(
      consistencyAdvice(volumeAt(undefined), instance("running")),
      `volume ${VOLUME_ID} is attached to running instance ${INSTANCE_ID} at an unknown device; ` +
        "the snapshot captures only data already written to the volume. Pause writes (for example fsfreeze) or stop the instance for a consistent snapshot.",
    );
  });

  it("gives no advice for a stopped or stopping instance, a detached volume, another instance or none", () => {
    assert.deepEqual(
      [
        consistencyAdvice(volumeAt("/dev/xvda"), instance("stopped")),
        consistencyAdvice(volumeAt("/dev/xvda"), instance("stopping")),
        consistencyAdvice(volumeAt("/dev/xvda", "detached"), instance("running")),
        consistencyAdvice(volumeAt("/dev/xvda"), { ...instance("running"), InstanceId: "i-0fedcba9876543210" }),
        consistencyAdvice(volumeAt("/dev/xvda"), undefined),
        consistencyAdvice({ VolumeId: VOLUME_ID }, instance("running")),
      ],
      [undefined, undefined, undefined, undefined, undefined, undefined],
    );
  });
});

describe("attachedInstanceId", () => {
  it("finds the instance of the first attachment that is not detached", () => {
    const volume: Volume = {
      Attachments: [{ InstanceId: "i-00000000000000001", State: "detached" }, { State: "attached" }, { InstanceId: INSTANCE_ID, State: "attaching" }],
    };
    assert.equal(attachedInstanceId(volume), INSTANCE_ID);
  });

  it("finds none for an unattached volume", () => {
    assert.deepEqual([attachedInstanceId({}), attachedInstanceId(volumeAt("/dev/sdf", "detached"))], [undefined, undefined]);
  });
});

describe("pendingSnapshotLimit", () => {
  it("allows 1 pending snapshot on st1 and sc1 volumes and 5 on the rest", () => {
    assert.deepEqual(
      (["st1", "sc1", "gp3", "gp2", "io2", "standard", undefined] as const).map((VolumeType) => pendingSnapshotLimit({ VolumeType })),
      [1, 1, 5, 5, 5, 5, 5],
    );
  });

  it("allows 5 when the volume could not be described", () => {
    assert.equal(pendingSnapshotLimit(undefined), 5);
  });
});
