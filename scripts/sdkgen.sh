#!/usr/bin/env bash
# `bash scripts/sdkgen.sh`: prints, as its last line of stdout, the absolute path of sdkgen
# (tools/sdkgen), which writes sdk/python and sdk/go from schema.json with Pulumi's code generator:
#   "$(bash scripts/sdkgen.sh)" schema.json sdk
# It is built from Go modules, at the version pinned in tools/sdkgen/go.mod, into a cache folder git
# ignores, named by that version and reused on the next run. Everything else goes to stderr.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/tools/sdkgen"
cache="${EBS_SNAPSHOTS_SDKGEN_CACHE:-$repo/.cache/sdkgen}"

say() { printf 'sdkgen: %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  say "Go is not installed: it builds sdkgen from the Go module proxy. Install Go 1.25.11 or later"
  say "(https://go.dev/doc/install), then run this again."
  exit 1
fi

# The version of Pulumi's code generator, as tools/sdkgen/go.mod pins it: the cache folder's name.
version="$(sed -n -e 's|^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[^[:space:]]*\).*|\1|p' "$tools/go.mod")"
if [ -z "$version" ]; then
  say "tools/sdkgen/go.mod does not require github.com/pulumi/pulumi/pkg/v3"
  exit 1
fi
root="$cache/$version"
binary="$root/bin/sdkgen"
# The tool's own source is part of what a cached binary must match, beside the pinned version.
stamp="$(cat "$tools/go.mod" "$tools/go.sum" "$tools"/*.go | sha256sum | cut -d' ' -f1)"

# One build at a time: a second caller waits here, then finds it built.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

if [ ! -x "$binary" ] || [ "$(cat "$root/source.sha256" 2>/dev/null)" != "$stamp" ]; then
  mkdir -p "$root/bin"
  started=$SECONDS
  say "building sdkgen (Pulumi's code generator $version) from Go modules ($(go version | cut -d' ' -f3)); a first build takes about 80 s on 2 cores and 600 MB of modules, later runs reuse it."
  # -mod=readonly: go.mod and go.sum are checked in and complete, so the build changes neither.
  if ! (cd "$tools" && GOFLAGS="-mod=readonly -buildvcs=false" GOWORK=off nice -n 19 \
    go build -ldflags "-s -w" -o "$binary.tmp" . 2>"$root/build.log"); then
    say "the build failed; the last lines of $root/build.log:"
    tail -n 30 "$root/build.log" >&2
    exit 1
  fi
  mv -f "$binary.tmp" "$binary"
  printf '%s\n' "$stamp" >"$root/source.sha256"
  say "built $binary in $((SECONDS - started))s"
fi
echo "$binary"
