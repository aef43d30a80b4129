#!/usr/bin/env bash
# `npm run --silent pulumi-cli`: prints, as its last line of stdout, the absolute path of a working
# Pulumi CLI, for the tests, the demo and the benchmark. In order:
#   1. $EBS_SNAPSHOTS_PULUMI_CLI, when set (it must work, or this fails: no silent fallback);
#   2. a `pulumi` on PATH whose version is at least $MIN_VERSION;
#   3. the pinned version, built from Go modules (tools/pulumi-cli) into a cache folder git ignores,
#      and reused on the next run.
# Each case also provides the Pulumi YAML language host, `pulumi-language-yaml`, where the CLI finds
# it: one next to the CLI or on PATH is used as it is; otherwise the pinned $YAML_VERSION is built from
# Go modules into the cache (a folder named by its version, reused on the next run) and linked next to
# the CLI when that folder is the cache's, else this says on stderr which folder to add to PATH.
# Everything else goes to stderr. The official CLI is downloaded from get.pulumi.com, which machines
# without general internet access cannot reach; the Go module proxy serves its source instead.
set -euo pipefail

PINNED_VERSION="v3.274.1"
# The Pulumi YAML language host, built as its own module (`go install ...@version`): v1.25.0 requires
# pkg/v3 and sdk/v3 v3.206.0 and does not compile against the CLI's pkg v3.274.1, so it cannot join
# tools/pulumi-cli. The host speaks the language-host gRPC protocol, and v1.25.0 runs under the v3.274.1 CLI.
YAML_VERSION="v1.25.0"
# The oldest CLI accepted from PATH: the version of @pulumi/pulumi this project tests with. Pulumi
# supports a CLI at least as new as the SDK that drives it.
MIN_VERSION="3.248.0"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/tools/pulumi-cli"
cache="${EBS_SNAPSHOTS_CLI_CACHE:-$repo/.cache/pulumi-cli}"
root="$cache/$PINNED_VERSION"
binary="$root/bin/pulumi"
yaml_root="$cache/pulumi-yaml/$YAML_VERSION"
yaml_binary="$yaml_root/bin/pulumi-language-yaml"

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

# One build at a time (the CLI's or the YAML host's): a second caller waits here, then finds it built.
locked=false
lock_cache() {
  if ! $locked; then
    mkdir -p "$cache"
    exec 9>"$cache/.lock"
    flock 9
    locked=true
  fi
}

# True when $1 is an executable that runs as a Pulumi language host: its -help lists the -root flag
# every language host takes. Cheap: it exits while parsing its flags, before serving anything.
yaml_host_runs() {
  local usage
  [ -f "$1" ] && [ -x "$1" ] || return 1
  usage="$("$1" -help 2>&1 || true)"
  [[ $usage == *"-root"* ]]
}

# Builds the pinned YAML host into the cache; its folder is named by its version, and the binary is
# moved there only once built, so a binary in it is that version.
build_yaml_host() {
  mkdir -p "$yaml_root"
  rm -rf "$yaml_root/gobin"
  local started=$SECONDS modcache
  modcache="$(go env GOMODCACHE)"
  say "building the Pulumi YAML language host $YAML_VERSION from Go modules ($(go version | cut -d' ' -f3)); it takes about 2 minutes on 2 cores, later runs reuse it."
  # `go install pkg@version` builds the module on its own, with its own go.mod (no replace directives).
  (cd "$yaml_root" && GOFLAGS="-buildvcs=false" GOBIN="$yaml_root/gobin" run_logged "$yaml_root/build.log" "building the YAML host" \
    "echo \"\$(du -sm \"$modcache\" 2>/dev/null | cut -f1) MB of modules in $modcache, \$(grep -vc '^go: downloading' \"$yaml_root/build.log\" || true) packages compiled\"" \
    go install -v -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
      "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$YAML_VERSION")
  mkdir -p "$yaml_root/bin"
  mv -f "$yaml_root/gobin/pulumi-language-yaml" "$yaml_binary"
  rmdir "$yaml_root/gobin"
  if ! yaml_host_runs "$yaml_binary"; then
    say "the YAML host built at $yaml_binary does not run; see $yaml_root/build.log"
    exit 1
  fi
  say "built $yaml_binary in $((SECONDS - started))s"
}

# Makes `pulumi-language-yaml` visible to the CLI at $1 (the cases in the header).
provide_yaml_host() {
  local cli="$1" dir next ours=false found
  dir="$(dirname "$cli")"
  next="$dir/pulumi-language-yaml"
  case "$(realpath -m "$dir")/" in "$(realpath -m "$cache")"/*) ours=true ;; esac
  if $ours; then
    # Ours: the pinned host from the cache, linked next to the CLI.
    if [ "$next" -ef "$yaml_binary" ] && yaml_host_runs "$yaml_binary"; then
      return 0
    fi
  else
    if yaml_host_runs "$next"; then
      say "using the YAML language host next to the CLI: $next"
      return 0
    fi
    if found="$(command -v pulumi-language-yaml 2>/dev/null)" && yaml_host_runs "$found"; then
      say "using the YAML language host on PATH: $found"
      return 0
    fi
  fi
  lock_cache
  if ! yaml_host_runs "$yaml_binary"; then
    if ! command -v go >/dev/null 2>&1; then
      if $ours && found="$(command -v pulumi-language-yaml 2>/dev/null)" && yaml_host_runs "$found"; then
        say "using the YAML language host on PATH: $found (Go is not installed to build $YAML_VERSION)"
        return 0
      fi
      say "no Pulumi YAML language host: none next to $cli or on PATH, and Go is not installed to build $YAML_VERSION."
      say "Install Go 1.26 or later (https://go.dev/doc/install), or put a pulumi-language-yaml (it ships with"
      say "the Pulumi CLI from https://www.pulumi.com/docs/install/) next to the CLI or on PATH, then run this again."
      exit 1
    fi
    build_yaml_host
  fi
  if $ours; then
    # A hard link (a copy across file systems), replaced in one step.
    ln -f "$yaml_binary" "$next.tmp" 2>/dev/null || cp -f "$yaml_binary" "$next.tmp"
    mv -f "$next.tmp" "$next"
  else
    say "the CLI at $cli finds the YAML language host only on PATH: add $(dirname "$yaml_binary") to PATH, e.g."
    say "  export PATH=\"$(dirname "$yaml_binary"):\$PATH\""
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
  cli="$(command -v "$EBS_SNAPSHOTS_PULUMI_CLI" | xargs realpath)"
  provide_yaml_host "$cli"
  echo "$cli"
  exit 0
fi

if onpath="$(command -v pulumi 2>/dev/null)"; then
  have="$(version_of "$onpath")"
  if [ -n "$have" ] && at_least "$have" "$MIN_VERSION"; then
    say "using the Pulumi CLI on PATH ($have)"
    cli="$(realpath "$onpath")"
    provide_yaml_host "$cli"
    echo "$cli"
    exit 0
  fi
  say "ignoring $onpath: it reports version '${have:-nothing}', older than $MIN_VERSION"
fi

lock_cache
if [ "$(version_of "$binary")" != "${PINNED_VERSION#v}" ]; then
  build
  if [ "$(version_of "$binary")" != "${PINNED_VERSION#v}" ]; then
    say "the CLI built at $binary does not report version $PINNED_VERSION; see $root/build.log"
    exit 1
  fi
fi
install_nodejs_plugin
provide_yaml_host "$binary"
echo "$binary"
