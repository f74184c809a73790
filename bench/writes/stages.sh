#!/usr/bin/env bash
# Where one write's time goes, stage by stage (microseconds), cold and after a warm-up: 3 nodes on loopback with
# Ratis' own timers on /metrics, one client writing sequentially to the leader (or to a follower).
# Usage: bench/writes/stages.sh [WRITES_PER_PHASE (1000)] [WARMUP_WRITES (5000)] [leader|follower]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
WORK="$(mktemp -d /tmp/quorumdns-bench-stages.XXXX)"
trap 'pkill -9 -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "== $(machine)"
export QUORUMDNS_JAVA_OPTS="${QUORUMDNS_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC} -Dquorumdns.ratis.metrics=true"
java -cp "$BENCH_CP" Stages "$WORK" "${1:-1000}" "${2:-5000}" "${3:-leader}"
