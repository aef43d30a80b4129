/**
 * schema.json against the code it describes. Each side is derived, never restated here:
 * - the SDK side from the TypeScript sources (sdk/*.ts, provider/types.ts) through the compiler API;
 * - replacement from the diff rules and limits/defaults from the validator's behaviour (compiled provider).
 * A change to any of them that the schema does not follow fails here.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SNAPSHOT_DIFF_RULES, SNAPSHOT_SET_DIFF_RULES, type DiffRule } from "../../provider/inputs/diff";
import { parseDuration } from "../../provider/inputs/duration";
import { DEFAULT_TIMEOUTS_MS } from "../../provider/lifecycle/timeouts";
import { SNAPSHOT_FIELDS, SNAPSHOT_SET_FIELDS, validateSnapshotInputs, validateSnapshotSetInputs, type CheckFailure } from "../../provider/inputs/validate";
import {
  assertMatchesSchema,
  HOUSEKEEPING_OUTPUT_KEYS,
  loadSchema,
  REPO_ROOT,
  refToken,
  schemaProblems,
  type PackageSchema,
  type PropertySpec,
  type ResourceSpec,
} from "../support/schemaShape";
import {
  collapse,
  collectRefs,
  readExportedClasses,
  readInterface,
  readResourceClass,
  readStringUnion,
  schemaTypeOf,
  type TsProperty,
  type TsResourceClass,
} from "../support/schemaSources";

type Props = Record<string, unknown>;
type Validate = (props: Props) => CheckFailure[];

const schema: PackageSchema = loadSchema();
const SDK_INDEX = "sdk/index.ts";
const SDK_TYPES = "sdk/types.ts";
const PROVIDER_TYPES = "provider/types.ts";
/** The token pulumi.dynamic.Resource registers (node_modules/@pulumi/pulumi/dynamic/index.js). */
const dynamicToken = (module: string, type: string): string => `pulumi-nodejs:dynamic/${module}:${type}`;

/** What the provider knows about each SDK class; a new class in sdk/index.ts without a row here fails. */
interface ProviderSide {
  rules: Readonly<Record<string, DiffRule>>;
  fields: Readonly<Record<string, { required?: boolean }>>;
  validate: Validate;
  /** The smallest valid inputs, to which one probed input at a time is added. */
  validBase: Props;
  /** The plain output shape in provider/types.ts. */
  outputsInterface: string;
}

const PROVIDER_SIDE: Readonly<Record<string, ProviderSide>> = {
  Snapshot: {
    rules: SNAPSHOT_DIFF_RULES,
    fields: SNAPSHOT_FIELDS,
    validate: validateSnapshotInputs,
    validBase: { volumeId: "vol-0123456789abcdef0" },
    outputsInterface: "SnapshotOutputs",
  },
  SnapshotSet: {
    rules: SNAPSHOT_SET_DIFF_RULES,
    fields: SNAPSHOT_SET_FIELDS,
    validate: validateSnapshotSetInputs,
    validBase: { instanceId: "i-0123456789abcdef0" },
    outputsInterface: "SnapshotSetOutputs",
  },
};

/** Keys the SDK and the host add that are not user inputs: `__provider` and the diff rules' ignore-kind keys. */
const INTERNAL_INPUTS = new Set(HOUSEKEEPING_OUTPUT_KEYS);

interface ResourceUnderTest {
  sdk: TsResourceClass;
  token: string;
  spec: ResourceSpec;
  args: Map<string, TsProperty>;
  provider: ProviderSide;
}

const classes = readExportedClasses(SDK_INDEX);
const RESOURCES: ResourceUnderTest[] = classes.map(({ name, file }) => {
  const sdk = readResourceClass(file, name);
  const token = dynamicToken(sdk.moduleArg, sdk.typeArg);
  const provider = PROVIDER_SIDE[name];
  if (provider === undefined) {
    throw new Error(`sdk/index.ts exports ${name}, which tests/unit/schema.test.ts has no PROVIDER_SIDE row for`);
  }
  return { sdk, token, spec: schema.resources[token], args: readInterface(file, sdk.argsInterface), provider };
});

