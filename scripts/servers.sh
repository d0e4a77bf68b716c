#!/usr/bin/env bash
# Starts (or stops) the real servers the integration suites use, on loopback ports of their own:
#   scripts/servers.sh start   → starts redis-server, MariaDB and FerretDB, prints the env to export
#   scripts/servers.sh stop
# Needs the Debian packages redis-server and mariadb-server and scripts/install-ferretdb.sh.
set -euo pipefail
dir=${SERVERS_DIR:-/tmp/chat-servers}
redis_port=${REDIS_PORT:-16379}
mysql_port=${MYSQL_PORT:-13306}
mongo_port=${MONGO_PORT:-37017}
ferretdb=${FERRETDB_BIN:-$HOME/go/bin/ferretdb-chat}

wait_for() { # name, command…
  local name=$1; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "$name did not start; see $dir/*.log" >&2; return 1
}

# Runs a server in the background, detached, with no file descriptor of ours left open in it
# (a caller that reads our output through a pipe would otherwise wait for the server to exit).
daemon() { # log file, command…
  local log=$1; shift
  (
    for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    exec setsid "$@" </dev/null >"$log" 2>&1
  ) &
  echo $!
}

start() {
  mkdir -p "$dir"
  if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    wait_for redis redis-cli -p "$redis_port" ping
  fi
  if ! mariadb-admin --protocol=tcp -h127.0.0.1 -P"$mysql_port" -uroot ping >/dev/null 2>&1; then
    if [ ! -d "$dir/mariadb/mysql" ]; then
      mkdir -p "$dir/mariadb"
      mariadb-install-db --no-defaults --datadir="$dir/mariadb" --auth-root-authentication-method=normal >"$dir/mariadb-install.log" 2>&1
    fi
    daemon "$dir/mariadb.log" mariadbd --no-defaults --datadir="$dir/mariadb" --port="$mysql_port" --socket="$dir/mariadb.sock" \
      --bind-address=127.0.0.1 --user=root --pid-file="$dir/mariadb.pid" --innodb-flush-log-at-trx-commit=2 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --max-connections=500 >/dev/null
    wait_for mariadb mariadb-admin --protocol=tcp -h127.0.0.1 -P"$mysql_port" -uroot ping
    mariadb --protocol=tcp -h127.0.0.1 -P"$mysql_port" -uroot -e \
      "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;
        CREATE USER IF NOT EXISTS 'chat'@'%' IDENTIFIED BY 'chat'; GRANT ALL ON *.* TO 'chat'@'%';
        CREATE USER IF NOT EXISTS 'chat'@'localhost' IDENTIFIED BY 'chat'; GRANT ALL ON *.* TO 'chat'@'localhost';
        CREATE DATABASE IF NOT EXISTS chat CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  fi
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$mongo_port") 2>/dev/null; then
    mkdir -p "$dir/ferretdb"
    daemon "$dir/ferretdb.log" "$ferretdb" --handler=sqlite --sqlite-url="file:$dir/ferretdb/" --listen-addr="127.0.0.1:$mongo_port" \
      --debug-addr=- --telemetry=disable --state-dir="$dir" --log-level=warn >"$dir/ferretdb.pid"
    wait_for ferretdb bash -c "exec 3<>/dev/tcp/127.0.0.1/$mongo_port"
  fi
  cat <<ENV
export REDIS_URL=redis://127.0.0.1:$redis_port
export MYSQL_URL=mysql://chat:chat@127.0.0.1:$mysql_port/chat
export MONGODB_URL=mongodb://127.0.0.1:$mongo_port/chat
ENV
}

stop() {
  local pids=()
  for name in redis mariadb ferretdb; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    kill "$pid" 2>/dev/null && pids+=("$pid")
  done
  # Wait (up to 10 s) until they are gone, so their files can be removed after this returns.
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
