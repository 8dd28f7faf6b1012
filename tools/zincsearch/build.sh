#!/bin/sh
# Builds ZincSearch v0.4.10, the test-only stand-in for OpenSearch (it speaks the
# Elasticsearch-compatible REST API under /es), into the path given as $1.
#
# Used by internal/testbin (Tool{Name: "zincsearch", Script: "tools/zincsearch/build.sh"}),
# which caches the binary in .cache/bin. The module comes from the Go module proxy; two changes
# make it build on Go 1.26, applied to a temporary copy (its source is never committed here):
#   - its web UI is embedded with //go:embed web/dist, which the module zip does not contain
#     (it is built by npm): a one-page stub stands in;
#   - main.go imports the pyroscope profiler client, which does not build on Go 1.26:
#     main.diff removes the import and turns profiling() into a no-op.
set -eu

out=${1:?usage: build.sh OUTPUT_BINARY}
version=v0.4.10
here=$(cd "$(dirname "$0")" && pwd)

tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# go mod download needs a module context for -json output of one module; run it outside ours.
dir=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/zincsearch/zincsearch@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "go mod download gave no directory for zincsearch@$version" >&2; exit 1; }

cp -R "$dir" "$tmp/src"
chmod -R u+w "$tmp/src"
cd "$tmp/src"
git apply -p1 "$here/main.diff"
mkdir -p web/dist
printf '<!doctype html><title>ZincSearch (test build, no UI)</title>\n' >web/dist/index.html

CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$tmp/zincsearch" ./cmd/zincsearch
mv "$tmp/zincsearch" "$out"
