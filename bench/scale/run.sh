#!/usr/bin/env bash
# Registry size: loads a 3-node cluster to each size (default 100000 then 1000000) and prints RSS and heap per
# node, bytes per service, RocksDB size, restart-to-ready time, new-member (snapshot install) time and DNS QPS
# at that size. Usage: bench/scale/run.sh [SIZES]   (e.g. 100000,1000000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
WORK="$(mktemp -d /tmp/quorumdns-bench-scale.XXXX)"
trap 'pkill -9 -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export QUORUMDNS_JAVA_OPTS="${QUORUMDNS_JAVA_OPTS:--Xmx3g -XX:+UseParallelGC}"
echo "== $(machine); node JVM: $QUORUMDNS_JAVA_OPTS"
export BENCH_RESULTS="${BENCH_RESULTS:-$ROOT/bench/results}"
java -cp "$BENCH_CP" Scale "$WORK" "${1:-100000,1000000}"
java -cp "$BENCH_CP" Chart "$BENCH_RESULTS/scale-memory.tsv" "$BENCH_RESULTS/scale-memory.svg" \
  "Memory per node against registry size ($(date -u +%F))" "registered services" "MiB"
java -cp "$BENCH_CP" Chart "$BENCH_RESULTS/scale-times.tsv" "$BENCH_RESULTS/scale-times.svg" \
  "Restart and new-member time against registry size ($(date -u +%F))" "registered services" "seconds"
echo "tables and charts: $BENCH_RESULTS/scale-{memory,times}.{tsv,svg}"
