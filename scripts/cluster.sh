#!/usr/bin/env bash
# The distributed deployment on one machine, without Docker:
#   scripts/cluster.sh start    starts whatever is not running yet and prints the gateway's URL
#   scripts/cluster.sh stop     stops everything, each with SIGTERM (nginx: QUIT), waiting for it
#   scripts/cluster.sh status   what runs, its health, and what the registry holds
#   scripts/cluster.sh test     runs the cluster tests (infra/cluster-tests) against the running cluster
#   scripts/cluster.sh env      prints the cluster's addresses as variables to export
# Runs redis, MariaDB and FerretDB (scripts/servers.sh) on ports of its own, the Eureka server
# (infra/eureka), two instances each of command-api, query-api and realtime and one of projectors,
# the gateway (nginx, its upstreams rendered from the registry) and Prometheus. EventStoreDB cannot
# run here: the services share one SQLite event store in $CLUSTER_DIR/data. `start` after an
# instance died starts just that instance again.
# Needs: node and `npx tsc -b` having run (start builds), Java 17 + Maven, the Debian packages
# redis-server, mariadb-server, nginx and prometheus, and scripts/install-ferretdb.sh.
# Settings (environment): CLUSTER_DIR, GATEWAY_PORT, EUREKA_PORT, PROMETHEUS_PORT, SERVICE_PORT_BASE,
# CLUSTER_REDIS_PORT, CLUSTER_MYSQL_PORT, CLUSTER_MONGO_PORT, and CLUSTER_NODE_OPTIONS (passed to
# the services as NODE_OPTIONS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${CLUSTER_DIR:-/tmp/chat-cluster}
gateway_port=${GATEWAY_PORT:-18080}
eureka_port=${EUREKA_PORT:-18761}
prometheus_port=${PROMETHEUS_PORT:-19090}
# Instances listen on base+1…: command-api 1-2, query-api 11-12, realtime 21-22, projectors 31.
service_base=${SERVICE_PORT_BASE:-18100}
eureka_url="http://127.0.0.1:$eureka_port/eureka"
nginx_dir="$state/nginx"

# name → port, in start order (projectors first: the readers' views fill from them).
instances=(
  "projectors-1:$((service_base + 31))"
  "command-api-1:$((service_base + 1))" "command-api-2:$((service_base + 2))"
  "query-api-1:$((service_base + 11))" "query-api-2:$((service_base + 12))"
  "realtime-1:$((service_base + 21))" "realtime-2:$((service_base + 22))"
)

servers() { # start|stop
  SERVERS_DIR="$state/servers" REDIS_PORT=${CLUSTER_REDIS_PORT:-16479} MYSQL_PORT=${CLUSTER_MYSQL_PORT:-13406} \
    MONGO_PORT=${CLUSTER_MONGO_PORT:-37117} "$root/scripts/servers.sh" "$1"
}

pid_of() { # name → pid when it runs
  local file="$state/pids/$1.pid"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null && cat "$file"
}

# Starts a command detached from this shell (its own session, no file descriptor of ours), with
# its output in logs/NAME.log and its pid in pids/NAME.pid.
launch() { # name, command…
  local name=$1; shift
  (
    for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    exec setsid "$@" </dev/null >>"$state/logs/$name.log" 2>&1
  ) &
  echo $! >"$state/pids/$name.pid"
}

wait_for_url() { # what, url, seconds
  local deadline=$((SECONDS + $3))
  until curl -fs -o /dev/null --max-time 2 "$2"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$1 did not answer at $2 within $3 s; see $state/logs/" >&2
      return 1
    fi
    sleep 0.3
  done
}

start_eureka() {
  pid_of eureka >/dev/null && return 0
  local jar
  jar=$("$root/infra/eureka/build.sh")
  echo "starting Eureka on :$eureka_port" >&2
  launch eureka env PORT="$eureka_port" HOST=127.0.0.1 java -XX:TieredStopAtLevel=1 -Xmx256m -jar "$jar"
  wait_for_url Eureka "$eureka_url/apps" 120
}

start_instance() { # name, port
  local name=$1 port=$2 service=${1%-*}
  pid_of "$name" >/dev/null && return 0
  echo "starting $name on :$port" >&2
  launch "$name" env PORT="$port" HOST=127.0.0.1 DATA_DIR="$state/data" LOG_LEVEL="${LOG_LEVEL:-info}" \
    EUREKA_URL="$eureka_url" REDIS_URL="$REDIS_URL" MYSQL_URL="$MYSQL_URL" MONGODB_URL="$MONGODB_URL" \
    TRUSTED_PROXY_HOPS=1 PUBLIC_WS_URL="ws://127.0.0.1:$gateway_port/ws" NODE_OPTIONS="${CLUSTER_NODE_OPTIONS:-}" \
    node "$root/$service/dist/main.js"
}

