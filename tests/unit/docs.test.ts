/**
 * The docs (README.md, CHANGELOG.md, docs/) say only what is so: every link resolves, every setting the
 * provider reads is documented with its default, every figure carries the commit it was measured at,
 * the versions quoted are the ones pinned, and the example programs in every language name real
 * resources and inputs (the TypeScript ones compile against the SDK's sources).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { MOTO_VERSION } from "../../harness/moto";
import { DEFAULT_SETTINGS, SETTINGS_ENV } from "../../provider/runtime/settings";
import { registeredResources } from "../../scripts/generate/registry";
import { anchorsOf, codeBlocks, linksOf, paragraphsOf, type CodeBlock } from "../support/markdown";

const ROOT = path.join(__dirname, "..", "..", "..");
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), "utf8");

const DOCS = fs
  .readdirSync(path.join(ROOT, "docs"))
  .filter((file) => file.endsWith(".md"))
  .map((file) => `docs/${file}`);
/** Every Markdown file whose links and figures are checked. */
const DOCUMENTS = ["README.md", "CHANGELOG.md", ...DOCS];
/** The pages whose example programs are complete (the migration guide shows fragments). */
const PROGRAM_PAGES = ["README.md", ...DOCS.filter((file) => file !== "docs/migrating-to-the-plugin.md")];
const CONFIG_PAGE = "docs/installation-configuration.md";

interface SchemaObject {
  inputProperties?: Record<string, unknown>;
  properties?: Record<string, unknown>;
}
interface Schema {
  config: { variables: Record<string, unknown> };
  provider: SchemaObject;
  resources: Record<string, SchemaObject>;
  language?: { python?: { packageName?: string } };
}
const schema = (): Schema => JSON.parse(read("schema.json")) as Schema;

/** A resource's input names by its short type name (`Snapshot`), and the explicit provider's as `Provider`. */
function inputsByType(): Map<string, Set<string>> {
  const { resources, provider } = schema();
  const inputs = new Map(Object.entries(resources).map(([token, resource]) => [token.split(":").pop() ?? token, new Set(Object.keys(resource.inputProperties ?? {}))]));
  inputs.set("Provider", new Set(Object.keys(provider.inputProperties ?? {})));
  return inputs;
}

function blocksOf(files: readonly string[], langs: readonly string[]): (CodeBlock & { file: string })[] {
  return files.flatMap((file) =>
    codeBlocks(read(file))
      .filter((block) => langs.includes(block.lang))
      .map((block) => ({ ...block, file })),
  );
}

/** `volume_id` -> `volumeId`; `VolumeId` -> `volumeId`. */
const camelOf = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase());

/** The text between the bracket at `open` and its match, skipping strings. */
function enclosed(code: string, open: number): string {
  const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === "`") {
      quote = c;
    } else if (pairs[c] !== undefined) {
      stack.push(pairs[c]);
    } else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return code.slice(open + 1, i);
    }
  }
  throw new Error(`unbalanced bracket at ${open}`);
}

/** The text of `inner` at bracket depth 0 only. */
function topLevel(inner: string): string {
  let depth = 0;
  let out = "";
  for (const c of inner) {
    if ("([{".includes(c)) depth++;
    if (depth === 0) out += c;
    if (")]}".includes(c)) depth--;
  }
  return out;
}

/** The TypeScript and shell files under a folder of the repository. */
function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    return entry.isDirectory() ? sourcesUnder(rel) : /\.(ts|sh)$/.test(entry.name) ? [rel] : [];
  });
}

