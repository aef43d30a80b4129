/**
 * The example programs under examples/ are real Pulumi projects. These tests keep them honest:
 * - layout and Pulumi.yaml: what `pulumi up` in each folder (or at the repository root) would run;
 * - type checking: with each example's own tsconfig.json, as Pulumi's ts-node does, and as part of the build;
 * - behaviour: each compiled program runs under pulumi.runtime.setMocks in a child process of its own
 *   (mocks, config and module cache are process-global), and the resources it registers are asserted.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { fieldsOf, validateInputs } from "../../provider/inputs/validate";
import { SNAPSHOT_SPEC } from "../../provider/resources/snapshot/spec";
import { SNAPSHOT_SET_SPEC } from "../../provider/resources/snapshotSet/spec";
import { VOLUME_SET_SPEC } from "../../provider/resources/volumeSet/spec";
import { COMPILED_EXAMPLES_DIR, EXAMPLES_DIR, exampleNames, parseProjectFile, readProjectFile, runExample, type ExampleRun, type ProjectValue } from "../support/examplesHarness";
import {
  MOCK_INSTANCE_VOLUMES,
  MOCK_KMS_KEY,
  MOCK_REGION,
  MOCK_VOLUME_ID,
  SNAPSHOT_COPY_TOKEN,
  SNAPSHOT_SET_TOKEN,
  SNAPSHOT_TOKEN,
  VOLUME_SET_TOKEN,
  VOLUME_TOKEN,
  type RegisteredResource,
} from "../support/examplesMocks";
import { assertMatchesSchema, HOUSEKEEPING_OUTPUT_KEYS, REPO_ROOT } from "../support/schemaShape";

const EXAMPLES = ["aws-volume", "backup", "dr-copy", "protect", "restore", "share", "snapshot", "snapshot-set"];
const VOLUME = "vol-0123456789abcdef0";
const INSTANCE = "i-0123456789abcdef0";
const validateSnapshotInputs = (props: Record<string, unknown>) => validateInputs(fieldsOf(SNAPSHOT_SPEC), props);
const validateSnapshotSetInputs = (props: Record<string, unknown>) => validateInputs(fieldsOf(SNAPSHOT_SET_SPEC), props);
const validateVolumeSetInputs = (props: Record<string, unknown>) => validateInputs(fieldsOf(VOLUME_SET_SPEC), props);

/** Inputs the SDK adds besides the user's: its bookkeeping keys (the serialized provider is recorded apart). */
const SDK_KEYS = HOUSEKEEPING_OUTPUT_KEYS.filter((key) => key !== "__provider");

function source(name: string): string {
  return fs.readFileSync(path.join(EXAMPLES_DIR, name, "index.ts"), "utf8");
}

function asBlock(value: ProjectValue | undefined): Record<string, ProjectValue> {
  return value !== undefined && typeof value === "object" ? value : {};
}

/** Config keys a program reads with `config.<method>("key"...)`, split into required and optional ones. */
function configReads(text: string): { required: string[]; optional: string[] } {
  const reads = [...text.matchAll(/config\.(require|get)(?:Secret)?(?:Number|Boolean|Object)?\(\s*"([^"]+)"/g)];
  return {
    required: [...new Set(reads.filter((m) => m[1] === "require").map((m) => m[2]))].sort(),
    optional: [...new Set(reads.filter((m) => m[1] === "get").map((m) => m[2]))].sort(),
  };
}

function only(run: ExampleRun, type: string): RegisteredResource {
  const found = run.resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `expected one ${type}, got ${found.length}: ${JSON.stringify(run.resources.map((r) => r.type))}`);
  return found[0];
}

/** The user inputs a resource was registered with, without the SDK's bookkeeping keys. */
function userInputs(resource: RegisteredResource): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resource.inputs).filter(([key]) => !SDK_KEYS.includes(key)));
}

function assertSucceeded(run: ExampleRun): void {
  assert.equal(run.error, undefined, `the program failed: ${run.error}\n${run.stderr}`);
  assert.equal(run.ok, true, run.stderr);
  assert.equal(run.exitCode, 0, run.stderr);
}

