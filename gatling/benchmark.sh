#!/usr/bin/env bash
# The flash-sale benchmark in one command: builds the service, the simulations and the storm tool, then
#  1. for batching off and on: starts a fresh local node behind nginx (embedded PostgreSQL, rate limits
#     off: every simulated buyer has the same address), runs FlashSaleRush against it (a warm-up sale
#     first, then the measured one, in one Gatling run), stops it; prints both summaries side by side
#     (ratio = on / off);
#  2. the same rush through a waiting room (ROOM=off skips it): a fresh node (batching on, as in 1), and
#     WaitingRoomRush: PREQUEUE buyers join the sale's pre-queue, AFTER more arrive after the start, for the same
#     STOCK; each solves the proof of work, joins, checks in until admitted and buys with the pass. Its audit adds
#     the room's rules (every purchase had a pass, the pre-queue's winners a random sample of it, arrival order
#     after the start, a definite answer for every buyer, purchase p99 under 50 ms). Printed beside the plain rush
#     (ratio = room / plain), with the ETA error (predicted vs actual admission, p50/p90);
#  3. capacity (when wrk is installed; CAPACITY=off skips it): a fresh node alone, batching on, stormed by
#     wrk over 64 kept-alive connections (StormBenchmark): a sale of 100,000 units to 100,000 buyers, then
#     one of 1,000 units to 100,000 attempts followed by 100,000 more at the sold-out sale; prints
#     reservations/s while selling, attempts/s once sold out and their latencies. Gatling spends about a core of a 2-core machine at 3,000-4,000 buyers/s;
#     wrk measures what the node sustains.
# Exits non-zero if any run failed its audit (oversold, lost or duplicated an acknowledged order) or a
# load tool failed.
#
#   gatling/benchmark.sh                                   # defaults below: 100,000 buyers for 1,000 units
#   BUYERS=20000 STOCK=2000 RATE=1000 CAPACITY=off gatling/benchmark.sh
#   MODES=on CAPACITY=off PREQUEUE=2000 AFTER=8000 ROOM_RATE=500 gatling/benchmark.sh   # a smaller room run
#
# Sizes: BUYERS (100000), STOCK (1000), RATE arrivals/s (3000), RAMP seconds (0), PAY_RATIO (0.8),
# WARMUP_BUYERS (20000, at RATE), PORT (18080), DB_PORT (54339), MODES ("off on"), VIA (nginx, or direct:
# the node alone), CAPACITY (on). The waiting room: ROOM (on), PREQUEUE (20000, arriving over PREQUEUE_SECONDS,
# 20), AFTER (80000, at ROOM_RATE arrivals/s, 250: what a 2-core machine that also runs Gatling drove),
# ADMISSION_RATE (0: automatic), DIFFICULTY (proof-of-work bits, 8); its buyers check in as the node asks (every
# 4 s near the front, up to every 30 s far back), so the arrival rate and how long the sale keeps buyers waiting
# set the load, more than STOCK. On a 2-core machine running Gatling, nginx, the node and PostgreSQL together, batching on held 4,000 arrivals/s; batching off at 4,000/s kept so many buyers waiting that
# Gatling ran out of file descriptors (20,000) in one run of two, so the default is 3,000.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

BUYERS=${BUYERS:-100000}
STOCK=${STOCK:-1000}
RATE=${RATE:-3000}
RAMP=${RAMP:-0}
PAY_RATIO=${PAY_RATIO:-0.8}
WARMUP_BUYERS=${WARMUP_BUYERS:-20000}
PORT=${PORT:-18080}
DB_PORT=${DB_PORT:-54339}
MODES=${MODES-"off on"}
VIA=${VIA:-nginx}
CAPACITY=${CAPACITY:-on}
ROOM=${ROOM:-on}
PREQUEUE=${PREQUEUE:-20000}
PREQUEUE_SECONDS=${PREQUEUE_SECONDS:-20}
AFTER=${AFTER:-80000}
ROOM_RATE=${ROOM_RATE:-250}
ADMISSION_RATE=${ADMISSION_RATE:-0}
DIFFICULTY=${DIFFICULTY:-8}
out="$root/gatling/target/benchmark"
# The node's JWT secret and first admin's password: local takes them from the environment, and Gatling and
# the storm tool read them from it too (to mint buyers' tokens, to log in as the admin who creates the sales).
export FLASHSALE_JWT_SECRET="${FLASHSALE_JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr '+/' '-_')}"
export FLASHSALE_ADMIN_PASSWORD="${FLASHSALE_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"
# Gatling holds a socket per buyer waiting for an answer: a collapsing run (batching off) can reach the
# descriptor limit, and the JVM then fails to load its own classes. Raised where allowed.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p "$out"
if [ "$CAPACITY" = on ] && ! command -v wrk > /dev/null; then
  echo "capacity runs need wrk (apt-get install wrk); skipping them" >&2
  CAPACITY=off
