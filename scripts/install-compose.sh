#!/usr/bin/env bash
# Installs the `docker compose` CLI plugin (Compose v2), built from the Go module proxy, so that
# `docker compose config -q` can check docker-compose.yml on machines without a Docker engine
# (infra/check.sh). Does nothing when `docker compose version` already answers, or without the
# docker CLI (then there is nothing to plug into). A plain `go install …/cmd@version` is refused:
# Compose's go.mod has exclude directives, so we build from a writable copy of the module.
set -euo pipefail
version=v2.40.3
plugin=${COMPOSE_PLUGIN:-$HOME/.docker/cli-plugins/docker-compose}
command -v docker >/dev/null || { echo "install-compose: no docker CLI; skipped" >&2; exit 0; }
if docker compose version >/dev/null 2>&1; then exit 0; fi
src=$(go mod download -json "github.com/docker/compose/v2@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
mkdir -p "$(dirname "$plugin")"
echo "building docker compose $version (a few minutes the first time)…" >&2
(cd "$work" && GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$version" -o "$plugin" ./cmd)
docker compose version
