#!/usr/bin/env bash
# `npm run --silent pulumi-cli`: prints, as its last line of stdout, the absolute path of a working
# Pulumi CLI, for the tests, the demo and the benchmark. In order:
#   1. $EBS_SNAPSHOTS_PULUMI_CLI, when set (it must work, or this fails: no silent fallback);
#   2. a `pulumi` on PATH whose version is at least $MIN_VERSION;
#   3. the pinned version, built from Go modules (tools/pulumi-cli) into a cache folder git ignores,
#      and reused on the next run.
# Everything else goes to stderr. The official CLI is downloaded from get.pulumi.com, which machines
# without general internet access cannot reach; the Go module proxy serves its source instead.
set -euo pipefail

PINNED_VERSION="v3.274.1"
# The oldest CLI accepted from PATH: the version of @pulumi/pulumi this project tests with. Pulumi
# supports a CLI at least as new as the SDK that drives it.
MIN_VERSION="3.248.0"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/tools/pulumi-cli"
cache="${EBS_SNAPSHOTS_CLI_CACHE:-$repo/.cache/pulumi-cli}"
root="$cache/$PINNED_VERSION"
binary="$root/bin/pulumi"

say() { printf 'pulumi-cli: %s\n' "$*" >&2; }

# Prints the version a CLI reports (without the leading v), or nothing if it does not run.
version_of() {
  PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n 1 | sed -e 's/^v//' || true
}

# True when version $1 >= version $2 (numeric x.y.z; a pre-release suffix counts as that release).
at_least() {
  local have="${1%%[-+]*}" want="$2"
  [ "$(printf '%s\n%s\n' "$want" "$have" | sort -t. -k1,1n -k2,2n -k3,3n | head -n 1)" = "$want" ]
}

# The dynamic-provider plugin, next to the binary as in Pulumi's own distribution, so that the CLI
# finds it without a PATH change (and without its "using ... from $PATH" warning). Like Pulumi's, it
# runs the dynamic-provider host of the @pulumi/pulumi that the Pulumi project itself installed: the CLI
# starts plugins in the project's folder.
install_nodejs_plugin() {
  local plugin="$root/bin/pulumi-resource-pulumi-nodejs"
  cat >"$plugin.tmp" <<'PLUGIN'
#!/bin/sh
# Written by pulumi-ebs-snapshots' scripts/pulumi-cli.sh: the dynamic-provider host of the project's @pulumi/pulumi.
host=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$host" "$@"
PLUGIN
  chmod +x "$plugin.tmp"
  mv -f "$plugin.tmp" "$plugin"
}

# Prints a line every 15 s while process $1 runs: what it does ($2) and, from $3, a measure of progress.
heartbeat() {
  local pid="$1" what="$2" measure="$3" started=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15 &
    wait $! || true
    if kill -0 "$pid" 2>/dev/null; then
      say "$what: $((SECONDS - started))s, $(eval "$measure")"
    fi
  done
}

# Runs a command in the background with its stderr in log $1, showing a heartbeat; fails with the log's tail.
run_logged() {
  local log="$1" what="$2" measure="$3"
  shift 3
  "$@" 2>"$log" &
  local pid=$!
  heartbeat "$pid" "$what" "$measure"
  if ! wait "$pid"; then
    say "$what failed; the last lines of $log:"
    tail -n 30 "$log" >&2
    exit 1
  fi
}

build() {
  if ! command -v go >/dev/null 2>&1; then
    say "no usable Pulumi CLI: none on PATH at version $MIN_VERSION or later, and Go is not installed to build $PINNED_VERSION."
    say "Install one of them, then run this again:"
    say "  - Go 1.26 or later (https://go.dev/doc/install), which builds the pinned CLI from the Go module proxy; or"
    say "  - the Pulumi CLI $MIN_VERSION or later (https://www.pulumi.com/docs/install/), or point EBS_SNAPSHOTS_PULUMI_CLI at one."
    exit 1
  fi
  mkdir -p "$root/bin"
  local started=$SECONDS modcache
  modcache="$(go env GOMODCACHE)"
  say "building the Pulumi CLI $PINNED_VERSION from Go modules ($(go version | cut -d' ' -f3)); a cold build takes about 6 minutes on 2 cores and 1.4 GB of modules, later runs reuse it."
  export GOFLAGS="-mod=readonly -buildvcs=false"
  # No separate `go mod download`: it would fetch every module in the graph (gigabytes), where the
  # build fetches only the ones whose packages it compiles.
  (cd "$tools" && run_logged "$root/build.log" "building" \
    "echo \"\$(du -sm \"$modcache\" 2>/dev/null | cut -f1) MB of modules in $modcache, \$(grep -vc '^go: downloading' \"$root/build.log\" || true) packages compiled\"" \
    go build -v -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PINNED_VERSION" \
      -o "$binary.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv -f "$binary.tmp" "$binary"
  say "built $binary in $((SECONDS - started))s"
}

if [ -n "${EBS_SNAPSHOTS_PULUMI_CLI:-}" ]; then
  have="$(version_of "$EBS_SNAPSHOTS_PULUMI_CLI")"
  if [ -z "$have" ] || ! at_least "$have" "$MIN_VERSION"; then
    say "EBS_SNAPSHOTS_PULUMI_CLI=$EBS_SNAPSHOTS_PULUMI_CLI does not report a version $MIN_VERSION or later (it reported '${have:-nothing}')."
    say "Point it at a Pulumi CLI $MIN_VERSION or later, or unset it to use the one on PATH or build $PINNED_VERSION."
    exit 1
  fi
  command -v "$EBS_SNAPSHOTS_PULUMI_CLI" | xargs realpath
  exit 0
fi

if onpath="$(command -v pulumi 2>/dev/null)"; then
  have="$(version_of "$onpath")"
  if [ -n "$have" ] && at_least "$have" "$MIN_VERSION"; then
    say "using the Pulumi CLI on PATH ($have)"
    realpath "$onpath"
    exit 0
  fi
  say "ignoring $onpath: it reports version '${have:-nothing}', older than $MIN_VERSION"
fi

mkdir -p "$cache"
# One build at a time: a second caller waits here, then finds the binary built.
exec 9>"$cache/.lock"
flock 9
if [ "$(version_of "$binary")" != "${PINNED_VERSION#v}" ]; then
  build
  if [ "$(version_of "$binary")" != "${PINNED_VERSION#v}" ]; then
    say "the CLI built at $binary does not report version $PINNED_VERSION; see $root/build.log"
    exit 1
  fi
fi
install_nodejs_plugin
echo "$binary"