/** The schema token prefix of this package's object types: the resources' `pulumi-nodejs:dynamic/<module>:`. */
const TYPE_PREFIX = dynamicToken(RESOURCES[0]?.sdk.moduleArg ?? "?", "");

const sorted = (names: Iterable<string>): string[] => [...names].sort();
const normalized = (text: string | undefined): string => collapse(text ?? "");

function tagMap(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `value${i}`]));
}

function volumeIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `vol-${i.toString(16).padStart(17, "0")}`);
}

/** The number a description names through `pattern`; fails the test when the description does not name it. */
function namedLimit(description: string | undefined, pattern: RegExp, what: string): number {
  const match = pattern.exec(description ?? "");
  assert.ok(match, `the description should name ${what} (matching ${pattern}); it reads: ${description}`);
  return Number(match[1]);
}

/** Every number the description introduces with "at most". */
function atMostNumbers(description: string | undefined): number[] {
  return [...(description ?? "").matchAll(/at most (\d+)/g)].map((m) => Number(m[1]));
}

function failuresAt(failures: CheckFailure[], property: string): CheckFailure[] {
  return failures.filter((f) => f.property === property || f.property.startsWith(`${property}[`) || f.property.startsWith(`${property}.`));
}

describe("schema.json", () => {
  describe("package", () => {
    it("is the package in package.json, at the same version", () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { name: string; version: string };
      assert.equal(schema.name, manifest.name);
      assert.equal(schema.version, manifest.version);
      assert.match(schema.name, /^[a-zA-Z][-a-zA-Z0-9_]*$/, "Pulumi's metaschema pattern for package names");
    });

    it("declares exactly one resource per SDK class, under the token pulumi.dynamic.Resource registers for it", () => {
      assert.deepEqual(sorted(Object.keys(schema.resources)), sorted(RESOURCES.map((r) => r.token)));
      assert.deepEqual(sorted(RESOURCES.map((r) => r.sdk.className)), ["Snapshot", "SnapshotSet"]);
      assert.equal(RESOURCES[0].token, "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot");
    });

    it("uses well-formed tokens whose package is the schema's name or an allowed package name", () => {
      const tokenPattern = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;
      const allowed = new Set([schema.name, ...(schema.allowedPackageNames ?? [])]);
      for (const token of [...Object.keys(schema.resources), ...Object.keys(schema.types ?? {})]) {
        assert.match(token, tokenPattern);
        assert.ok(allowed.has(token.split(":")[0]), `${token}: package must be one of ${[...allowed].join(", ")}`);
        if (token in (schema.types ?? {})) {
          assert.ok(token.startsWith(TYPE_PREFIX), `${token} should share the resources' module (${TYPE_PREFIX})`);
        }
      }
    });

    it("resolves every $ref to a declared type, and declares no type that nothing uses", () => {
      const refs = collectRefs(schema);
      for (const { at, ref } of refs) {
        const token = refToken(ref);
        assert.ok(token !== undefined && schema.types?.[token] !== undefined, `${at}: ${ref} names no type in schema.types`);
      }
      const used = new Set(refs.map(({ ref }) => refToken(ref)));
      assert.deepEqual(sorted(Object.keys(schema.types ?? {}).filter((t) => !used.has(t))), []);
    });

    it("gives every property a description, a valid type spec, and defaults of the property's own type", () => {
      const check = (spec: PropertySpec, at: string, needsDescription: boolean): void => {
        if (needsDescription) {
          assert.ok(normalized(spec.description).length > 0, `${at} has no description`);
        }
        assert.ok((spec.type === undefined) !== (spec.$ref === undefined), `${at} needs exactly one of type and $ref`);
        if (spec.type === "array") {
          assert.ok(spec.items, `${at} is an array without items`);
          check(spec.items, `${at}.items`, false);
        } else if (spec.type === "object") {
          check(spec.additionalProperties ?? { type: "string" }, `${at}.additionalProperties`, false);
        } else {
          assert.equal(spec.items, undefined, `${at} has items but is not an array`);
        }
        if (spec.default !== undefined) {
          const jsType = spec.type === "integer" || spec.type === "number" ? "number" : spec.type;
          assert.equal(typeof spec.default, jsType, `${at}: default ${JSON.stringify(spec.default)} is not a ${spec.type}`);
        }
      };
      for (const [token, resource] of Object.entries(schema.resources)) {
        assert.ok(normalized(resource.description).length > 0, `${token} has no description`);
        for (const [name, spec] of Object.entries(resource.inputProperties)) {
          check(spec, `${token}.inputProperties.${name}`, true);
        }
        for (const [name, spec] of Object.entries(resource.properties)) {
          check(spec, `${token}.properties.${name}`, true);
        }
        for (const name of resource.requiredInputs ?? []) {
          assert.ok(name in resource.inputProperties, `${token}: required input ${name} is not an input property`);
        }
        for (const name of resource.required ?? []) {
          assert.ok(name in resource.properties, `${token}: required output ${name} is not a property`);
        }
      }
      for (const [token, type] of Object.entries(schema.types ?? {})) {
        assert.ok(normalized(type.description).length > 0, `${token} has no description`);
        for (const [name, spec] of Object.entries(type.properties ?? {})) {
          check(spec, `${token}.properties.${name}`, true);
        }
        for (const name of type.required ?? []) {
          assert.ok(name in (type.properties ?? {}), `${token}: required ${name} is not a property`);
        }
      }
    });
  });

  for (const resource of RESOURCES) {
    const { sdk, token, args, provider } = resource;
    const spec = (): ResourceSpec => {
      assert.ok(resource.spec, `schema.json has no resource ${token}`);
      return resource.spec;
    };
    const inputNames = (): string[] => sorted(Object.keys(spec().inputProperties));
    const replaceKind = sorted(
      Object.entries(provider.rules)
        .filter(([, rule]) => rule.kind === "replace")
        .map(([name]) => name),
    );

    describe(`${sdk.className} (${token})`, () => {
      describe("inputs, against the SDK args interface " + sdk.argsInterface, () => {
        it("declares exactly the properties of the args interface", () => {
          assert.deepEqual(inputNames(), sorted(args.keys()));
        });

        it("requires exactly the args interface's non-optional properties", () => {
          assert.deepEqual(sorted(spec().requiredInputs ?? []), sorted([...args.values()].filter((p) => !p.optional).map((p) => p.name)));
        });

        it("types each input as the args interface does (Input<T> unwrapped)", () => {
          for (const [name, property] of args) {
            const declared = spec().inputProperties[name];
            assert.ok(declared, `input ${name} missing`);
            assert.equal(schemaTypeOf(declared, TYPE_PREFIX), property.type, `type of input ${name}`);
          }
        });

        it("describes each input with the args property's JSDoc first, adding only after it", () => {
          for (const [name, property] of args) {
            assert.ok(property.doc.length > 0, `${sdk.argsInterface}.${name} has no JSDoc`);
            const description = normalized(spec().inputProperties[name]?.description);
            assert.ok(description.startsWith(property.doc), `input ${name}:\n  schema: ${description}\n  JSDoc:  ${property.doc}`);
          }
        });

        it("describes the resource with the class's JSDoc first", () => {
          assert.ok(sdk.doc.length > 0, `${sdk.className} has no JSDoc`);
          assert.ok(normalized(spec().description).startsWith(sdk.doc), `${normalized(spec().description)}\n  JSDoc: ${sdk.doc}`);
        });
      });

      describe("outputs, against the class's declared pulumi.Output fields", () => {
        it("declares exactly the class's Output fields", () => {
          assert.deepEqual(sorted(Object.keys(spec().properties)), sorted(sdk.outputs.keys()));
        });

        it("requires exactly the Output fields whose type excludes undefined", () => {
          assert.deepEqual(sorted(spec().required ?? []), sorted([...sdk.outputs.values()].filter((p) => !p.optional).map((p) => p.name)));
        });

        it("types each output as the class declares it", () => {
          for (const [name, property] of sdk.outputs) {
            assert.equal(schemaTypeOf(spec().properties[name] ?? {}, TYPE_PREFIX), property.type, `type of output ${name}`);
          }
        });

        it("starts each output's description with the field's JSDoc, where the field has one", () => {
          for (const [name, property] of sdk.outputs) {
            if (property.doc !== "") {
              const description = normalized(spec().properties[name]?.description);
              assert.ok(description.startsWith(property.doc), `output ${name}:\n  schema: ${description}\n  JSDoc:  ${property.doc}`);
            }
          }
        });

        it("echoes every input as an output of the same type", () => {
          for (const [name, input] of Object.entries(spec().inputProperties)) {
            const output = spec().properties[name];
            assert.ok(output, `input ${name} is not an output`);
            assert.equal(schemaTypeOf(output, TYPE_PREFIX), schemaTypeOf(input, TYPE_PREFIX), `output ${name}`);
          }
        });

        it("has every output initialised in the constructor's props, so the resource object exposes it", () => {
          // pulumi.CustomResource creates an Output only for the keys of the props it is given.
          const requiredArgs = [...args.values()].filter((p) => !p.optional).map((p) => p.name);
          const registered = new Set([...sdk.propsKeys, ...(sdk.spreadsArgs ? requiredArgs : [])]);
          assert.deepEqual(sorted(Object.keys(spec().properties).filter((name) => !registered.has(name))), []);
        });

        it("passes in props, besides its outputs, exactly the diff rules' bookkeeping (ignore-kind) keys", () => {
          const extra = [...sdk.propsKeys].filter((key) => !(key in spec().properties));
          const ignored = Object.entries(provider.rules)
            .filter(([, rule]) => rule.kind === "ignore")
            .map(([name]) => name);
          assert.deepEqual(sorted(extra), sorted(ignored));
        });

        it(`matches the provider's plain output shape (provider/types.ts ${provider.outputsInterface}, less SDK housekeeping)`, () => {
          const plain = readInterface(PROVIDER_TYPES, provider.outputsInterface);
          const declared = [...plain.values()].filter((p) => !INTERNAL_INPUTS.has(p.name));
          assert.deepEqual(sorted(Object.keys(spec().properties)), sorted(declared.map((p) => p.name)));
          assert.deepEqual(sorted(spec().required ?? []), sorted(declared.filter((p) => !p.optional).map((p) => p.name)));
          for (const property of declared) {
            assert.equal(schemaTypeOf(spec().properties[property.name] ?? {}, TYPE_PREFIX), property.type, `type of ${property.name}`);
          }
        });
      });

      describe("replacement, against the diff rules", () => {
        it("has a diff rule for every input, and an input for every rule that is not bookkeeping", () => {
          const ruled = Object.entries(provider.rules)
            .filter(([, rule]) => rule.kind !== "ignore")
            .map(([name]) => name);
          assert.deepEqual(inputNames(), sorted(ruled));
          assert.deepEqual(
            sorted(
              Object.entries(provider.rules)
                .filter(([, rule]) => rule.kind === "ignore")
                .map(([name]) => name),
            ),
            sorted([...INTERNAL_INPUTS].filter((name) => name in provider.rules)),
          );
        });

        it("marks replaceOnChanges on exactly the replace-kind inputs", () => {
          const marked = Object.entries(spec().inputProperties)
            .filter(([, p]) => p.replaceOnChanges === true)
            .map(([name]) => name);
          assert.deepEqual(sorted(marked), replaceKind);
        });

        it("marks willReplaceOnChanges on exactly the same inputs (the provider itself replaces)", () => {
          const marked = Object.entries(spec().inputProperties)
            .filter(([, p]) => p.willReplaceOnChanges === true)
            .map(([name]) => name);
          assert.deepEqual(sorted(marked), replaceKind);
        });

        it("says 'Changing it replaces' in the description of exactly the replace-kind inputs", () => {
          const saying = Object.entries(spec().inputProperties)
            .filter(([, p]) => /Changing it replaces/.test(p.description ?? ""))
            .map(([name]) => name);
          assert.deepEqual(sorted(saying), replaceKind);
        });

        it("marks no output for replacement (outputs are not diffed)", () => {
          const marked = Object.entries(spec().properties).filter(([, p]) => p.replaceOnChanges || p.willReplaceOnChanges || p.default !== undefined);
          assert.deepEqual(marked, []);
        });

        it("gives as each input's default the value the diff rules take for an absent input", () => {
          for (const [name, property] of Object.entries(spec().inputProperties)) {
            if (property.default !== undefined) {
              assert.deepEqual(provider.rules[name]?.absent, property.default, `default of ${name}`);
            }
          }
        });
      });

      describe("validation, against provider/inputs/validate.ts", () => {
        it("validates exactly the schema's inputs, requiring exactly requiredInputs", () => {
          assert.deepEqual(sorted(Object.keys(provider.fields)), inputNames());
          const required = Object.entries(provider.fields)
            .filter(([, field]) => field.required === true)
            .map(([name]) => name);
          assert.deepEqual(sorted(required), sorted(spec().requiredInputs ?? []));
        });

        it("reports each required input, and only those, as missing from empty inputs", () => {
          const missing = provider
            .validate({})
            .filter((f) => /is required$/.test(f.reason))
            .map((f) => f.property);
          assert.deepEqual(sorted(missing), sorted(spec().requiredInputs ?? []));
        });

        it("accepts the minimal valid inputs the tests build on", () => {
          assert.deepEqual(provider.validate({ ...provider.validBase }), []);
        });

        it("enforces the description length the schema names: N characters pass, N+1 fail", () => {
          const limit = namedLimit(spec().inputProperties.description?.description, /at most (\d+) characters/, "a length limit");
          assert.deepEqual(provider.validate({ ...provider.validBase, description: "d".repeat(limit) }), []);
          const failures = provider.validate({ ...provider.validBase, description: "d".repeat(limit + 1) });
          assert.equal(failuresAt(failures, "description").length, 1, JSON.stringify(failures));
        });

        it("enforces the tag count the schema names: N tags pass, N+1 fail", () => {
          const limit = namedLimit(spec().inputProperties.tags?.description, /at most (\d+) tags/, "a tag count");
          assert.deepEqual(provider.validate({ ...provider.validBase, tags: tagMap(limit) }), []);
          assert.equal(failuresAt(provider.validate({ ...provider.validBase, tags: tagMap(limit + 1) }), "tags").length, 1);
        });

        it("enforces the tag key and value lengths the schema names", () => {
          const description = spec().inputProperties.tags?.description;
          const key = namedLimit(description, /each key at most (\d+) characters/, "a tag key length");
          const value = namedLimit(description, /each value at most (\d+) characters/, "a tag value length");
          const check = (tags: Record<string, string>): CheckFailure[] => failuresAt(provider.validate({ ...provider.validBase, tags }), "tags");
          assert.deepEqual(check({ ["k".repeat(key)]: "v" }), []);
          assert.equal(check({ ["k".repeat(key + 1)]: "v" }).length, 1);
          assert.deepEqual(check({ k: "v".repeat(value) }), []);
          assert.equal(check({ k: "v".repeat(value + 1) }).length, 1);
        });

        it("rejects the tag keys the schema reserves", () => {
          const description = spec().inputProperties.tags?.description ?? "";
          assert.match(description, /may not start with `aws:`/);
          const reserved = /The key `([^`]+)` is reserved/.exec(description)?.[1];
          assert.ok(reserved, "the description should name the reserved create-token key");
          for (const key of ["aws:createdBy", "AWS:team", reserved]) {
            assert.equal(failuresAt(provider.validate({ ...provider.validBase, tags: { [key]: "x" } }), "tags").length, 1, key);
          }
        });

        if ("excludeDataVolumeIds" in provider.fields) {
          it("enforces the excluded-volume count the schema names: N ids pass, N+1 fail", () => {
            const limit = namedLimit(spec().inputProperties.excludeDataVolumeIds?.description, /at most (\d+) volume ids/, "an id count");
            assert.deepEqual(provider.validate({ ...provider.validBase, excludeDataVolumeIds: volumeIds(limit) }), []);
            const failures = provider.validate({ ...provider.validBase, excludeDataVolumeIds: volumeIds(limit + 1) });
            assert.equal(failuresAt(failures, "excludeDataVolumeIds").length, 1);
          });
        }

        it("names no 'at most N' limit in an input description that these tests do not probe", () => {
          const probed: Readonly<Record<string, number[]>> = {
            description: [namedLimit(spec().inputProperties.description?.description, /at most (\d+) characters/, "a length limit")],
            tags: [
              namedLimit(spec().inputProperties.tags?.description, /at most (\d+) tags/, "a tag count"),
              namedLimit(spec().inputProperties.tags?.description, /each key at most (\d+) characters/, "a tag key length"),
              namedLimit(spec().inputProperties.tags?.description, /each value at most (\d+) characters/, "a tag value length"),
            ],
            excludeDataVolumeIds:
              "excludeDataVolumeIds" in spec().inputProperties
                ? [namedLimit(spec().inputProperties.excludeDataVolumeIds?.description, /at most (\d+) volume ids/, "an id count")]
                : [],
          };
          for (const [name, property] of Object.entries(spec().inputProperties)) {
            for (const n of atMostNumbers(property.description)) {
              assert.ok((probed[name] ?? []).includes(n), `input ${name} names "at most ${n}", which no test here checks`);
            }
          }
        });

        it("accepts every duration the timeouts description gives as an example", () => {
          const examples = [...(spec().inputProperties.timeouts?.description ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);
          assert.ok(examples.length >= 3, "the timeouts description should show duration examples");
          for (const duration of examples) {
            assert.deepEqual(provider.validate({ ...provider.validBase, timeouts: { create: duration, update: duration, delete: duration } }), [], duration);
          }
          assert.equal(failuresAt(provider.validate({ ...provider.validBase, timeouts: { create: "ten minutes" } }), "timeouts").length, 1);
        });
      });
    });
  }

  describe("object types", () => {
    const type = (name: string) => {
      const declared = schema.types?.[`${TYPE_PREFIX}${name}`];
      assert.ok(declared, `schema.types has no ${TYPE_PREFIX}${name}`);
      return declared;
    };
    const assertSameShape = (name: string, source: string, interfaceName: string): void => {
      const declared = type(name);
      const plain = readInterface(source, interfaceName);
      assert.deepEqual(sorted(Object.keys(declared.properties ?? {})), sorted(plain.keys()), `properties of ${name}`);
      assert.deepEqual(sorted(declared.required ?? []), sorted([...plain.values()].filter((p) => !p.optional).map((p) => p.name)), `required of ${name}`);
      for (const property of plain.values()) {
        assert.equal(schemaTypeOf(declared.properties?.[property.name] ?? {}, TYPE_PREFIX), property.type, `${name}.${property.name}`);
      }
    };

    it("Timeouts has the properties of the SDK's TimeoutsArgs and of the provider's Timeouts, all optional", () => {
      assertSameShape("Timeouts", SDK_TYPES, "TimeoutsArgs");
      assertSameShape("Timeouts", PROVIDER_TYPES, "Timeouts");
    });

    it("Timeouts describes each deadline with the TimeoutsArgs JSDoc, which names the schema's default", () => {
      for (const [name, property] of readInterface(SDK_TYPES, "TimeoutsArgs")) {
        const declared = type("Timeouts").properties?.[name];
        assert.ok(normalized(declared?.description).startsWith(property.doc), `Timeouts.${name}`);
        assert.ok(property.doc.includes(`Default "${String(declared?.default)}"`), `the JSDoc of ${name} should name the default ${declared?.default}`);
      }
    });

    it("Timeouts defaults are the provider's default deadlines", () => {
      const properties = type("Timeouts").properties ?? {};
      for (const [operation, ms] of Object.entries(DEFAULT_TIMEOUTS_MS)) {
        const declared = properties[operation]?.default;
        assert.equal(typeof declared, "string", `Timeouts.${operation} default`);
        assert.equal(parseDuration(declared as string), ms, `Timeouts.${operation} default ${declared}`);
      }
      assert.deepEqual(sorted(Object.keys(properties)), sorted(Object.keys(DEFAULT_TIMEOUTS_MS)));
    });

    it("ProductCode has the shape of provider/types.ts ProductCode", () => {
      assertSameShape("ProductCode", PROVIDER_TYPES, "ProductCode");
    });

    it("SnapshotSetMember has the shape of provider/types.ts SnapshotSetMember", () => {
      assertSameShape("SnapshotSetMember", PROVIDER_TYPES, "SnapshotSetMember");
    });

    it("SnapshotState enumerates exactly the members of provider/types.ts SnapshotState", () => {
      const declared = type("SnapshotState");
      assert.equal(declared.type, "string");
      assert.deepEqual(sorted((declared.enum ?? []).map((e) => String(e.value))), sorted(readStringUnion(PROVIDER_TYPES, "SnapshotState")));
    });
  });
});

describe("assertMatchesSchema", () => {
  const SNAPSHOT = "pulumi-nodejs:dynamic/ebs-snapshots:Snapshot";
  const SET = "pulumi-nodejs:dynamic/ebs-snapshots:SnapshotSet";

  /** `__provider` and the SDK's bookkeeping keys, as a real state carries them. */
  function housekeeping(name: string): Props {
    return Object.fromEntries(HOUSEKEEPING_OUTPUT_KEYS.map((key) => [key, key === "__provider" ? "exports.handler = ..." : name]));
  }

  /** Outputs as the provider returns them for a completed snapshot, plus the host's and the SDK's housekeeping keys. */
  function snapshotOutputs(): Props {
    return {
      volumeId: "vol-0123456789abcdef0",
      description: "nightly",
      tags: { team: "db" },
      waitForCompletion: true,
      timeouts: { create: "10m" },
      ...housekeeping("db"),
      snapshotId: "snap-0123456789abcdef0",
      arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0",
      state: "completed",
      progress: 100,
      encrypted: true,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
      ownerId: "123456789012",
      volumeSize: 8,
      startTime: "2024-05-01T10:00:00.000Z",
      productCodes: [{ productCodeId: "abc123", productCodeType: "marketplace" }],
      region: "us-east-1",
    };
  }

  function setOutputs(): Props {
    const member = (n: number): Props => ({
      snapshotId: `snap-0000000000000000${n}`,
      volumeId: `vol-0000000000000000${n}`,
      deviceName: `/dev/sd${"fg"[n - 1]}`,
      volumeSize: 8,
      encrypted: false,
      state: "completed",
      progress: 100,
      startTime: "2024-05-01T10:00:00.000Z",
      tags: { team: "db" },
      productCodes: [],
    });
    return {
      instanceId: "i-0123456789abcdef0",
      excludeBootVolume: true,
      tags: { team: "db" },
      ...housekeeping("set"),
      snapshotIds: ["snap-00000000000000001", "snap-00000000000000002"],
      snapshots: [member(1), member(2)],
      state: "completed",
      encrypted: false,
      region: "us-east-1",
    };
  }

  function problemsOf(token: string, outputs: Props): string[] {
    return schemaProblems(token, outputs, schema);
  }

  it("accepts a complete Snapshot outputs object, including __provider and the SDK's bookkeeping keys", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, snapshotOutputs()), []);
    assert.doesNotThrow(() => assertMatchesSchema(SNAPSHOT, snapshotOutputs()));
  });

  it("accepts a complete SnapshotSet outputs object, checking every member", () => {
    assert.deepEqual(problemsOf(SET, setOutputs()), []);
  });

  it("accepts outputs that leave out every optional output", () => {
    const minimal: Props = {
      volumeId: "vol-0123456789abcdef0",
      snapshotId: "snap-0123456789abcdef0",
      arn: "arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0",
      state: "pending",
      productCodes: [],
      tags: {},
      region: "us-east-1",
    };
    assert.deepEqual(problemsOf(SNAPSHOT, minimal), []);
  });

  it("names a required output that is missing", () => {
    const { arn: _arn, ...outputs } = snapshotOutputs();
    assert.deepEqual(problemsOf(SNAPSHOT, outputs), ["arn is required by the schema but missing"]);
  });

  it("names an output the schema does not declare", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), volumeArn: "arn:..." }), ["volumeArn is not declared in the schema"]);
  });

  it("names an output of the wrong JSON type", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), progress: "80%" }), ['progress should be a number, got a string ("80%")']);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), volumeSize: 8.5 }), ["volumeSize should be an integer, got a number (8.5)"]);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), encrypted: "true" }), ['encrypted should be a boolean, got a string ("true")']);
  });

  it("rejects values the dynamic-provider host cannot encode or that are not JSON: Date, undefined, null", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), startTime: new Date(0) }), ["startTime should be a string, got a Date"]);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), kmsKeyId: undefined }), ["kmsKeyId is undefined (the host cannot encode undefined; leave the key out instead)"]);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), ownerId: null }), ["ownerId is null; the schema declares string"]);
  });

  it("checks enum values", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), state: "deleted" }), [
      'state should be one of "pending", "completed", "error", "recoverable", "recovering", got a string ("deleted")',
    ]);
  });

  it("checks map values and object types inside arrays, naming the path", () => {
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), tags: { team: 1 } }), ['tags["team"] should be a string, got a number (1)']);
    assert.deepEqual(problemsOf(SNAPSHOT, { ...snapshotOutputs(), productCodes: [{ productCodeId: "abc" }] }), [
      "productCodes[0].productCodeType is required by the schema but missing",
    ]);
    const outputs = setOutputs();
    const members = outputs.snapshots as Props[];
    members[1] = { ...members[1], volumeSize: "8", extra: true };
    delete members[1].snapshotId;
    assert.deepEqual(problemsOf(SET, outputs), [
      'snapshots[1].volumeSize should be an integer, got a string ("8")',
      "snapshots[1].extra is not declared in the schema",
      "snapshots[1].snapshotId is required by the schema but missing",
    ]);
  });

  it("throws an AssertionError listing every problem", () => {
    const outputs: Props = { ...snapshotOutputs(), progress: "80%" };
    delete outputs.region;
    assert.throws(
      () => assertMatchesSchema(SNAPSHOT, outputs),
      (error: Error) =>
        error.name === "AssertionError" &&
        error.message ===
          `outputs of ${SNAPSHOT} do not match schema.json:\n  - progress should be a number, got a string ("80%")\n  - region is required by the schema but missing`,
    );
  });

  it("reports a token the schema does not declare", () => {
    assert.deepEqual(problemsOf("pulumi-nodejs:dynamic/ebs-snapshots:Volume", {}), [
      `schema.json declares no resource pulumi-nodejs:dynamic/ebs-snapshots:Volume; it declares ${SNAPSHOT}, ${SET}`,
    ]);
  });
});
