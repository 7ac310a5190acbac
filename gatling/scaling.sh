#!/usr/bin/env bash
# What a purchase costs each node of a cluster by its role, and the model of throughput against node count built
# from it (docs/benchmarks.md, "How it scales with nodes"). For each cluster size in NODE_COUNTS it builds the
# service, starts a fresh `flashsale local` of that many nodes behind nginx (embedded PostgreSQL, rate limits off;
# the nodes warm up before they say ready) and runs ScalingBenchmark against it, which prints per run the
# purchases/s, p99 and CPU µs per request of each node, PostgreSQL, nginx and the whole machine, the constants of
# the model, its prediction for the runs through nginx beside what they measured, and the model for nodes on
# machines of their own. async-profiler (from Maven Central) measures the sale entity's own time per purchase.
# Exits non-zero if a sale oversold, a run answered anything unexpected, or a process failed to start.
#
#   gatling/scaling.sh
#   NODE_COUNTS=3 SALES=20 gatling/scaling.sh
#
# Settings: NODE_COUNTS ("2 3"), PORT (18380: nginx; node I on PORT+I), DB_PORT (54359), SECONDS_PER_RUN (8),
# SALES (20: the many-sales run), CORES_PER_NODE and DB_CORES (2: the model of separate machines), JAVA_OPTS of
# the nodes (FLASHSALE_NODE_JAVA_OPTS, default -Xmx1g -XX:+ExitOnOutOfMemoryError).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

NODE_COUNTS=${NODE_COUNTS:-2 3}
PORT=${PORT:-18380}
DB_PORT=${DB_PORT:-54359}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
SALES=${SALES:-20}
CORES_PER_NODE=${CORES_PER_NODE:-2}
DB_CORES=${DB_CORES:-2}
export FLASHSALE_NODE_JAVA_OPTS="${FLASHSALE_NODE_JAVA_OPTS:--Xmx1g -XX:+ExitOnOutOfMemoryError}"
export FLASHSALE_JWT_SECRET="${FLASHSALE_JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr '+/' '-_')}"
export FLASHSALE_ADMIN_PASSWORD="${FLASHSALE_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"
out="$root/target/scaling"
mkdir -p "$out"
command -v wrk > /dev/null || { echo "scaling.sh needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v nginx > /dev/null || { echo "scaling.sh needs nginx (apt-get install nginx-light)" >&2; exit 1; }

echo "== building the service and the measuring tools"
mvn -B -q package -DskipTests
mvn -B -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.2 -DoutputDirectory="$out"
arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
unzip -o -q -j "$out/async-profiler-4.2.jar" "linux-$arch/libasyncProfiler.so" -d "$out"
cp="target/test-classes:target/flashsale.jar"

local_pid=""
data=""
stop_local() {
  [ -z "$local_pid" ] || { kill "$local_pid" 2>/dev/null && wait "$local_pid" 2>/dev/null || true; }
  [ -z "$data" ] || rm -rf "$data"
  local_pid=""
  data=""
}
trap stop_local EXIT

# The node process serving HTTP on port $1 (its environment names the port).
node_pid() {
  for pid in $(pgrep -P "$local_pid" -f 'com.flashsale.Main node'); do
    tr '\0' '\n' < "/proc/$pid/environ" | grep -qx "FLASHSALE_HTTP_PORT=$1" && { echo "$pid"; return; }
  done
  echo "no node serves port $1" >&2
  exit 1
}

status=0
constants=""
for nodes in $NODE_COUNTS; do
  echo "== $nodes nodes on :$((PORT + 1)).. behind nginx on :$PORT (log: $out/local-$nodes.log)"
  data="$(mktemp -d)"
  FLASHSALE_RATE_LIMITS=off java -jar target/flashsale.jar local --nodes "$nodes" --data "$data" --http-port "$PORT" \
    --management-port "$((PORT + 10))" --cluster-port "$((PORT + 20))" --db-port "$DB_PORT" \
    > "$out/local-$nodes.log" 2>&1 &
  local_pid=$!
  for _ in $(seq 300); do
    grep -q "FlashSale is running" "$out/local-$nodes.log" && break
    kill -0 "$local_pid" 2>/dev/null || { echo "flashsale local exited; see $out/local-$nodes.log" >&2; exit 1; }
    sleep 1
  done
  grep -q "FlashSale is running" "$out/local-$nodes.log" || { echo "flashsale local did not start" >&2; exit 1; }
  node_args=()
  for i in $(seq "$nodes"); do
    node_args+=(--node "http://127.0.0.1:$((PORT + i))=$(node_pid $((PORT + i)))"
      --management "http://127.0.0.1:$((PORT + 10 + i))")
  done
  java -cp "$cp" com.flashsale.testing.ScalingBenchmark "${node_args[@]}" \
    --db-pid "$(head -1 "$data/postgres/postmaster.pid")" --nginx-pid "$(cat "$data/nginx/nginx.pid")" \
    --nginx-url "http://127.0.0.1:$PORT" --seconds "$SECONDS_PER_RUN" --sales "$SALES" \
    --cores-per-node "$CORES_PER_NODE" --db-cores "$DB_CORES" --profiler "$out/libasyncProfiler.so" \
    ${constants:+--predict-from "$constants"} | tee "$out/scaling-$nodes.txt" || status=1
  # The first cluster's constants predict the next one's runs.
  constants=${constants:-$(sed -n 's/.*MODEL CONSTANTS //p' "$out/scaling-$nodes.txt")}
  stop_local
done
exit $status
