# benchmark.sh's capacity table, from StormBenchmark's output: the 100,000-unit storm's log, then the
# 1,000-unit storm's log. Exits 1 when a storm's figures or its audit line are missing, or it oversold.
#   awk -f capacity-table.awk capacity-selling.log capacity-sold-out.log
function value(line, key,    rest) {
  if (!match(line, key "=[^ ;]+")) return ""
  rest = substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1)
  return rest
}
FNR == 1 { file++ }
/^  STORM/ { p50[file] = value($0, "p50_ms"); p99[file] = value($0, "p99_ms") }
/^  SELLING/ { rate[file] = value($0, "reservations_per_s"); window[file] = value($0, "seconds") }
/^  SOLD-OUT/ { soldOut[file] = value($0, "attempts_per_s"); soldOutP50 = value($0, "p50_ms"); soldOutP99 = value($0, "p99_ms") }
/^  AUDIT/ { audited[file] = 1; oversell[file] = $NF; if ($2 != "ok:") failed = 1 }
END {
  row = "%-64s %16s   %s\n"
  printf row, "", "measured", "issue's target"
  printf row, "100,000 units, 100,000 buyers: reservations/s while selling", rate[1], ">= 5,000"
  printf row, "  purchase latency p50 / p99 (ms)", p50[1] " / " p99[1], "p99 < 50"
  printf row, "1,000 units, 100,000 attempts: first to last reservation (s)", window[2], "< 1"
  printf row, "  purchase latency p50 / p99 (ms)", p50[2] " / " p99[2], "p99 < 50"
  printf row, "then 100,000 attempts at the sold-out sale: attempts/s", soldOut[2], ">= 15,000"
  printf row, "  purchase latency p50 / p99 (ms)", soldOutP50 " / " soldOutP99, "p99 < 50"
  printf row, "oversell (units), each storm", oversell[1] " / " oversell[2], "0"
  if (!audited[1] || !audited[2] || rate[1] == "" || soldOut[2] == "" || failed) exit 1
}
