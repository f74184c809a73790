#!/usr/bin/env bash
# A/B of two builds (directories made by bench/snapshot-build.sh) in one run: each round starts a 3-node cluster
# of each build in turn (A B, then B A, ...), warms it up, and measures write throughput and latency with the same
# closed-loop load generator as bench/writes/run.sh at each concurrency. Prints every measurement and, per build
# and concurrency, the median over the rounds. Usage: bench/writes/ab.sh A_DIR B_DIR [ROUNDS (3)] [SECONDS (10)]
# (BENCH_CLIENTS="1 100 1000" to choose the concurrencies, BENCH_WARMUP seconds of warm-up per cluster, default 20)
# BENCH_MODE=quorumdns-get (linearizable reads) or quorumdns-get-stale (?stale reads) measures reads of the
# BENCH_NAMES services (default 10000) the warm-up wrote, instead of writes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
A="$(cd "$1" && pwd)"; B="$(cd "$2" && pwd)"
ROUNDS="${3:-3}"; SECS="${4:-10}"
CLIENTS=(${BENCH_CLIENTS:-1 100})
WARMUP="${BENCH_WARMUP:-20}"
MODE="${BENCH_MODE:-quorumdns}"
NAMES="${BENCH_NAMES:-10000}"
WORK="$(mktemp -d /tmp/quorumdns-bench-ab.XXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
wait_http() { for _ in $(seq 1 240); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
PEERS="q1=127.0.0.61:9053,q2=127.0.0.62:9053,q3=127.0.0.63:9053"
TARGETS="http://127.0.0.61:8053,http://127.0.0.62:8053,http://127.0.0.63:8053"
echo "== $(machine); A = $A ($(cat "$A/VERSION" 2>/dev/null)), B = $B ($(cat "$B/VERSION" 2>/dev/null))"
RESULTS="$WORK/results"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(A B); else order=(B A); fi
  for build in "${order[@]}"; do
    dir="$A"; [ "$build" = B ] && dir="$B"
    rm -rf "$WORK/data"; PIDS=()
    for i in 1 2 3; do
      QUORUMDNS_JAVA_OPTS="-Xmx1g -XX:+UseParallelGC" "$dir/bin/quorumdns" node --id q$i --data-dir "$WORK/data/q$i" \
        --bind 127.0.0.6$i --peers "$PEERS" > "$WORK/$build-q$i.log" 2>&1 &
      PIDS+=($!)
    done
    for i in 1 2 3; do wait_http "http://127.0.0.6$i:8053/readyz"; done
    java -cp "$BENCH_CP" WriteLoad quorumdns 50 "$WARMUP" "$TARGETS" "$NAMES" >/dev/null
    java -cp "$BENCH_CP" WriteLoad "$MODE" 1 5 "$TARGETS" "$NAMES" >/dev/null
    for c in "${CLIENTS[@]}"; do
      line="$(java -cp "$BENCH_CP" WriteLoad "$MODE" "$c" "$SECS" "$TARGETS" "$NAMES")"
      echo "round $r build $build: $line"
      echo "$build $c $line" >> "$RESULTS"
    done
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  done
done
echo
printf '%-6s %-8s %10s %10s %10s   (median of %s rounds)\n' build clients ops/s p50_ms p99_ms "$ROUNDS"
for build in A B; do
  for c in "${CLIENTS[@]}"; do
    med() { grep "^$build $c " "$RESULTS" | sed -E "s/.*$1=([0-9.]+).*/\1/" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    printf '%-6s %-8s %10s %10s %10s\n' "$build" "$c" "$(med 'ops\/s')" "$(med p50)" "$(med p99)"
  done
done