fi

echo "== building the service and the simulations"
mvn -B -q package -DskipTests
mvn -B -q -f gatling/pom.xml test-compile
if [ "$CAPACITY" = on ]; then
  mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark-cp.txt -Dmdep.includeScope=test
fi

node_pid=""
data=""
stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill "$node_pid"
    wait "$node_pid" 2>/dev/null || true
  fi
  node_pid=""
  [ -z "$data" ] || rm -rf "$data"
}
trap stop_node EXIT

start_node() { # batching log [local options...]
  local batching=$1 log=$2
  shift 2
  data="$(mktemp -d)"
  FLASHSALE_BATCHING=$batching FLASHSALE_RATE_LIMITS=off \
    java -jar target/flashsale.jar local --nodes 1 "$@" --data "$data" \
    --http-port "$PORT" --management-port "$((PORT + 10))" --cluster-port "$((PORT + 20))" --db-port "$DB_PORT" \
    > "$log" 2>&1 &
  node_pid=$!
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null && return 0
    sleep 1
  done
  echo "the node did not become ready; see $log" >&2
  exit 1
}

# The warm-up runs in the measured rush's own JVM (FlashSaleRush -DwarmupBuyers): a warm node measured by a
# cold client still reports the client's JIT and connection set-up in the sale's first seconds.
rush() { # label summary-file
  mvn -B -q -f gatling/pom.xml gatling:test -Dgatling.simulationClass=flashsale.FlashSaleRush \
    -DbaseUrl="http://127.0.0.1:$PORT" -Dbuyers="$BUYERS" -Dstock="$STOCK" -Drate="$RATE" -DrampSeconds="$RAMP" \
    -DpayRatio="$PAY_RATIO" -DwarmupBuyers="$WARMUP_BUYERS" -Dlabel="$1" -DsummaryFile="$2"
}

# The flash crowd through a waiting room, with the same stock and buyers' behaviour as the plain rush.
room_rush() { # summary-file
  mvn -B -q -f gatling/pom.xml gatling:test -Dgatling.simulationClass=flashsale.WaitingRoomRush \
    -DbaseUrl="http://127.0.0.1:$PORT" -Dprequeue="$PREQUEUE" -DprequeueSeconds="$PREQUEUE_SECONDS" -Dafter="$AFTER" \
    -Drate="$ROOM_RATE" -Dstock="$STOCK" -DadmissionRate="$ADMISSION_RATE" -Ddifficulty="$DIFFICULTY" \
    -DpayRatio="$PAY_RATIO" -Dlabel="waiting room" -DsummaryFile="$1"
}

status=0
for mode in $MODES; do
  echo "== batching $mode: a local node on :$PORT (log: $out/node-$mode.log)"
  # One node; by default behind nginx as deployed, VIA=direct for the node alone on $PORT.
  start_node "$mode" "$out/node-$mode.log" $([ "$VIA" = direct ] && echo --no-nginx)
  rm -f "$out/rush-$mode.json"  # a failed run must not report an earlier one's summary
  echo "== batching $mode: warm-up ($WARMUP_BUYERS buyers), then the measured rush ($BUYERS buyers, $STOCK units, up to $RATE arrivals/s)"
  rush "batching $mode" "$out/rush-$mode.json" > "$out/rush-$mode.log" 2>&1 \
    || { echo "the measured rush failed, see $out/rush-$mode.log" >&2; status=1; }
  # The node's own port: nginx serves no metrics (behind nginx, local's node 1 listens on the entry port + 1).
  curl -s "http://127.0.0.1:$([ "$VIA" = direct ] && echo "$PORT" || echo "$((PORT + 1))")/metrics" \
    > "$out/metrics-$mode.txt" || true
  grep -E '^flashsale_reserve_batch_size_(count|sum|max) ' "$out/metrics-$mode.txt" > "$out/batches-$mode.txt" || true
  awk '/^jvm_memory_used_bytes\{area="heap"/ {used += $NF} /^jvm_memory_max_bytes\{area="heap"/ && $NF > 0 {max += $NF}
    END {printf "heap used after the rush: %.0f MiB of %.0f MiB\n", used / 1048576, max / 1048576}' \
    "$out/metrics-$mode.txt" >> "$out/batches-$mode.txt" || true
  stop_node
