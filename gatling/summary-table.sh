#!/usr/bin/env bash
# Prints two FlashSaleRush or WaitingRoomRush summaries (gatling/target/flashsale-rush-summary.json, -DsummaryFile=…) side by
# side, with a ratio column (second / first). Needs only a JDK 11+ (runs SummaryTable.java as a source file).
# Exit status: 0 when both runs passed their audit with no oversell, 1 otherwise, 2 on bad usage.
#   gatling/summary-table.sh target/rush-off.json target/rush-on.json
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -ne 2 ]; then
  echo "usage: $0 FIRST.json SECOND.json   (ratio column = second / first)" >&2
  exit 2
fi
exec java "$here/src/test/java/flashsale/SummaryTable.java" "$1" "$2"
