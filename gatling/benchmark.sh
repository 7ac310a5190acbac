#!/usr/bin/env bash
# The flash-sale benchmark in one command: builds the service and the simulations, then for batching
# off and on: starts a fresh local node behind nginx (embedded PostgreSQL, rate limits off: every
# simulated buyer has the same address), warms it with a short rush, runs the measured FlashSaleRush
# against it, stops it.
# Prints both summaries side by side (ratio = on / off) and exits non-zero if either run failed its
# audit (oversold, lost or duplicated an acknowledged order) or Gatling failed.
#
#   gatling/benchmark.sh                       # defaults below
#   BUYERS=100000 STOCK=100000 RATE=20000 gatling/benchmark.sh
#
# Sizes: BUYERS (8000), STOCK (2000), RATE arrivals/s (500), RAMP seconds (2), PAY_RATIO (0.8),
# WARMUP_BUYERS (4000), PORT (18080), DB_PORT (54339), MODES ("off on"), VIA (nginx, or direct: the
# node alone, where each buyer's new connection costs the node ~1 ms of CPU). The defaults stay below what a
# 2-core machine running Gatling, the node and PostgreSQL together sustains; above it, Gatling opens a
# new connection for every buyer waiting for an answer and the run measures the client's own sockets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

BUYERS=${BUYERS:-8000}
STOCK=${STOCK:-2000}
RATE=${RATE:-500}
RAMP=${RAMP:-2}
PAY_RATIO=${PAY_RATIO:-0.8}
WARMUP_BUYERS=${WARMUP_BUYERS:-4000}
PORT=${PORT:-18080}
DB_PORT=${DB_PORT:-54339}
MODES=${MODES:-"off on"}
VIA=${VIA:-nginx}
out="$root/gatling/target/benchmark"
mkdir -p "$out"

echo "== building the service and the simulations"
mvn -B -q package -DskipTests
mvn -B -q -f gatling/pom.xml test-compile

node_pid=""
stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid"
    wait "$node_pid" 2>/dev/null || true
  fi
  node_pid=""
}
trap stop_node EXIT

rush() { # label summary-file buyers stock
  mvn -B -q -f gatling/pom.xml gatling:test -Dgatling.simulationClass=flashsale.FlashSaleRush \
    -DbaseUrl="http://127.0.0.1:$PORT" -Dbuyers="$3" -Dstock="$4" -Drate="$RATE" -DrampSeconds="$RAMP" \
    -DpayRatio="$PAY_RATIO" -Dlabel="$1" -DsummaryFile="$2"
}

status=0
for mode in $MODES; do
  data="$(mktemp -d)"
  echo "== batching $mode: starting a local node on :$PORT (log: $out/node-$mode.log)"
  # One node; by default behind nginx as deployed (every simulated buyer opens its own connections, and
  # nginx holds those while keeping a few to the node), VIA=direct for the node alone on $PORT.
  FLASHSALE_BATCHING=$mode FLASHSALE_RATE_LIMITS=off \
    java -jar target/flashsale.jar local --nodes 1 $([ "$VIA" = direct ] && echo --no-nginx) --data "$data" \
    --http-port "$PORT" --management-port "$((PORT + 10))" --cluster-port "$((PORT + 20))" --db-port "$DB_PORT" \
    > "$out/node-$mode.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null || { echo "the node did not become ready" >&2; exit 1; }
  rm -f "$out/warmup-$mode.json" "$out/rush-$mode.json"  # a failed run must not report an earlier one's summary
  echo "== batching $mode: warm-up rush ($WARMUP_BUYERS buyers)"
  rush "warm-up" "$out/warmup-$mode.json" "$WARMUP_BUYERS" "$((WARMUP_BUYERS / 3))" > "$out/warmup-$mode.log" 2>&1 \
    || { echo "warm-up failed, see $out/warmup-$mode.log" >&2; status=1; }
  echo "== batching $mode: measured rush ($BUYERS buyers, $STOCK units, up to $RATE arrivals/s)"
  rush "batching $mode" "$out/rush-$mode.json" "$BUYERS" "$STOCK" > "$out/rush-$mode.log" 2>&1 \
    || { echo "the measured rush failed, see $out/rush-$mode.log" >&2; status=1; }
  curl -s "http://127.0.0.1:$PORT/metrics" > "$out/metrics-$mode.txt" || true
  grep -E '^flashsale_reserve_batch_size_(count|sum|max) ' "$out/metrics-$mode.txt" > "$out/batches-$mode.txt" || true
  awk '/^jvm_memory_used_bytes\{area="heap"/ {used += $NF} /^jvm_memory_max_bytes\{area="heap"/ && $NF > 0 {max += $NF}
    END {printf "heap used after the rush: %.0f MiB of %.0f MiB\n", used / 1048576, max / 1048576}' \
    "$out/metrics-$mode.txt" >> "$out/batches-$mode.txt" || true
  stop_node
  rm -rf "$data"
done

set -- $MODES
for mode in $MODES; do
  [ -f "$out/rush-$mode.json" ] || { echo "no summary for batching $mode: see $out/rush-$mode.log" >&2; exit 1; }
done
if [ "$#" -eq 2 ]; then
  echo "== $1 vs $2 (ratio = $2 / $1); reports under gatling/target/gatling/"
  gatling/summary-table.sh "$out/rush-$1.json" "$out/rush-$2.json" || status=1
else
  cat "$out/rush-$1.json"
fi
for mode in $MODES; do
  echo "batching $mode, the node's own meters (warm-up included):"
  sed 's/^/  /' "$out/batches-$mode.txt"
done
exit $status
