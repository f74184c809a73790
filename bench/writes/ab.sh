#!/usr/bin/env bash
# A/B of two builds (directories made by bench/snapshot-build.sh) in one run: each round starts a 3-node cluster
# of each build in turn (A B, then B A, ...), warms it up, and measures write throughput and latency with the same
# closed-loop load generator as bench/writes/run.sh at each concurrency. Prints every measurement and, per build
# and concurrency, the median over the rounds. Usage: bench/writes/ab.sh A_DIR B_DIR [ROUNDS (3)] [SECONDS (10)]
# (BENCH_CLIENTS="1 100 1000" to choose the concurrencies; each cluster is warmed up until its JIT compilers settle,
# bench/warmup.sh: BENCH_WARMUP, BENCH_JIT_SETTLED, BENCH_WARMUP_MAX)
# BENCH_MODE=quorumdns-get (linearizable reads) or quorumdns-get-stale (?stale reads) measures reads of the
# BENCH_NAMES services (default 10000) the warm-up wrote, instead of writes.
# Each measurement also reports the CPU the three nodes used per operation (utime + stime of their JVMs over the
# run, in ms: node_cpu_ms_per_op) and how busy the whole box was (box_busy, %), so a throughput difference can be
# told apart as CPU per write (the nodes do more work) or waiting (they do the same work more slowly).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
A="$(cd "$1" && pwd)"; B="$(cd "$2" && pwd)"
ROUNDS="${3:-3}"; SECS="${4:-10}"
CLIENTS=(${BENCH_CLIENTS:-1 100})
MODE="${BENCH_MODE:-quorumdns}"
NAMES="${BENCH_NAMES:-10000}"
WORK="$(mktemp -d /tmp/quorumdns-bench-ab.XXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../warmup.sh"
HZ="$(getconf CLK_TCK)"
# The box's busy and total CPU ticks from /proc/stat.
box_ticks() { awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8; print busy, busy + $5 + $6}' /proc/stat; }
echo "== $(machine); A = $A ($(cat "$A/VERSION" 2>/dev/null)), B = $B ($(cat "$B/VERSION" 2>/dev/null))"
RESULTS="$WORK/results"
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then order=(A B); else order=(B A); fi
  for build in "${order[@]}"; do
    dir="$A"; [ "$build" = B ] && dir="$B"
    rm -rf "$WORK/data"; PIDS=()
    start_nodes "$dir/bin/quorumdns" "$WORK/data" "$WORK/$build"
    java -cp "$BENCH_CP" WriteLoad quorumdns 50 10 "$TARGETS" "$NAMES" >/dev/null
    warm_up "${PIDS[*]}" java -cp "$BENCH_CP" WriteLoad quorumdns 50 10 "$TARGETS"
    java -cp "$BENCH_CP" WriteLoad "$MODE" 1 5 "$TARGETS" "$NAMES" >/dev/null
    for c in "${CLIENTS[@]}"; do
      t0="$(proc_ticks "${PIDS[@]}")"; read -r b0 all0 < <(box_ticks)
      line="$(java -cp "$BENCH_CP" WriteLoad "$MODE" "$c" "$SECS" "$TARGETS" "$NAMES")"
      t1="$(proc_ticks "${PIDS[@]}")"; read -r b1 all1 < <(box_ticks)
      ok="$(sed -E 's/.* ok=([0-9]+).*/\1/' <<< "$line")"
      line="$line node_cpu_ms_per_op=$(awk -v t=$((t1 - t0)) -v n="$ok" -v hz="$HZ" 'BEGIN {printf "%.3f", n ? t * 1000 / hz / n : 0}')"
      line="$line box_busy=$(awk -v b=$((b1 - b0)) -v a=$((all1 - all0)) 'BEGIN {printf "%.0f", a ? 100 * b / a : 0}')"
      echo "round $r build $build: $line"
      echo "$build $c $line" >> "$RESULTS"
    done
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  done
done
echo
printf '%-6s %-8s %10s %10s %10s %12s %9s   (median of %s rounds)\n' build clients ops/s p50_ms p99_ms \
  node_cpu_ms/op box_busy% "$ROUNDS"
for build in A B; do
  for c in "${CLIENTS[@]}"; do
    med() { grep "^$build $c " "$RESULTS" | sed -E "s/.*$1=([0-9.]+).*/\1/" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    printf '%-6s %-8s %10s %10s %10s %12s %9s\n' "$build" "$c" "$(med 'ops\/s')" "$(med p50)" "$(med p99)" \
      "$(med node_cpu_ms_per_op)" "$(med box_busy)"
  done
done
