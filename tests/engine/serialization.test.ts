import * as assert from "node:assert/strict";
import { Snapshot, SnapshotSet } from "../../sdk";
import { registerResources } from "../../harness/program";

/** Credential-shaped values put in this process's environment while Pulumi serializes the providers. */
const PLANTED: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: "AKIASERIALIZATION0001",
  AWS_SECRET_ACCESS_KEY: "serialization/Secret+Key0ThatMustNotLeak42",
  AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEserializationSessionToken",
  AWS_PROFILE: "serialization-profile",
};

/**
 * Each resource's provider as Pulumi's own serializer writes it into state (`__provider`), through the
 * SDK classes and pulumi.dynamic.Resource exactly as a program runs them.
 */
describe("the serialized providers", function () {
  const saved: Record<string, string | undefined> = {};
  let providers: Map<string, string>;

  before(async function () {
    for (const [name, value] of Object.entries(PLANTED)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    const registered = await registerResources(() => {
      new Snapshot("db", { volumeId: "vol-0123456789abcdef0", tags: { team: "storage" } });
      new SnapshotSet("web", { instanceId: "i-0123456789abcdef0" });
    });
    providers = new Map(registered.map((r) => [r.name, String(r.inputs.__provider as string)]));
  });

  after(function () {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  });

  for (const name of ["db", "web"]) {
    it(`serializes the provider of "${name}" into a small text that loads the installed provider by name`, function () {
      const text = providers.get(name) ?? "";
      assert.match(text, /^exports\.handler = /);
      assert.match(text, /require\("pulumi-ebs-snapshots\/provider"\)/);
      assert.ok(text.length < 16 * 1024, `__provider is ${text.length} characters`);
    });

    it(`captures no credential or environment value in the provider of "${name}"`, function () {
      const text = providers.get(name) ?? "";
      const found = Object.entries(PLANTED).filter(([, value]) => text.includes(value));
      assert.deepEqual(found, []);
      assert.doesNotMatch(text, /process\.env/);
    });
  }
});