start_gateway() {
  mkdir -p "$nginx_dir"
  # nginx's workers run as an unprivileged user: they must be able to reach the placeholder web
  # root below (a folder from mktemp -d is private to its owner).
  chmod a+rx "$state"
  local web_root="$root/web/dist"
  if [ ! -f "$web_root/index.html" ]; then
    web_root="$state/web"
    mkdir -p "$web_root"
    echo '<!doctype html><title>chat</title><p>The web client is not built (web/dist).</p>' >"$web_root/index.html"
  fi
  "$root/infra/render-template.sh" "$root/infra/nginx/nginx.conf.template" "$nginx_dir/nginx.conf" \
    PREFIX="$nginx_dir" CONF_DIR="$root/infra/nginx" LISTEN="127.0.0.1:$gateway_port" WEB_ROOT="$web_root" \
    ACCESS_LOG="$state/logs/gateway-access.log" ERROR_LOG="$state/logs/gateway-error.log"
  local render=(node "$root/infra/nginx/render-upstreams.js" --eureka "$eureka_url" --out "$nginx_dir/upstreams.conf")
  if ! pid_of gateway >/dev/null; then
    "${render[@]}" >>"$state/logs/upstreams.log" || true
    nginx -t -q -c "$nginx_dir/nginx.conf"
    echo "starting the gateway on :$gateway_port" >&2
    launch gateway nginx -c "$nginx_dir/nginx.conf" -g 'daemon off;'
    wait_for_url gateway "http://127.0.0.1:$gateway_port/health" 10
  fi
  if ! pid_of upstreams >/dev/null; then
    launch upstreams "${render[@]}" --nginx-conf "$nginx_dir/nginx.conf" --watch --interval-ms 2000
  fi
}

start_prometheus() {
  pid_of prometheus >/dev/null && return 0
  mkdir -p "$state/prometheus"
  "$root/infra/render-template.sh" "$root/infra/prometheus/prometheus.yml.template" "$state/prometheus/prometheus.yml" \
    EUREKA_URL="$eureka_url" RULES_DIR="$root/infra/prometheus" PROMETHEUS_ADDRESS="127.0.0.1:$prometheus_port"
  echo "starting Prometheus on :$prometheus_port" >&2
  launch prometheus prometheus --config.file="$state/prometheus/prometheus.yml" --storage.tsdb.path="$state/prometheus/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" --web.enable-lifecycle
  wait_for_url Prometheus "http://127.0.0.1:$prometheus_port/-/ready" 30
}

start() {
  mkdir -p "$state/pids" "$state/logs" "$state/data"
  [ -d /usr/include/node ] && export npm_config_nodedir=/usr
  (cd "$root" && npx tsc -b)
  eval "$(servers start)"
  start_eureka
  local entry
  for entry in "${instances[@]}"; do start_instance "${entry%%:*}" "${entry##*:}"; done
  for entry in "${instances[@]}"; do wait_for_url "${entry%%:*}" "http://127.0.0.1:${entry##*:}/health/live" 60; done
  start_gateway
  start_prometheus
  echo "gateway:    http://127.0.0.1:$gateway_port"
  echo "eureka:     http://127.0.0.1:$eureka_port"
  echo "prometheus: http://127.0.0.1:$prometheus_port"
  echo "logs:       $state/logs"
}

stop_one() { # name, signal
  local pid
  pid=$(pid_of "$1") || { rm -f "$state/pids/$1.pid"; return 0; }
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$1 (pid $pid) still running after 15 s: killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state/pids/$1.pid"
}

stop() {
  [ -d "$state/pids" ] || { echo "nothing runs from $state"; return 0; }
  stop_one upstreams TERM
  stop_one gateway QUIT
  local entry pids=()
  # The services stop side by side: each deregisters, drains and closes on its own.
  for entry in "${instances[@]}"; do stop_one "${entry%%:*}" TERM & pids+=($!); done
  wait "${pids[@]}"
  stop_one prometheus TERM
  stop_one eureka TERM
  # servers.sh signals its servers without waiting for them: wait here, so `stop` means stopped.
  local pid server_pids
  server_pids=$(cat "$state"/servers/{redis,mariadb,ferretdb}.pid 2>/dev/null || true)
  servers stop
  for pid in $server_pids; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  echo "stopped"
}

status() {
  local name entry port
  for name in eureka gateway upstreams prometheus; do
    if pid_of "$name" >/dev/null; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: stopped"; fi
  done
  for entry in "${instances[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    if pid_of "$name" >/dev/null; then
      echo "$name: running (pid $(pid_of "$name"), :$port, ready: $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready"))"
    else
      echo "$name: stopped"
    fi
  done
  if curl -fsS -o /dev/null --max-time 2 "$eureka_url/apps"; then
    echo "registry:"
    curl -fsS --max-time 2 -H 'Accept: application/json' "$eureka_url/apps" | node -e '
      let body = ""; process.stdin.on("data", (c) => (body += c)).on("end", () => {
        const apps = [].concat(JSON.parse(body).applications.application ?? []);
        for (const app of apps) {
          const instances = [].concat(app.instance ?? []);
          console.log(`  ${app.name}: ${instances.map((i) => `${i.instanceId} ${i.status}`).join(", ")}`);
        }
      });'
  fi
  echo "gateway: http://127.0.0.1:$gateway_port"
}

env_vars() {
  cat <<ENV
export CLUSTER_URL=http://127.0.0.1:$gateway_port
export CLUSTER_EUREKA_URL=$eureka_url
export CLUSTER_PROMETHEUS_URL=http://127.0.0.1:$prometheus_port
export CLUSTER_DIR=$state
export CLUSTER_SERVICE_PORT_BASE=$service_base
ENV
}

# The cluster tests restart instances with this script, so they get the same settings.
run_tests() { # jest arguments…
  eval "$(env_vars)"
  export CLUSTER_DIR GATEWAY_PORT=$gateway_port EUREKA_PORT=$eureka_port PROMETHEUS_PORT=$prometheus_port SERVICE_PORT_BASE=$service_base
  cd "$root" && node node_modules/jest/bin/jest.js -c infra/cluster-tests/jest.config.js "$@"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_vars ;;
  test) shift; run_tests "$@" ;;
  *) echo "usage: $0 start|stop|status|env|test [jest arguments]" >&2; exit 2 ;;
esac
