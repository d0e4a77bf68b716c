#!/usr/bin/env bash
# Checks infra/ with the real tools, and the registry pieces against a real Eureka:
#   gateway     the rendered nginx.conf passes `nginx -t`, with upstreams rendered from the registry
#   prometheus  `promtool check config`, `check rules` and `test rules` (alerts.test.yml)
#   grafana     the dashboards are JSON of schema 39 whose panels use the provisioned data source
#   compose     `docker compose config -q` (without the compose plugin: skipped and said so, failed in CI)
#   eureka      the server builds (infra/eureka/build.sh) and starts; a Node instance registers
#               (platform/src/registry), appears in the rendered upstreams, and deregisters
# Needs nginx, prometheus (for promtool), Java 17 + Maven, and `npx tsc -b` done. Ends with
# "infra: N passed, N failed"; exits non-zero when a check failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/chat-infra-check.XXXXXX)
eureka_port=${EUREKA_CHECK_PORT:-28761}
eureka_url="http://127.0.0.1:$eureka_port/eureka"
passed=0 failed=0 eureka_pid=''

cleanup() {
  [ -n "$eureka_pid" ] && kill "$eureka_pid" 2>/dev/null && wait "$eureka_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

check() { # description, command…
  local description=$1; shift
  if "$@" >"$work/out" 2>&1; then
    passed=$((passed + 1))
    echo "ok    $description"
  else
    failed=$((failed + 1))
    echo "FAIL  $description"
    sed 's/^/      /' "$work/out"
  fi
}

render_gateway() {
  mkdir -p "$work/nginx/web" && echo '<!doctype html>' >"$work/nginx/web/index.html"
  "$root/infra/render-template.sh" "$root/infra/nginx/nginx.conf.template" "$work/nginx/nginx.conf" \
    PREFIX="$work/nginx" CONF_DIR="$root/infra/nginx" LISTEN=127.0.0.1:28080 WEB_ROOT="$work/nginx/web" \
    ACCESS_LOG="$work/nginx/access.log" ERROR_LOG="$work/nginx/error.log"
}

gateway_with_placeholders() {
  render_gateway
  # No registry yet: the renderer writes placeholder upstreams (and says the registry is unavailable).
  node "$root/infra/nginx/render-upstreams.js" --eureka http://127.0.0.1:9/eureka --out "$work/nginx/upstreams.conf" || true
  grep -q 'server 127.0.0.1:1 down;' "$work/nginx/upstreams.conf" && nginx -t -c "$work/nginx/nginx.conf"
}

prometheus_config() {
  "$root/infra/render-template.sh" "$root/infra/prometheus/prometheus.yml.template" "$work/prometheus.yml" \
    EUREKA_URL="$eureka_url" RULES_DIR="$root/infra/prometheus" PROMETHEUS_ADDRESS=127.0.0.1:29090
  promtool check config "$work/prometheus.yml"
}

grafana_dashboards() {
  node -e '
    const fs = require("node:fs"), path = require("node:path");
    const dir = process.argv[1];
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
    if (files.length === 0) throw new Error("no dashboards");
    for (const file of files) {
      const board = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
      if (board.schemaVersion !== 39 || !board.uid || !board.title) throw new Error(`${file}: schemaVersion 39, uid and title expected`);
      for (const panel of board.panels.filter((p) => p.type !== "row")) {
        if (panel.datasource?.uid !== "prometheus") throw new Error(`${file}: "${panel.title}" does not use the provisioned data source`);
        if (!panel.targets?.length || panel.targets.some((t) => !t.expr)) throw new Error(`${file}: "${panel.title}" has no query`);
      }
      console.log(`${file}: ${board.panels.length} panels`);
    }' "$root/infra/grafana/dashboards"
}

start_eureka() {
  local jar
  jar=$("$root/infra/eureka/build.sh") || return 1
  PORT=$eureka_port HOST=127.0.0.1 java -XX:TieredStopAtLevel=1 -Xmx256m -jar "$jar" >"$work/eureka.log" 2>&1 &
  eureka_pid=$!
  for _ in $(seq 1 240); do
    curl -fs -o /dev/null "$eureka_url/apps" && return 0
    kill -0 "$eureka_pid" 2>/dev/null || break
    sleep 0.5
  done
  cat "$work/eureka.log"
  return 1
}

# A Node instance registers, the renderer puts it in the gateway's upstreams (which nginx accepts),
# and on deregistration it leaves the registry.
registration_round_trip() {
  EUREKA_URL=$eureka_url WORK=$work ROOT=$root node -e '
    const { execFileSync } = require("node:child_process");
    const { createLogger, fetchRegisteredApps, registerWithEureka } = require(`${process.env.ROOT}/platform/dist/index.js`);
    const eurekaUrl = process.env.EUREKA_URL;
    const render = () => execFileSync("node", [`${process.env.ROOT}/infra/nginx/render-upstreams.js`, "--eureka", eurekaUrl,
      "--out", `${process.env.WORK}/nginx/upstreams.conf`, "--nginx-conf", `${process.env.WORK}/nginx/nginx.conf`,
      "--nginx", "/bin/true", "--apps", "command-api,query-api,realtime"]);
    const until = async (what, condition) => {
      for (let i = 0; i < 50; i++) { if (await condition()) return; await new Promise((r) => setTimeout(r, 200)); }
      throw new Error(`timed out waiting until ${what}`);
    };
    const instances = async () => (await fetchRegisteredApps(eurekaUrl)).find((app) => app.name === "query-api")?.instances ?? [];
    (async () => {
      const logger = createLogger({ serviceName: "query-api", level: "warn" });
      const registration = registerWithEureka({ serviceName: "query-api", eurekaUrl, http: { host: "127.0.0.1", port: 0 } }, { port: 28111, logger, signals: [] });
      await until("the instance is UP in the registry", async () => (await instances()).some((i) => i.instanceId === "127.0.0.1:28111" && i.status === "UP"));
      render();
      const upstreams = require("node:fs").readFileSync(`${process.env.WORK}/nginx/upstreams.conf`, "utf8");
      if (!/upstream query_api \{[^}]*server 127\.0\.0\.1:28111 /.test(upstreams)) throw new Error(`not in the upstreams:\n${upstreams}`);
      execFileSync("nginx", ["-t", "-q", "-c", `${process.env.WORK}/nginx/nginx.conf`]);
      await registration.deregister();
      await until("the instance has left the registry", async () => (await instances()).length === 0);
      console.log("registered, rendered, accepted by nginx -t, deregistered");
    })().catch((error) => { console.error(error); process.exit(1); });'
}

cd "$root" || exit 1
check "gateway: nginx -t with placeholder upstreams" gateway_with_placeholders
check "prometheus: promtool check config" prometheus_config
check "prometheus: promtool check rules" promtool check rules "$root/infra/prometheus/alerts.yml"
check "prometheus: promtool test rules" bash -c "cd '$root/infra/prometheus' && promtool test rules alerts.test.yml"
check "grafana: dashboards" grafana_dashboards
if docker compose version >/dev/null 2>&1; then
  check "compose: docker compose config -q" docker compose -f "$root/docker-compose.yml" config -q
elif [ "${CI:-}" = true ]; then
  failed=$((failed + 1))
  echo "FAIL  compose: the docker compose plugin is not installed (scripts/install-compose.sh)"
else
  echo "skip  compose: the docker compose plugin is not installed (scripts/install-compose.sh)"
fi
check "eureka: build and start" start_eureka
if [ -n "$eureka_pid" ]; then
  check "eureka: a Node instance registers, reaches the gateway's upstreams and deregisters" registration_round_trip
fi

echo "infra: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
