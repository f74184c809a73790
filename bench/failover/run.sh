#!/usr/bin/env bash
# kill -9 the leader ROUNDS times under steady write and DNS load; write-unavailability window and DNS failures on live nodes. Usage: bench/failover/run.sh [ROUNDS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
WORK="$(mktemp -d /tmp/quorumdns-bench-failover.XXXX)"
trap 'pkill -9 -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "== $(machine)"
java -cp "$BENCH_CP" Failover "$WORK" "${1:-20}"
