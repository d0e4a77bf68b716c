#!/usr/bin/env bash
# The gateway container: renders nginx.conf from its template and a first upstreams.conf (with
# placeholders while the registry is not up yet), then runs nginx and the registry watcher side by
# side. Either one stopping stops the container, so the restart policy brings both back.
# Environment: EUREKA_URL (required), GATEWAY_LISTEN (8080), WEB_ROOT (/srv/web), GATEWAY_STATE_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${GATEWAY_STATE_DIR:-/tmp/gateway}
: "${EUREKA_URL:?EUREKA_URL must name the registry, e.g. http://eureka:8761/eureka}"
mkdir -p "$state"

"$here/../render-template.sh" "$here/nginx.conf.template" "$state/nginx.conf" \
  PREFIX="$state" CONF_DIR="$here" LISTEN="${GATEWAY_LISTEN:-8080}" WEB_ROOT="${WEB_ROOT:-/srv/web}" \
  ACCESS_LOG=/dev/stdout ERROR_LOG=/dev/stderr
node "$here/render-upstreams.js" --out "$state/upstreams.conf" || true

nginx -c "$state/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
node "$here/render-upstreams.js" --out "$state/upstreams.conf" --nginx-conf "$state/nginx.conf" --watch &
watcher_pid=$!

# QUIT is nginx's graceful stop: requests in flight are answered first.
trap 'kill -QUIT "$nginx_pid" 2>/dev/null; kill -TERM "$watcher_pid" 2>/dev/null' TERM INT
status=0
wait -n "$nginx_pid" "$watcher_pid" || status=$?
kill -QUIT "$nginx_pid" 2>/dev/null || true
kill -TERM "$watcher_pid" 2>/dev/null || true
wait || true
exit "$status"