describe("the docs", () => {
  describe("links", () => {
    for (const file of DOCUMENTS) {
      it(`${file}: every relative link names a file of the repository, and every anchor a heading of it`, () => {
        const broken: string[] = [];
        for (const { target, line } of linksOf(read(file))) {
          if (/^[a-z][a-z+.-]*:/i.test(target)) {
            continue;
          }
          const [filePart, anchor] = target.split("#", 2);
          const resolved = filePart === "" ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), filePart);
          if (!fs.existsSync(resolved)) {
            broken.push(`${file}:${line} ${target}: no such file`);
          } else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor)) {
            broken.push(`${file}:${line} ${target}: no heading with that anchor`);
          }
        }
        assert.deepEqual(broken, []);
      });
    }

    it("every page of docs/ is linked from the README or the overview", () => {
      const linked = new Set(
        ["README.md", "docs/_index.md"].flatMap((file) =>
          linksOf(read(file)).map(({ target }) => path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), target.split("#")[0]))),
        ),
      );
      assert.deepEqual(
        DOCS.filter((page) => page !== "docs/_index.md" && !linked.has(page)),
        [],
      );
    });

    it("the registry's two pages carry the front matter Pulumi's registry reads: title, meta_desc and layout", () => {
      for (const page of ["docs/_index.md", CONFIG_PAGE]) {
        const front = /^---\n([\s\S]*?)\n---\n/.exec(read(page));
        assert.ok(front, `${page} opens with front matter`);
        for (const key of ["title", "meta_desc", "layout"]) {
          assert.match(front[1], new RegExp(`^${key}: \\S`, "m"), `${page}: ${key}`);
        }
      }
    });
  });

  describe("configuration", () => {
    it("documents every tunable environment variable with its default, in the configuration page's table", () => {
      const page = read(CONFIG_PAGE);
      for (const [key, name] of Object.entries(SETTINGS_ENV) as [keyof typeof SETTINGS_ENV, string][]) {
        assert.match(page, new RegExp(`^\\| \`${name}\` \\| ${DEFAULT_SETTINGS[key]} \\|`, "m"), name);
      }
      assert.match(page, /^\| `EBS_SNAPSHOTS_REQUEST_RATE_SCALE` \| 1 \|/m);
    });

    it("documents every EBS_SNAPSHOTS_ variable the provider, the scripts and the tests read", () => {
      const sources = ["provider", "scripts", "harness", "tests"].flatMap((dir) => sourcesUnder(dir));
      const names = new Set(sources.flatMap((file) => [...read(file).matchAll(/\bEBS_SNAPSHOTS_[A-Z_]+[A-Z]\b/g)].map((m) => m[0])));
      const docs = DOCS.map(read).join("\n");
      assert.deepEqual([...names].filter((name) => !docs.includes(`\`${name}\``)).sort(), []);
    });

    it("documents every key of the plugin's configuration (schema.json) and every aws:* key the dynamic face reads", () => {
      const page = read(CONFIG_PAGE);
      for (const key of Object.keys(schema().config.variables)) {
        assert.match(page, new RegExp(`\`ebs-snapshots:${key}\``), key);
      }
      const awsKeys = [...read("provider/runtime/stackConfig.ts").matchAll(/"(aws:[A-Za-z]+)"/g)].map((m) => m[1]);
      assert.ok(awsKeys.length >= 5, "provider/runtime/stackConfig.ts names the aws:* keys it reads");
      for (const key of awsKeys) {
        assert.match(page, new RegExp(`\`${key}\``), key);
      }
    });
  });

  describe("the README", () => {
    it("is a front door: under 260 lines", () => {
      const lines = read("README.md").split("\n").length;
      assert.ok(lines < 260, `README.md has ${lines} lines`);
    });

    it("introduces every resource the provider registers", () => {
      const readme = read("README.md");
      const names = registeredResources().map(({ spec }) => spec.typeName);
      assert.ok(names.length >= 4);
      for (const name of names) {
        assert.match(readme, new RegExp(`^- \\*\\*\`${name}\`\\*\\*`, "m"), name);
      }
      assert.doesNotMatch(readme, /\bboth resources\b/i);
    });

    it("says that no release is published, and does not tell users to install from a registry", () => {
      const readme = read("README.md");
      assert.match(readme, /No release is published yet/);
      assert.doesNotMatch(readme, /^npm install pulumi-ebs-snapshots\b/m);
    });
  });

  describe("figures", () => {
    const FIGURE = /\b\d[\d,]* (?:tests )?passing\b|\b\d[\d,]* tests pass\b|\bRELIABILITY scenarios=\d+/;
    const COMMIT = /\b[0-9a-f]{7,40}\b/g;

    it("every test count and RELIABILITY line quoted comes with the commit it was measured at (in its paragraph, the one before, or its table row)", () => {
      const unattributed: string[] = [];
      for (const file of DOCUMENTS) {
        const paragraphs = paragraphsOf(read(file));
        paragraphs.forEach((paragraph, i) => {
          for (const line of paragraph.split("\n").filter((l) => FIGURE.test(l))) {
            const context = line.trimStart().startsWith("|") ? line : `${paragraphs[i - 1] ?? ""}\n${paragraph}`;
            if ((context.match(COMMIT) ?? []).filter((id) => /[a-f]/.test(id) && /\d/.test(id)).length === 0) {
              unattributed.push(`${file}: ${line.trim().slice(0, 100)}`);
            }
          }
        });
      }
      assert.deepEqual(unattributed, []);
    });

    it("the commits figures are attributed to exist in the repository's history", function () {
      if (!fs.existsSync(path.join(ROOT, ".git"))) {
        this.skip();
      }
      const missing: string[] = [];
      for (const file of DOCUMENTS) {
        for (const paragraph of paragraphsOf(read(file)).filter((p) => FIGURE.test(p) || /\bat [0-9a-f]{7}\b/.test(p))) {
          for (const id of new Set((paragraph.match(COMMIT) ?? []).filter((id) => /[a-f]/.test(id) && /\d/.test(id) && id.length <= 12))) {
            try {
              execFileSync("git", ["cat-file", "-e", `${id}^{commit}`], { cwd: ROOT, stdio: "ignore" });
            } catch {
              missing.push(`${file}: ${id}`);
            }
          }
        }
      }
      assert.deepEqual(missing, []);
    });

    it("quotes the versions the project pins: the Pulumi CLI, @pulumi/pulumi and moto", () => {
      const cli = /^PINNED_VERSION="(v[\d.]+)"/m.exec(read("scripts/pulumi-cli.sh"))?.[1];
      assert.ok(cli);
      const sdk = (JSON.parse(read("package.json")) as { devDependencies: Record<string, string> }).devDependencies["@pulumi/pulumi"];
      const all = DOCUMENTS.map(read).join("\n");
      for (const [what, quoted, pinned] of [
        ["Pulumi CLI", [...all.matchAll(/Pulumi CLI \*{0,2}(v\d+\.\d+\.\d+)/g)].map((m) => m[1]), cli],
        ["@pulumi/pulumi", [...all.matchAll(/`@pulumi\/pulumi` (\d+\.\d+\.\d+) on/g)].map((m) => m[1]), sdk],
        ["moto", [...all.matchAll(/moto\[server\]==(\d+\.\d+\.\d+)/g)].map((m) => m[1]), MOTO_VERSION],
      ] as const) {
        assert.ok(quoted.length > 0, `the docs quote the ${what} version`);
        assert.deepEqual([...new Set(quoted)], [pinned], what);
      }
    });
  });

  describe("example programs", () => {
    it("every Pulumi YAML program names resource types of the schema, and only their inputs", () => {
      const inputs = inputsByType();
      const wrong: string[] = [];
      for (const { file, line, code } of blocksOf(PROGRAM_PAGES, ["yaml"])) {
        const lines = code.split("\n");
        lines.forEach((text, i) => {
          const typed = /^(\s*)type: (?:ebs-snapshots:(\w+)|pulumi:providers:ebs-snapshots)\s*$/.exec(text);
          if (typed === null) return;
          const indent = typed[1].length;
          const type = typed[2] ?? "Provider";
          const known = inputs.get(type);
          if (known === undefined) {
            wrong.push(`${file}:${line + 1 + i} no resource ${type}`);
            return;
          }
          for (let j = i + 1; j < lines.length && (lines[j].trim() === "" || lines[j].search(/\S/) >= indent); j++) {
            if (lines[j].search(/\S/) !== indent || !lines[j].trim().startsWith("properties:")) continue;
            for (let k = j + 1; k < lines.length && (lines[k].trim() === "" || lines[k].search(/\S/) > indent); k++) {
              const key = /^(\s*)(\w+):/.exec(lines[k]);
              if (key !== null && key[1].length === indent + 2 && !known.has(key[2])) {
                wrong.push(`${file}:${line + 1 + k} ${type} has no input ${key[2]}`);
              }
            }
          }
        });
      }
      assert.deepEqual(wrong, []);
    });

    it("every Python program imports pulumi_ebs_snapshots and passes each resource only its inputs, in snake_case", () => {
      const python = schema().language?.python?.packageName;
      if (python !== undefined) {
        assert.equal(python, "pulumi_ebs_snapshots");
      }
      const inputs = inputsByType();
      const wrong: string[] = [];
      const blocks = blocksOf(PROGRAM_PAGES, ["python", "py"]).filter(({ code }) => code.includes("import pulumi_ebs_snapshots as ebs"));
      assert.ok(blocks.length >= 2, "the README and the overview show Python");
      for (const { file, line, code } of blocks) {
        for (const call of code.matchAll(/\bebs\.(\w+)\(/g)) {
          const known = inputs.get(call[1]);
          if (known === undefined) {
            wrong.push(`${file}:${line} no resource ${call[1]}`);
            continue;
          }
          const args = topLevel(enclosed(code, (call.index ?? 0) + call[0].length - 1));
          for (const kw of args.matchAll(/\b(\w+)\s*=(?!=)/g)) {
            if (kw[1] !== "opts" && (!known.has(camelOf(kw[1])) || /[A-Z]/.test(kw[1]))) {
              wrong.push(`${file}:${line} ${call[1]} has no input ${kw[1]}`);
            }
          }
        }
      }
      assert.deepEqual(wrong, []);
    });

    it("every Go program imports the module sdk/go declares and fills each Args struct only with inputs", () => {
      const goMod = path.join(ROOT, "sdk", "go", "go.mod");
      const module = fs.existsSync(goMod) ? /^module (\S+)/m.exec(fs.readFileSync(goMod, "utf8"))?.[1] : undefined;
      const inputs = inputsByType();
      const wrong: string[] = [];
      const blocks = blocksOf(PROGRAM_PAGES, ["go"]).filter(({ code }) => code.includes("ebssnapshots."));
      assert.ok(blocks.length >= 1, "the overview shows Go");
      for (const { file, line, code } of blocks) {
        if (module !== undefined && code.includes("/sdk/go/ebssnapshots")) {
          assert.ok(code.includes(`"${module}/ebssnapshots"`), `${file}:${line} imports ${module}/ebssnapshots`);
        }
        for (const args of code.matchAll(/&ebssnapshots\.(\w+)Args\{/g)) {
          const known = inputs.get(args[1]);
          if (known === undefined) {
            wrong.push(`${file}:${line} no resource ${args[1]}`);
            continue;
          }
          const body = topLevel(enclosed(code, (args.index ?? 0) + args[0].length - 1));
          for (const field of body.matchAll(/(?:^|[,{\n])\s*([A-Z]\w*)\s*:/g)) {
            if (!known.has(camelOf(field[1]))) {
              wrong.push(`${file}:${line} ${args[1]}Args has no field ${field[1]}`);
            }
          }
        }
      }
      assert.deepEqual(wrong, []);
      if (module !== undefined) {
        const quoted = new Set(
          [
            ...DOCS.map(read)
              .join("\n")
              .matchAll(/\b([a-z0-9-]+\.[a-z]{2,}\/[\w./-]+?)\/sdk\/go\b/g),
          ].map((m) => `${m[1]}/sdk/go`),
        );
        assert.deepEqual([...quoted], [module], "the docs quote sdk/go's module path");
      }
    });

    it("every TypeScript program compiles, strict, against the SDK's sources (both faces)", function () {
      this.timeout(120_000);
      const blocks = blocksOf(PROGRAM_PAGES, ["ts", "typescript"]);
      assert.ok(blocks.length >= 4, "the README and the overview show TypeScript");
      const files = new Map(blocks.map((block, i) => [path.join(ROOT, ".docs-snippets", `${path.basename(block.file, ".md")}-${i}.ts`), block]));
      const options: ts.CompilerOptions = {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        lib: ["lib.es2022.d.ts"],
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        esModuleInterop: true,
        skipLibCheck: true,
        types: ["node"],
        baseUrl: ROOT,
        paths: { "pulumi-ebs-snapshots": ["sdk/index.ts"], "pulumi-ebs-snapshots/plugin": ["sdk/plugin/index.ts"] },
      };
      const host = ts.createCompilerHost(options);
      const { getSourceFile, fileExists, readFile } = host;
      host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
      host.readFile = (name) => files.get(name)?.code ?? readFile.call(host, name);
      host.getSourceFile = (name, version, ...rest) => {
        const block = files.get(name);
        return block !== undefined ? ts.createSourceFile(name, block.code, version) : getSourceFile.call(host, name, version, ...rest);
      };
      const program = ts.createProgram([...files.keys()], options, host);
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file !== undefined && files.has(d.file.fileName))
        .map((d) => {
          const block = files.get(d.file?.fileName ?? "");
          const at = d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line ?? 0;
          return `${block?.file}:${(block?.line ?? 0) + 1 + at} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
        });
      assert.deepEqual(diagnostics, []);
    });
  });
});
