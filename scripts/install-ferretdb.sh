#!/usr/bin/env bash
# Builds FerretDB 1.24 from the Go module proxy into $FERRETDB_BIN (default ~/go/bin/ferretdb-chat).
# A plain `go install …/cmd/ferretdb@v1.24.2` builds a binary that panics at start: the module ships
# without build/version/version.txt, which FerretDB embeds. So we build from a writable copy of the
# module with that file written in.
set -euo pipefail
version=v1.24.2
bin=${FERRETDB_BIN:-$HOME/go/bin/ferretdb-chat}
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then exit 0; fi
go mod download -json "github.com/FerretDB/FerretDB@$version" >/dev/null 2>&1 || true
src=$(go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
work=$(mktemp -d)
cp -r "$src/." "$work/"
chmod -R u+w "$work"
echo "$version" > "$work/build/version/version.txt"
mkdir -p "$(dirname "$bin")"
(cd "$work" && GOFLAGS=-mod=mod go build -o "$bin" ./cmd/ferretdb)
rm -rf "$work"
"$bin" --version >/dev/null