done

if [ "$ROOM" = on ]; then
  echo "== waiting room: a local node on :$PORT, batching on (log: $out/node-room.log)"
  start_node on "$out/node-room.log" $([ "$VIA" = direct ] && echo --no-nginx)
  rm -f "$out/room.json"
  echo "== waiting room: $PREQUEUE buyers join the pre-queue over $PREQUEUE_SECONDS s, $AFTER more after the start (up to $ROOM_RATE arrivals/s), $STOCK units"
  room_rush "$out/room.json" > "$out/room.log" 2>&1 \
    || { echo "the waiting-room rush failed, see $out/room.log" >&2; status=1; }
  grep -E '^ROOM AUDIT' "$out/room.log" || true
  stop_node
fi

if [ "$CAPACITY" = on ]; then
  echo "== capacity: a local node alone on :$PORT, batching on, wrk with 64 connections (log: $out/node-capacity.log)"
  start_node on "$out/node-capacity.log" --no-nginx
  storm() { # log, then StormBenchmark's options
    local log=$1
    shift
    java -cp "target/test-classes:target/classes:$(cat target/benchmark-cp.txt)" com.flashsale.testing.StormBenchmark \
      --url "http://127.0.0.1:$PORT" --concurrency 64 "$@" > "$log" 2>&1 \
      || { echo "a storm failed its audit or did not run, see $log" >&2; status=1; }
    grep -E '^  (warm-up |STORM|SELLING|SOLD-OUT|AUDIT)' "$log" || true
  }
  echo "-- 100,000 units to 100,000 buyers (after warm-up storms of 20,000 and 40,000 units)"
  storm "$out/capacity-selling.log" --stock 100000 --attempts 100000 --buyers 100000 --warmup 20000,40000
  echo "-- 1,000 units to 100,000 attempts by 100,000 buyers, then 100,000 attempts by others at the sold-out sale"
  storm "$out/capacity-sold-out.log" --stock 1000 --attempts 100000 --buyers 100000 --sold-out-attempts 100000
  stop_node
fi

set -- $MODES
for mode in $MODES; do
  [ -f "$out/rush-$mode.json" ] || { echo "no summary for batching $mode: see $out/rush-$mode.log" >&2; exit 1; }
done
if [ "$#" -eq 2 ]; then
  echo "== FlashSaleRush, $1 vs $2 (ratio = $2 / $1); reports under gatling/target/gatling/"
  gatling/summary-table.sh "$out/rush-$1.json" "$out/rush-$2.json" || status=1
elif [ "$#" -eq 1 ]; then
  cat "$out/rush-$1.json"
fi
for mode in $MODES; do
  echo "batching $mode, the node's own meters (warm-up included):"
  sed 's/^/  /' "$out/batches-$mode.txt"
done
if [ "$ROOM" = on ]; then
  [ -f "$out/room.json" ] || { echo "no summary for the waiting-room rush: see $out/room.log" >&2; exit 1; }
  if [ "$#" -ge 1 ]; then
    plain="${!#}" # the last mode's rush (batching on by default), the room's node runs batching on
    echo "== the plain rush (batching $plain) beside the rush through a waiting room (ratio = room / plain)"
    gatling/summary-table.sh "$out/rush-$plain.json" "$out/room.json" || status=1
  else
    cat "$out/room.json"
  fi
fi
if [ "$CAPACITY" = on ]; then
  echo "== capacity of one node (wrk, closed loop, 64 connections; load generator on the same machine)"
  awk -f gatling/capacity-table.awk "$out/capacity-selling.log" "$out/capacity-sold-out.log" || status=1
fi
exit $status
