#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (a MongoDB wire-protocol server on SQLite) into a per-user cache, once.
# Tests and `npm start` use it when no MONGODB_URI is set and mongodb-memory-server cannot get a mongod.
#
# Why not `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`: (1) the module proxy here
# answers 403 to the `@v/list` deprecation lookup that `go install` makes, and (2) the module zip has
# no build/version/version.txt, so a binary built straight from it panics at start-up. We download
# the exact module version, add that file, and build.
set -euo pipefail

version="v1.24.2"
cache_dir="${FERRETDB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-audit-log}"
binary="$cache_dir/ferretdb-$version"

if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then
  echo "ferretdb: using cached $binary"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ferretdb: Go is not installed; skipping (tests need MONGODB_URI or mongodb-memory-server instead)"
  exit 0
fi

echo "ferretdb: building $version into $binary (first run only, about a minute)"
module_dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$module_dir" ] || { echo "ferretdb: go mod download did not return a module directory" >&2; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$module_dir/." "$work/src"
chmod -R u+w "$work/src"
echo "$version" > "$work/src/build/version/version.txt"
mkdir -p "$cache_dir"
(cd "$work/src" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath -o "$binary.tmp" ./cmd/ferretdb)
mv "$binary.tmp" "$binary"
"$binary" --version | head -1