describe("examples", function () {
  this.timeout(120_000);

  describe("layout", () => {
    it("has exactly the eight documented examples", () => {
      assert.deepEqual(exampleNames(), EXAMPLES);
    });

    for (const name of EXAMPLES) {
      it(`examples/${name} is a Pulumi project folder: Pulumi.yaml, index.ts, tsconfig.json and README.md`, () => {
        for (const file of ["Pulumi.yaml", "index.ts", "tsconfig.json", "README.md"]) {
          assert.ok(fs.existsSync(path.join(EXAMPLES_DIR, name, file)), `examples/${name}/${file} is missing`);
        }
      });

      it(`examples/${name} has no package.json or node_modules: it resolves packages from the repository root`, () => {
        for (const entry of ["package.json", "node_modules", "package-lock.json"]) {
          assert.ok(!fs.existsSync(path.join(EXAMPLES_DIR, name, entry)), `examples/${name}/${entry} should not exist`);
        }
      });

      it(`examples/${name}/Pulumi.yaml is a nodejs project with a description and an explicit main: index.ts`, () => {
        const project = readProjectFile(path.join(EXAMPLES_DIR, name));
        assert.equal(project.runtime, "nodejs");
        assert.ok(typeof project.description === "string" && project.description.length > 20, "a description");
        // Without it, the nodejs host would take the entry point of the repository's package.json (the SDK).
        assert.equal(project.main, "index.ts");
      });

      it(`examples/${name}/Pulumi.yaml declares, with a type and no default, each config key the program requires`, () => {
        const declared = asBlock(readProjectFile(path.join(EXAMPLES_DIR, name)).config);
        const reads = configReads(source(name));
        for (const key of reads.required) {
          const entry = asBlock(declared[key]);
          assert.equal(entry.type, "string", `config ${key} should be declared with type string`);
          assert.equal(entry.default, undefined, `config ${key} is required: no default`);
          assert.ok(typeof entry.description === "string" && entry.description.length > 0, `config ${key} needs a description`);
        }
        for (const key of Object.keys(declared)) {
          assert.ok([...reads.required, ...reads.optional].includes(key), `Pulumi.yaml declares config ${key}, which index.ts never reads`);
        }
      });

      it(`examples/${name}/README.md shows how to set every config key the program reads`, () => {
        const readme = fs.readFileSync(path.join(EXAMPLES_DIR, name, "README.md"), "utf8");
        const reads = configReads(source(name));
        for (const key of [...reads.required, ...reads.optional, "aws:region"]) {
          assert.ok(readme.includes(`pulumi config set ${key} `), `README.md should show \`pulumi config set ${key} ...\``);
        }
      });
    }

    it("gives the examples distinct project names", () => {
      const names = EXAMPLES.map((name) => readProjectFile(path.join(EXAMPLES_DIR, name)).name);
      assert.equal(new Set(names).size, names.length, JSON.stringify(names));
    });

    it("imports this package by its name, as a user would, in every example", () => {
      for (const name of EXAMPLES) {
        assert.match(source(name), /from "pulumi-ebs-snapshots"/, name);
        assert.doesNotMatch(source(name), /from "\.\.\//, `${name} should not import repository files by path`);
      }
    });
  });

  describe("root Pulumi.yaml", () => {
    const root = (): Record<string, ProjectValue> => parseProjectFile(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));

    it("is a nodejs project whose main is an example's index.ts, named as a file", () => {
      const project = root();
      assert.equal(project.runtime, "nodejs");
      assert.ok(typeof project.description === "string" && project.description.length > 20);
      // A file, not a folder: for a folder, the nodejs host would run the entry point of the repository's
      // package.json (dist/sdk/index.js) instead of the example.
      assert.equal(project.main, "examples/backup/index.ts");
      assert.ok(fs.existsSync(path.join(REPO_ROOT, project.main)));
    });

    it("has a project name of its own and declares the config of the example it runs", () => {
      const project = root();
      assert.ok(!EXAMPLES.map((name) => readProjectFile(path.join(EXAMPLES_DIR, name)).name).includes(project.name));
      const example = readProjectFile(path.join(EXAMPLES_DIR, "backup"));
      assert.deepEqual(root().config, example.config);
    });
  });

  describe("type checking", () => {
    it("includes every example in the root tsconfig, so the build type-checks and compiles them", () => {
      const configFile = path.join(REPO_ROOT, "tsconfig.json");
      const { config } = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file)) as { config: unknown };
      const parsed = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT, undefined, configFile);
      const included = new Set(parsed.fileNames.map((file) => path.resolve(file)));
      for (const name of EXAMPLES) {
        assert.ok(included.has(path.join(EXAMPLES_DIR, name, "index.ts")), `the root tsconfig.json does not include examples/${name}/index.ts`);
        assert.ok(fs.existsSync(path.join(COMPILED_EXAMPLES_DIR, name, "index.js")), `dist/examples/${name}/index.js: run npx tsc -p tsconfig.json`);
      }
    });

    for (const name of EXAMPLES) {
      it(`type-checks examples/${name} with its own tsconfig.json, as Pulumi's ts-node will`, () => {
        const dir = path.join(EXAMPLES_DIR, name);
        const configFile = path.join(dir, "tsconfig.json");
        const { config, error } = ts.readConfigFile(configFile, (file) => ts.sys.readFile(file)) as { config: unknown; error?: ts.Diagnostic };
        assert.equal(error, undefined);
        const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir, { noEmit: true }, configFile);
        assert.deepEqual(parsed.errors, []);
        assert.deepEqual(
          parsed.fileNames.map((file) => path.relative(dir, file)),
          ["index.ts"],
        );
        const program = ts.createProgram(parsed.fileNames, parsed.options);
        const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
          const where = d.file ? `${path.relative(REPO_ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
          return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
        });
        assert.deepEqual(diagnostics, []);
      });
    }
  });

  describe("under mocks", () => {
    describe("snapshot", () => {
      let run: ExampleRun;
      before(async () => {
        run = await runExample("snapshot", { volumeId: VOLUME });
      });

      it("registers exactly one Snapshot, of the configured volume, with tags, timeouts and a description", () => {
        assertSucceeded(run);
        assert.deepEqual(
          run.resources.map((r) => [r.type, r.name]),
          [[SNAPSHOT_TOKEN, "volume-snapshot"]],
        );
        const snapshot = only(run, SNAPSHOT_TOKEN);
        assert.ok(snapshot.hasProvider, "the dynamic provider was serialized into __provider");
        assert.deepEqual(userInputs(snapshot), {
          volumeId: VOLUME,
          description: `Snapshot of ${VOLUME} (ebs-snapshot/test)`,
          tags: { Name: `test-${VOLUME}`, ManagedBy: "pulumi", Stack: "test" },
          timeouts: { create: "30m", delete: "15m" },
        });
      });

      it("gives inputs the provider's check accepts", () => {
        assert.deepEqual(validateSnapshotInputs(only(run, SNAPSHOT_TOKEN).inputs), []);
      });

      it("exports the snapshot's id, state, encryption and KMS key", () => {
        const snapshot = only(run, SNAPSHOT_TOKEN);
        assert.deepEqual(run.exports, { id: snapshot.id, state: "completed", encrypted: true, kmsKeyId: MOCK_KMS_KEY });
      });

      it("stops with the config key to set when volumeId is missing, registering nothing", async () => {
        const missing = await runExample("snapshot", {});
        assert.equal(missing.ok, false);
        assert.notEqual(missing.exitCode, 0);
        assert.match(missing.error ?? "", /Missing required configuration variable 'ebs-snapshot:volumeId'/);
        assert.match(missing.error ?? "", /pulumi config set ebs-snapshot:volumeId <value>/);
        assert.deepEqual(missing.resources, []);
      });

      it("stops on a malformed volume id before registering anything", async () => {
        const malformed = await runExample("snapshot", { volumeId: "vol-xyz" });
        assert.equal(malformed.ok, false);
        assert.match(malformed.error ?? "", /ebs-snapshot:volumeId/);
        assert.match(malformed.error ?? "", /does not match the regular expression/);
        assert.deepEqual(malformed.resources, []);
      });
    });

    describe("backup", () => {
      const ARCHIVE = "vol-0fedcba9876543210";
      let run: ExampleRun;
      before(async () => {
        run = await runExample("backup", { instanceId: INSTANCE, archiveVolumeId: ARCHIVE });
      });

      it("registers a SnapshotSet of the server and a Snapshot of the archive volume, tagged for staging by default", () => {
        assertSucceeded(run);
        // The runtime does not promise registration in construction order.
        assert.deepEqual(run.resources.map((r) => [r.type, r.name]).sort(), [
          [SNAPSHOT_TOKEN, "archive"],
          [SNAPSHOT_SET_TOKEN, "db-server"],
        ]);
        const tags = { ManagedBy: "pulumi", Environment: "staging", Backup: "nightly" };
        assert.deepEqual(userInputs(only(run, SNAPSHOT_SET_TOKEN)), { instanceId: INSTANCE, description: `Backup of ${INSTANCE}`, tags, timeouts: { create: "2h" } });
        assert.deepEqual(userInputs(only(run, SNAPSHOT_TOKEN)), { volumeId: ARCHIVE, description: `Archive volume ${ARCHIVE}`, tags });
        assert.deepEqual(validateSnapshotSetInputs(only(run, SNAPSHOT_SET_TOKEN).inputs), []);
        assert.deepEqual(validateSnapshotInputs(only(run, SNAPSHOT_TOKEN).inputs), []);
      });

      it("takes the Environment tag from config, so a change of it is a tag change only", async () => {
        const production = await runExample("backup", { instanceId: INSTANCE, archiveVolumeId: ARCHIVE, environment: "production" });
        assertSucceeded(production);
        for (const resource of production.resources) {
          assert.deepEqual(resource.inputs.tags, { ManagedBy: "pulumi", Environment: "production", Backup: "nightly" });
        }
        const strip = (r: RegisteredResource): string => JSON.stringify({ name: r.name, inputs: { ...userInputs(r), tags: undefined } });
        assert.deepEqual(production.resources.map(strip).sort(), run.resources.map(strip).sort());
      });

      it("exports the set's snapshot ids and state and the archive snapshot's id and encryption", () => {
        const set = only(run, SNAPSHOT_SET_TOKEN).state as { snapshotIds: string[] };
        assert.deepEqual(run.exports, {
          serverSnapshotIds: set.snapshotIds,
          serverState: "completed",
          archiveSnapshotId: only(run, SNAPSHOT_TOKEN).id,
          archiveEncrypted: true,
          archiveKmsKeyId: MOCK_KMS_KEY,
        });
      });

      it("stops with the config key to set when archiveVolumeId is missing", async () => {
        const missing = await runExample("backup", { instanceId: INSTANCE });
        assert.equal(missing.ok, false);
        assert.match(missing.error ?? "", /pulumi config set ebs-backup:archiveVolumeId <value>/);
        assert.deepEqual(missing.resources, []);
      });
    });

    describe("dr-copy", () => {
      it("registers a Snapshot and a SnapshotCopy of it in copyRegion that carries its tags, re-encrypted when a key is given", async () => {
        const run = await runExample("dr-copy", { volumeId: VOLUME, copyRegion: MOCK_REGION });
        assertSucceeded(run);
        assert.deepEqual(
          run.resources.map((r) => [r.type, r.name]),
          [
            [SNAPSHOT_TOKEN, "nightly"],
            [SNAPSHOT_COPY_TOKEN, "offsite"],
          ],
        );
        const snapshot = only(run, SNAPSHOT_TOKEN);
        assert.deepEqual(userInputs(only(run, SNAPSHOT_COPY_TOKEN)), {
          sourceSnapshotId: snapshot.id,
          sourceRegion: MOCK_REGION,
          region: MOCK_REGION,
          copyTagsFromSource: true,
          tags: { Copy: "offsite" },
        });
        assert.deepEqual(run.exports, {
          snapshotId: snapshot.id,
          copyId: only(run, SNAPSHOT_COPY_TOKEN).id,
          copyRegionUsed: MOCK_REGION,
          copyEncrypted: false,
          copyState: "completed",
        });

        const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const elsewhere = await runExample("dr-copy", { volumeId: VOLUME, copyRegion: "eu-west-1", copyKmsKeyId: key });
        assertSucceeded(elsewhere);
        const copy = userInputs(only(elsewhere, SNAPSHOT_COPY_TOKEN));
        assert.deepEqual([copy.region, copy.encrypted, copy.kmsKeyId], ["eu-west-1", true, key]);
        assert.equal(elsewhere.exports.copyRegionUsed, "eu-west-1");
      });
    });

    describe("share", () => {
      it("registers a Snapshot shared with the configured account, and refuses an id that is not 12 digits", async () => {
        const run = await runExample("share", { volumeId: VOLUME, shareWith: "111122223333" });
        assertSucceeded(run);
        assert.deepEqual(userInputs(only(run, SNAPSHOT_TOKEN)), { volumeId: VOLUME, description: "Shared with 111122223333", sharing: { accountIds: ["111122223333"] } });
        const bad = await runExample("share", { volumeId: VOLUME, shareWith: "1111" });
        assert.equal(bad.ok, false);
        assert.match(bad.error ?? "", /ebs-share:shareWith/);
        assert.deepEqual(bad.resources, []);
      });
    });

    describe("protect", () => {
      let run: ExampleRun;
      before(async () => {
        run = await runExample("protect", { volumeId: VOLUME });
      });

      it("registers one Snapshot of the volume, locked in governance mode for 7 days and archived, by default", () => {
        assertSucceeded(run);
        assert.deepEqual(
          run.resources.map((r) => [r.type, r.name]),
          [[SNAPSHOT_TOKEN, "retained"]],
        );
        const snapshot = only(run, SNAPSHOT_TOKEN);
        assert.deepEqual(userInputs(snapshot), {
          volumeId: VOLUME,
          description: `Retained backup of ${VOLUME} (test)`,
          tags: { ManagedBy: "pulumi", Retention: "7d" },
          lock: { mode: "governance", duration: "7d" },
          storageTier: "archive",
        });
        assert.deepEqual(validateSnapshotInputs(snapshot.inputs), []);
      });

      it("exports the snapshot's id and tier; the mocks know no locks, so lockState and lockExpiresOn stay unset", () => {
        // The mocked engine echoes inputs (storageTier among them) and reports no lock outputs: the real
        // lock outputs are asserted through the CLI, against the fault proxy, in tests/e2e/protection.test.ts.
        assert.deepEqual(run.exports, { snapshotId: only(run, SNAPSHOT_TOKEN).id, storageTier: "archive" });
      });

      it("takes the lock's duration and the tier from config, and the check accepts them", async () => {
        const configured = await runExample("protect", { volumeId: VOLUME, lockDuration: "30d", storageTier: "standard" });
        assertSucceeded(configured);
        const inputs = userInputs(only(configured, SNAPSHOT_TOKEN));
        assert.deepEqual([inputs.lock, inputs.storageTier, inputs.tags], [{ mode: "governance", duration: "30d" }, "standard", { ManagedBy: "pulumi", Retention: "30d" }]);
        assert.deepEqual(validateSnapshotInputs(only(configured, SNAPSHOT_TOKEN).inputs), []);
      });

      it("stops on a duration that is not whole days, or a tier EC2 does not have, before registering anything", async () => {
        const weeks = await runExample("protect", { volumeId: VOLUME, lockDuration: "1w" });
        assert.equal(weeks.ok, false);
        assert.match(weeks.error ?? "", /ebs-protect:lockDuration/);
        assert.match(weeks.error ?? "", /does not match the regular expression/);
        assert.deepEqual(weeks.resources, []);
        const glacier = await runExample("protect", { volumeId: VOLUME, storageTier: "glacier" });
        assert.equal(glacier.ok, false);
        assert.match(glacier.error ?? "", /ebs-protect:storageTier/);
        assert.deepEqual(glacier.resources, []);
      });

      it("stops with the config key to set when volumeId is missing", async () => {
        const missing = await runExample("protect", {});
        assert.equal(missing.ok, false);
        assert.match(missing.error ?? "", /pulumi config set ebs-protect:volumeId <value>/);
        assert.deepEqual(missing.resources, []);
      });
    });

    describe("snapshot-set", () => {
      let run: ExampleRun;
      before(async () => {
        run = await runExample("snapshot-set", { instanceId: INSTANCE });
      });

      it("registers exactly one SnapshotSet of the configured instance, boot volume included, copying volume tags", () => {
        assertSucceeded(run);
        assert.deepEqual(
          run.resources.map((r) => [r.type, r.name]),
          [[SNAPSHOT_SET_TOKEN, "instance-snapshots"]],
        );
        const set = only(run, SNAPSHOT_SET_TOKEN);
        assert.ok(set.hasProvider);
        assert.deepEqual(userInputs(set), {
          instanceId: INSTANCE,
          excludeBootVolume: false,
          copyTagsFromSource: true,
          description: `Snapshot set of ${INSTANCE} (ebs-snapshot-set/test)`,
          tags: { ManagedBy: "pulumi", Stack: "test", SnapshotSet: INSTANCE },
        });
      });

      it("gives inputs the provider's check accepts", () => {
        assert.deepEqual(validateSnapshotSetInputs(only(run, SNAPSHOT_SET_TOKEN).inputs), []);
      });

      it("exports the snapshot ids and a per-volume table keyed by volume id", () => {
        const state = only(run, SNAPSHOT_SET_TOKEN).state as { snapshotIds: string[]; snapshots: { snapshotId: string }[] };
        assert.deepEqual(run.exports.snapshotIds, state.snapshotIds);
        assert.equal(state.snapshotIds.length, MOCK_INSTANCE_VOLUMES.length, "both volumes, root included");
        assert.equal(run.exports.state, "completed");
        assert.equal(run.exports.encrypted, false);
        assert.deepEqual(
          run.exports.volumes,
          Object.fromEntries(
            MOCK_INSTANCE_VOLUMES.map((volume, index) => [
              volume.volumeId,
              { deviceName: volume.deviceName, snapshotId: state.snapshots[index].snapshotId, sizeGiB: volume.volumeSize, encrypted: false, state: "completed" },
            ]),
          ),
        );
      });

      it("stops with the config key to set when instanceId is missing", async () => {
        const missing = await runExample("snapshot-set", {});
        assert.equal(missing.ok, false);
        assert.match(missing.error ?? "", /pulumi config set ebs-snapshot-set:instanceId <value>/);
        assert.deepEqual(missing.resources, []);
      });
    });

    describe("restore", () => {
      const DR_INSTANCE = "i-0fedcba9876543210";
      const ZONE = "us-west-2a";
      let run: ExampleRun;
      before(async () => {
        run = await runExample("restore", { instanceId: INSTANCE, drInstanceId: DR_INSTANCE, availabilityZone: ZONE });
      });

      it("registers a SnapshotSet of the instance without its boot volume, and a VolumeSet of its members attached to the standby", () => {
        assertSucceeded(run);
        assert.deepEqual(run.resources.map((r) => [r.type, r.name]).sort(), [
          [SNAPSHOT_SET_TOKEN, "source"],
          [VOLUME_SET_TOKEN, "standby"],
        ]);
        const tags = { ManagedBy: "pulumi", Drill: "test", Source: INSTANCE };
        const set = only(run, SNAPSHOT_SET_TOKEN);
        assert.deepEqual(userInputs(set), { instanceId: INSTANCE, excludeBootVolume: true, description: `DR drill of ${INSTANCE} (test)`, tags });
        // The set's members are passed whole, each with the device name the standby gets it at.
        const members = (set.state as { snapshots: unknown[] }).snapshots;
        assert.deepEqual(userInputs(only(run, VOLUME_SET_TOKEN)), {
          snapshots: members,
          availabilityZone: ZONE,
          attach: { instanceId: DR_INSTANCE },
          tags: { ...tags, RestoredTo: DR_INSTANCE },
        });
      });

      it("gives inputs the provider's check accepts, the SnapshotSet's members included as they are", () => {
        assert.deepEqual(validateSnapshotSetInputs(only(run, SNAPSHOT_SET_TOKEN).inputs), []);
        assert.deepEqual(validateVolumeSetInputs(only(run, VOLUME_SET_TOKEN).inputs), []);
      });

      it("exports the snapshot ids, the restored volume ids, and each device name with its volume: the data volume only", () => {
        const set = only(run, SNAPSHOT_SET_TOKEN).state as { snapshotIds: string[] };
        const restored = only(run, VOLUME_SET_TOKEN).state as { volumeIds: string[] };
        const data = MOCK_INSTANCE_VOLUMES.slice(1);
        assert.equal(restored.volumeIds.length, data.length, "the boot volume is not restored");
        assert.deepEqual(run.exports, {
          snapshotIds: set.snapshotIds,
          volumeIds: restored.volumeIds,
          devices: Object.fromEntries(data.map((volume, index) => [volume.deviceName, restored.volumeIds[index]])),
        });
      });

      it("stops on a malformed standby id, or with the config key to set when one is missing, before registering anything", async () => {
        const malformed = await runExample("restore", { instanceId: INSTANCE, drInstanceId: "standby", availabilityZone: ZONE });
        assert.equal(malformed.ok, false);
        assert.match(malformed.error ?? "", /ebs-restore:drInstanceId/);
        assert.match(malformed.error ?? "", /does not match the regular expression/);
        assert.deepEqual(malformed.resources, []);
        const missing = await runExample("restore", { instanceId: INSTANCE, drInstanceId: DR_INSTANCE });
        assert.equal(missing.ok, false);
        assert.match(missing.error ?? "", /pulumi config set ebs-restore:availabilityZone <value>/);
        assert.deepEqual(missing.resources, []);
      });
    });

    describe("aws-volume", () => {
      let run: ExampleRun;
      before(async () => {
        run = await runExample("aws-volume", {});
      });

      it("creates an encrypted gp3 volume in the region's first available zone", () => {
        assertSucceeded(run);
        assert.deepEqual(
          run.calls.map((c) => [c.token, c.inputs]),
          [["aws:index/getAvailabilityZones:getAvailabilityZones", { state: "available" }]],
        );
        const volume = only(run, VOLUME_TOKEN);
        assert.deepEqual(volume.inputs, {
          availabilityZone: "us-west-2a",
          size: 1,
          type: "gp3",
          encrypted: true,
          tags: { ManagedBy: "pulumi", Stack: "test", Name: "test-data" },
        });
      });

      it("snapshots that volume: the Snapshot's volumeId is the mocked volume's id, in the volume's region", () => {
        const snapshot = only(run, SNAPSHOT_TOKEN);
        assert.equal(snapshot.name, "data-snapshot");
        assert.deepEqual(userInputs(snapshot), {
          volumeId: MOCK_VOLUME_ID,
          region: MOCK_REGION,
          description: `Snapshot of ${MOCK_VOLUME_ID} (ebs-snapshot-aws-volume/test)`,
          tags: { ManagedBy: "pulumi", Stack: "test", Name: "test-data-snapshot" },
          timeouts: { create: "30m" },
        });
        assert.deepEqual(validateSnapshotInputs(snapshot.inputs), []);
        assert.deepEqual(
          run.resources.map((r) => r.type),
          [VOLUME_TOKEN, SNAPSHOT_TOKEN],
        );
      });

      it("exports the volume and snapshot ids and the snapshot's encryption", () => {
        assert.deepEqual(run.exports, {
          volumeId: MOCK_VOLUME_ID,
          snapshotId: only(run, SNAPSHOT_TOKEN).id,
          state: "completed",
          encrypted: true,
          kmsKeyId: MOCK_KMS_KEY,
        });
      });

      it("uses the configured zone and size instead of looking a zone up", async () => {
        const configured = await runExample("aws-volume", { availabilityZone: "eu-west-1b", sizeGiB: "20" });
        assertSucceeded(configured);
        assert.deepEqual(configured.calls, []);
        const volume = only(configured, VOLUME_TOKEN);
        assert.equal(volume.inputs.availabilityZone, "eu-west-1b");
        assert.equal(volume.inputs.size, 20);
      });

      it("rejects a size outside 1-16384 GiB before registering anything", async () => {
        const tooBig = await runExample("aws-volume", { sizeGiB: "20000" });
        assert.equal(tooBig.ok, false);
        assert.match(tooBig.error ?? "", /ebs-snapshot-aws-volume:sizeGiB/);
        assert.deepEqual(tooBig.resources, []);
      });
    });

    describe("every example", () => {
      it("is answered by mocks whose dynamic-resource state matches schema.json", async () => {
        const runs = await Promise.all([
          runExample("snapshot", { volumeId: VOLUME }),
          runExample("snapshot-set", { instanceId: INSTANCE }),
          runExample("aws-volume", {}),
          runExample("protect", { volumeId: VOLUME }),
          runExample("restore", { instanceId: INSTANCE, drInstanceId: "i-0fedcba9876543210", availabilityZone: "us-west-2a" }),
        ]);
        for (const resource of runs.flatMap((r) => r.resources).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))) {
          assertMatchesSchema(resource.type, resource.state);
        }
      });

      it("runs the same whatever ran before it: each run is a fresh process", async () => {
        const first = await runExample("snapshot", { volumeId: VOLUME });
        await runExample("snapshot-set", { instanceId: INSTANCE });
        const again = await runExample("snapshot", { volumeId: VOLUME });
        assert.deepEqual(again.resources, first.resources);
        assert.deepEqual(again.exports, first.exports);
      });
    });
  });
});
