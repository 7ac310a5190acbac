#!/usr/bin/env bash
# The hot paths of one node against the ceiling of this machine, in one run with one client (wrk, closed loop,
# 64 connections): builds the service, starts the bare Akka HTTP server (com.flashsale.local.BareServer, the node's
# server settings, a constant JSON answer) with nginx in front of it, then STARTS fresh local nodes behind nginx in
# turn (embedded PostgreSQL, rate limits off), and runs HotPathBenchmark, which prints:
#  - on the last node itself, ROUNDS times, each round after the bare server's constant route (the ceiling): GET
#    /health/alive, purchase attempts at a sold-out sale, reservations on the warm node, each as the median over the
#    rounds of its rate, its p99, its ratio to the ceiling of its own round (and their range) and the CPU time the
#    node and the bare server spent per request (/proc);
#  - the same through nginx, against nginx in front of the bare server;
#  - the first seconds of each fresh node: STORMS back-to-back storms of SECONDS each on new 1,000,000-unit sales,
#    started the moment the node says ready, each against the last storm of the same start (medians over the
#    starts; a node's first seconds happen once, so each start is a node of its own).
# PROFILE=on then samples the node's CPU during a sold-out run and a storm with async-profiler (from Maven Central,
# attached through jcmd) and writes their flame graphs to PROFILE_DIR (docs/benchmarks).
# Exits non-zero if a sale oversold, a run answered anything unexpected, or a process failed to start.
#
#   gatling/hot-path.sh                              # about 15 minutes
#   STARTS=1 ROUNDS=1 gatling/hot-path.sh            # one of each, about 5 minutes
#   PROFILE=on gatling/hot-path.sh
#
# Settings: PORT (18280: nginx; the node on PORT+1), BARE_PORT (18290; its nginx on BARE_PORT+1), DB_PORT (54349),
# SECONDS_PER_RUN (8), STORMS (3), STARTS (3), ROUNDS (3), BUYERS (150000 tokens, used in turn), JAVA_OPTS of both
# JVMs (FLASHSALE_NODE_JAVA_OPTS, default the node's: -Xmx1g -XX:+ExitOnOutOfMemoryError).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

PORT=${PORT:-18280}
BARE_PORT=${BARE_PORT:-18290}
DB_PORT=${DB_PORT:-54349}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
STORMS=${STORMS:-3}
STARTS=${STARTS:-3}
ROUNDS=${ROUNDS:-3}
BUYERS=${BUYERS:-150000}
PROFILE=${PROFILE:-off}
PROFILE_DIR=${PROFILE_DIR:-$root/docs/benchmarks}
export FLASHSALE_NODE_JAVA_OPTS="${FLASHSALE_NODE_JAVA_OPTS:--Xmx1g -XX:+ExitOnOutOfMemoryError}"
export FLASHSALE_JWT_SECRET="${FLASHSALE_JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr '+/' '-_')}"
export FLASHSALE_ADMIN_PASSWORD="${FLASHSALE_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"
out="$root/target/hot-path"
mkdir -p "$out"
command -v wrk > /dev/null || { echo "hot-path.sh needs wrk (apt-get install wrk)" >&2; exit 1; }

echo "== building the service and the measuring tools"
mvn -B -q package -DskipTests
if [ "$PROFILE" = on ]; then
  mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.2 -DoutputDirectory="$out"
  arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
  unzip -o -q -j "$out/async-profiler-4.2.jar" "linux-$arch/libasyncProfiler.so" -d "$out"
  mkdir -p "$PROFILE_DIR"
fi
cp="target/test-classes:target/flashsale.jar"

bare_pid=""
local_pid=""
data=""
stop_all() {
  stop_node
  if [ -n "$bare_pid" ]; then
    kill "$bare_pid" 2>/dev/null && wait "$bare_pid" 2>/dev/null || true
  fi
}
trap stop_all EXIT

await() { # url log
  for _ in $(seq 180); do
    curl -sf "$1" > /dev/null && return 0
    sleep 1
  done
  echo "$1 did not answer; see $2" >&2
  exit 1
}

echo "== the bare server on :$BARE_PORT, nginx in front of it on :$((BARE_PORT + 1)) (log: $out/bare.log)"
# shellcheck disable=SC2086 # the options are words
java $FLASHSALE_NODE_JAVA_OPTS -cp "$cp" com.flashsale.local.BareServer "$BARE_PORT" "$((BARE_PORT + 1))" \
  > "$out/bare.log" 2>&1 &
bare_pid=$!
await "http://127.0.0.1:$((BARE_PORT + 1))/" "$out/bare.log"
# Its JIT compiles while it is new: 20 s of load now, so that the ceiling is measured warm.
wrk -t2 -c64 -d10s "http://127.0.0.1:$BARE_PORT/" > /dev/null
wrk -t2 -c64 -d10s "http://127.0.0.1:$((BARE_PORT + 1))/" > /dev/null

stop_node() {
  if [ -n "$local_pid" ]; then
    kill "$local_pid" 2>/dev/null && wait "$local_pid" 2>/dev/null || true
  fi
  [ -z "$data" ] || rm -rf "$data"
  local_pid=""
  data=""
}

start_node() { # which
  echo "== $1: a fresh local node on :$((PORT + 1)), nginx on :$PORT (log: $out/node.log)"
  data="$(mktemp -d)"
  FLASHSALE_RATE_LIMITS=off java -jar target/flashsale.jar local --nodes 1 --data "$data" --http-port "$PORT" \
    --management-port "$((PORT + 10))" --cluster-port "$((PORT + 20))" --db-port "$DB_PORT" > "$out/node.log" 2>&1 &
  local_pid=$!
  await "http://127.0.0.1:$((PORT + 1))/health/ready" "$out/node.log"
  node_pid=$(pgrep -P "$local_pid" -f 'com.flashsale.Main node' | head -1)
}

benchmark() { # options...
  java -cp "$cp" com.flashsale.testing.HotPathBenchmark --url "http://127.0.0.1:$((PORT + 1))" \
    --nginx-url "http://127.0.0.1:$PORT" --bare-url "http://127.0.0.1:$BARE_PORT" \
    --bare-nginx-url "http://127.0.0.1:$((BARE_PORT + 1))" --seconds "$SECONDS_PER_RUN" --storms "$STORMS" \
    --buyers "$BUYERS" --rounds "$ROUNDS" --pids "node=$node_pid,bare=$bare_pid" "$@"
}

# The first seconds of a node happen once per start: STARTS fresh nodes, each stopped after its storms but the last.
starts="$out/first-seconds.tsv"
rm -f "$starts"
status=0
for i in $(seq $((STARTS - 1))); do
  start_node "start $i of $STARTS"
  benchmark --storms-only "$starts" || status=1
  stop_node
done
start_node "start $STARTS of $STARTS"
# shellcheck disable=SC2046 # the options are words
benchmark --earlier-starts "$starts" \
  $([ "$PROFILE" = on ] && echo "--profile $PROFILE_DIR --profiler $out/libasyncProfiler.so") || status=1
exit $status
