#!/usr/bin/env bash
# `npm run --silent plugin:pack`: makes the resource-provider plugin's tarball,
#   dist/plugin/pulumi-resource-ebs-snapshots-v<version>-linux-amd64.tar.gz,
# which `pulumi plugin install resource ebs-snapshots <version> --file <tarball>` installs into the
# plugin cache, so that Pulumi programs use the plugin without a `plugins:` entry or a PATH change.
# It prints the tarball's absolute path as its last line of stdout; everything else goes to stderr.
#
# The tarball's root is the package as `npm pack` lays it out (`files` in package.json decides what is
# in it), with its own node_modules: the production dependencies, at the versions package-lock.json
# pins, plus the peer @pulumi/pulumi (whose proto stubs the plugin loads) at the version of the
# repository's devDependency. At the root, `pulumi-resource-ebs-snapshots` runs the plugin's entry
# (dist/provider/faces/plugin/main.js) with node. Nothing in it points outside it: the CLI refuses a
# symlink that does. The JavaScript in it runs on any platform Node 20 runs on; the name says
# linux-amd64, the platform it is made and tested on.
#
# It builds (`npm run build`) only when dist/ lacks the plugin's entry; otherwise it packs dist/ as it is.
set -euo pipefail

# Only the tarball's path goes to stdout (fd 3); everything else, npm's output included, to stderr.
exec 3>&1 1>&2

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
entry="dist/provider/faces/plugin/main.js"
say() { printf 'plugin-pack: %s\n' "$*" >&2; }

cd "$repo"
started=$SECONDS

if [ ! -f "$entry" ]; then
  say "$entry is missing: running npm run build first"
  npm run build
fi

version="$(node -p 'require("./package.json").version')"
# The peer @pulumi/pulumi at the exact version the repository develops and tests with.
pulumi_version="$(node -p 'require("./package.json").devDependencies["@pulumi/pulumi"] ?? ""')"
if ! [[ $pulumi_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  say "the devDependency @pulumi/pulumi is '$pulumi_version', not an exact version; using the one installed"
  pulumi_version="$(node -p 'require("@pulumi/pulumi/package.json").version')"
fi
name="pulumi-resource-ebs-snapshots-v$version-linux-amd64.tar.gz"
out_dir="$repo/dist/plugin"
out="$out_dir/$name"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ebs-snapshots-plugin-pack.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# 1. The package as npm would publish it (no lifecycle scripts: `prepare` would rebuild dist/).
mkdir "$tmp/pack"
npm pack --pack-destination "$tmp/pack" --ignore-scripts --silent >/dev/null
packed=("$tmp"/pack/*.tgz)
if [ "${#packed[@]}" -ne 1 ] || [ ! -f "${packed[0]}" ]; then
  say "npm pack made ${#packed[@]} tarballs in $tmp/pack, not one"
  exit 1
fi
tar -xzf "${packed[0]}" -C "$tmp"
stage="$(realpath "$tmp/package")"

# 2. Its node_modules. The devDependencies are taken out of the manifest for the install, and the
#    packed manifest is put back after it: with them, `--omit=dev` would also leave out @pulumi/pulumi
#    (a devDependency as well as the peer), and npm would resolve the whole development tree, including
#    a `file:.` link to the package itself. package-lock.json pins the versions the repository tests.
cp "$stage/package.json" "$tmp/package.json.packed"
cp "$repo/package-lock.json" "$stage/package-lock.json"
(
  cd "$stage"
  npm pkg delete devDependencies --prefix "$stage"
  say "installing the production dependencies and @pulumi/pulumi@$pulumi_version"
  npm install --prefix "$stage" --omit=dev --ignore-scripts --no-audit --no-fund --no-save --prefer-offline --loglevel=error \
    "@pulumi/pulumi@$pulumi_version"
)
cp "$tmp/package.json.packed" "$stage/package.json"
rm -f "$stage/package-lock.json"
# The dependencies' command links: the plugin runs none of them.
rm -rf "$stage/node_modules/.bin"
installed="$(node -p 'require(process.argv[1]).version' "$stage/node_modules/@pulumi/pulumi/package.json")"
if [ "$installed" != "$pulumi_version" ]; then
  say "installed @pulumi/pulumi $installed, not $pulumi_version"
  exit 1
fi

# 3. The plugin's executable at the root, where the CLI looks for it in an installed plugin: the
#    package's own bin/ script, which alone knows where the plugin's entry is.
cat >"$stage/pulumi-resource-ebs-snapshots" <<'PLUGIN'
#!/bin/sh
# The ebs-snapshots resource-provider plugin, as `pulumi plugin install` unpacks it.
exec "$(dirname "$0")/bin/pulumi-resource-ebs-snapshots" "$@"
PLUGIN
chmod 755 "$stage/pulumi-resource-ebs-snapshots"

# Anything linking outside the folder would make the CLI refuse the tarball.
while IFS= read -r -d '' link; do
  case "$(realpath -m "$link")/" in
    "$stage"/*) ;;
    *)
      say "$link points outside the package: $(readlink "$link")"
      exit 1
      ;;
  esac
done < <(find "$stage" -type l -print0)

# 4. The tarball: entries sorted, owned by root and dated as npm dates a package's files (1985-10-26),
#    so that the same contents give the same bytes; written next to its final name, then moved there.
mkdir -p "$out_dir"
partial="$out.tmp.$$"
trap 'rm -rf "$tmp" "$partial"' EXIT
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@499162500" -cf - . | gzip -n >"$partial"
mv -f "$partial" "$out"
say "wrote $out ($(du -h "$out" | cut -f1), $(find "$stage" -type f | wc -l) files) in $((SECONDS - started))s"
echo "$out" >&3
