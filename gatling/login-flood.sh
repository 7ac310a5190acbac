#!/usr/bin/env bash
# What a login flood costs the buyers of a live sale: one node alone (local --nodes 1 --no-nginx, the
# default rate limits except the general per-IP and per-user buckets, opened wide so that the storm tool's
# buyers, all from 127.0.0.1, are not limited), a purchase storm of 100,000 buyers for 100,000 units by wrk
# over 64 connections (StormBenchmark, after warm-up storms), run twice: alone, then while a second wrk
# floods POST /api/auth/login for one account from one address with a wrong password (16 connections). Prints both storms'
# reservations/s and latencies, and what the flood got.
#
#   gatling/login-flood.sh          # needs wrk (apt-get install wrk); about 4 minutes
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PORT=${PORT:-18080}
DB_PORT=${DB_PORT:-54339}
out="$root/gatling/target/login-flood"
mkdir -p "$out"
command -v wrk > /dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

export FLASHSALE_JWT_SECRET="${FLASHSALE_JWT_SECRET:-$(head -c 48 /dev/urandom | base64 | tr '+/' '-_')}"
export FLASHSALE_ADMIN_PASSWORD="${FLASHSALE_ADMIN_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')}"

echo "== building the service and the storm tool"
mvn -B -q package -DskipTests
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/benchmark-cp.txt -Dmdep.includeScope=test

data="$(mktemp -d)"
FLASHSALE_RATE_LIMITS=on FLASHSALE_RATE_LIMIT_IP_PER_SECOND=1000000 FLASHSALE_RATE_LIMIT_IP_BURST=1000000 \
  FLASHSALE_RATE_LIMIT_USER_PER_SECOND=1000000 FLASHSALE_RATE_LIMIT_USER_BURST=1000000 \
  java -jar target/flashsale.jar local --nodes 1 --no-nginx --data "$data" --http-port "$PORT" \
  --management-port "$((PORT + 10))" --cluster-port "$((PORT + 20))" --db-port "$DB_PORT" > "$out/node.log" 2>&1 &
node_pid=$!
flood_pid=""
cleanup() {
  [ -z "$flood_pid" ] || kill "$flood_pid" 2>/dev/null || true
  kill "$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" > /dev/null && break
  sleep 1
done

storm() { # log, then StormBenchmark's options
  java -cp "target/test-classes:target/classes:$(cat target/benchmark-cp.txt)" com.flashsale.testing.StormBenchmark \
    --url "http://127.0.0.1:$PORT" --secret "$FLASHSALE_JWT_SECRET" --admin-password "$FLASHSALE_ADMIN_PASSWORD" \
    --concurrency 64 "${@:2}" > "$1.log" 2>&1 || { echo "the storm failed, see $1.log" >&2; exit 1; }
}
storm_log() { grep -E '^  (STORM|SELLING|AUDIT)' "$1.log" | sed 's/^/  /'; }

cat > "$out/flood.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"someone@example.com","password":"not-the-password"}'
-- One address (the node believes X-Real-IP from loopback), not the storm tool's own.
wrk.headers["X-Real-IP"] = "203.0.113.66"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + count end
  end
  for status, count in pairs(total) do io.write(string.format("FLOOD status %d: %d\n", status, count)) end
end
LUA

echo "== a purchase storm alone (after warm-up storms of 20,000 and 40,000 units)"
storm "$out/alone" --stock 100000 --attempts 100000 --buyers 100000 --warmup 20000,40000
storm_log "$out/alone"

echo "== the same storm while one address floods POST /api/auth/login (wrk, 16 connections)"
wrk -t1 -c16 -d120s --timeout 10s -s "$out/flood.lua" "http://127.0.0.1:$PORT/api/auth/login" > "$out/flood.log" 2>&1 &
flood_pid=$!
sleep 5
storm "$out/flooded" --stock 100000 --attempts 100000 --buyers 100000
storm_log "$out/flooded"
kill -INT "$flood_pid" 2>/dev/null || true
wait "$flood_pid" 2>/dev/null || true
flood_pid=""
echo "== the flood"
grep -E "Requests/sec|FLOOD" "$out/flood.log" | sed 's/^/  /'
