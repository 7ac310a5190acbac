-- wrk script: a purchase storm at one sale, or at several in turn. Each request is a purchase by the next buyer
-- token (read from a file, one JWT per line); each thread stops after its share of attempts. Counts statuses.
-- usage: wrk -tT -c64 -d120s -s purchase-storm.lua URL -- TOKENS_FILE SALE_IDS ATTEMPTS_PER_THREAD T [METHOD PATH]
-- SALE_IDS is one sale id or several separated by commas: request n goes to the n-th of them, round and round.
-- With METHOD and PATH it sends those instead of purchases (TOKENS_FILE "-": no Authorization header), so a
-- health check or a bare server's constant route is measured by the same client, counted the same way.
-- Thread i of T sends the buyers at positions i, i+T, i+2T, ... so every buyer is used in turn.
-- wrk's main thread sleeps the whole -d even when the threads stop early, so the script times itself:
-- from its first request to its last answer, with a monotonic clock through LuaJIT's FFI.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clk_id, timespec *tp);
]]
local timespec = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  if args[1] ~= "-" then
    for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  end
  method = args[5] or "POST"
  paths = {}
  for sale in string.gmatch(args[2], "[^,]+") do paths[#paths + 1] = "/api/sales/" .. sale .. "/purchase" end
  if args[6] then paths = { args[6] } end
  limit = tonumber(args[3])
  nthreads = tonumber(args[4])
  sent, answered = 0, 0
  first_ms, last_ms = 0, 0
  c200, c201, c409, c503, c429, cother = 0, 0, 0, 0, 0, 0
end

function request()
  if sent == 0 then first_ms = now_ms() end
  local headers = {}
  if #tokens > 0 then
    headers["Authorization"] = "Bearer " .. tokens[(sent * nthreads + id) % #tokens + 1]
  end
  local path = paths[sent % #paths + 1]
  sent = sent + 1
  return wrk.format(method, path, headers, nil)
end

function response(status, headers, body)
  answered = answered + 1
  last_ms = now_ms()
  if status == 201 then c201 = c201 + 1
  elseif status == 200 then c200 = c200 + 1
  elseif status == 409 then c409 = c409 + 1
  elseif status == 503 then c503 = c503 + 1
  elseif status == 429 then c429 = c429 + 1
  else cother = cother + 1 end
  if answered == limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local t = { c200 = 0, c201 = 0, c409 = 0, c503 = 0, c429 = 0, cother = 0 }
  local start_ms, end_ms = math.huge, 0
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
    start_ms = math.min(start_ms, thread:get("first_ms"))
    end_ms = math.max(end_ms, thread:get("last_ms"))
  end
  local seconds = (end_ms - start_ms) / 1000
  io.write(string.format("STORM attempts=%d seconds=%.3f attempts_per_s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f s201=%d s200=%d s409=%d s429=%d s503=%d other=%d errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, t.c201, t.c200, t.c409, t.c429, t.c503, t.cother,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
