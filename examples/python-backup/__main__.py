"""A database server's backup in Python: the data volumes of an instance in one crash-consistent
SnapshotSet (EC2 CreateSnapshots, boot volume left out), and one more volume in its own Snapshot.
The `environment` tag comes from config, so changing it shows an in-place tag update.

    pulumi config set ebs-snapshots:region us-east-1
    pulumi config set instanceId i-0123456789abcdef0
    pulumi config set volumeId vol-0123456789abcdef0
    pulumi config set environment production   # optional, default staging
    pulumi up
"""

import pulumi
import pulumi_ebs_snapshots as ebs

config = pulumi.Config()
instance_id = config.require("instanceId")
volume_id = config.require("volumeId")
environment = config.get("environment") or "staging"

tags = {"ManagedBy": "pulumi", "Environment": environment, "Backup": "nightly"}

# Every data volume of the instance, snapshotted at one point in time.
data = ebs.SnapshotSet(
    "data",
    instance_id=instance_id,
    exclude_boot_volume=True,
    description=f"Data volumes of {instance_id}",
    tags=tags,
)

# One volume on its own.
archive = ebs.Snapshot(
    "archive",
    volume_id=volume_id,
    description=f"Archive volume {volume_id}",
    tags=tags,
)

pulumi.export("dataSnapshotIds", data.snapshot_ids)
pulumi.export("archiveSnapshotId", archive.snapshot_id)
