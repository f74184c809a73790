#!/usr/bin/env bash
# A/B of two builds (directories made by bench/snapshot-build.sh) for propagation in one run: BLOCKS blocks of ROUNDS
# writes each, alternating A B A B ..., each block a fresh cluster (bench/propagation/run.sh). Prints every block,
# then each build's rounds pooled: all-nodes p50, p90, p99, max, and how many rounds took over 10 ms and over 100 ms.
# Usage: bench/propagation/ab.sh A_DIR B_DIR [ROUNDS (300)] [BLOCKS (4)]   (the warm-up settings as for run.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
A="$(cd "$1" && pwd)"; B="$(cd "$2" && pwd)"
ROUNDS="${3:-300}"; BLOCKS="${4:-4}"
RAW="$(mktemp -d)"
trap 'rm -rf "$RAW"' EXIT
echo "== A = $A ($(cat "$A/VERSION" 2>/dev/null)), B = $B ($(cat "$B/VERSION" 2>/dev/null)); $(uptime)"
for i in $(seq 1 "$BLOCKS"); do
  if (( i % 2 )); then b=A; d="$A"; else b=B; d="$B"; fi
  echo "== block $i: build $b"
  BENCH_PROPAGATION_RAW="$RAW/$b" BENCH_QUORUMDNS="$d/bin/quorumdns" "$ROOT/bench/propagation/run.sh" "$ROUNDS" \
    | grep '^propagation'
done
echo "== $(uptime)"
for b in A B; do
  sort -n "$RAW/$b" | awk -v b="$b" '{a[NR]=$1; if ($1 > 10000) s++; if ($1 > 100000) l++}
    END {printf "build %s: %d rounds, all nodes p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %d over 10 ms, %d over 100 ms\n",
      b, NR, a[int(NR*0.5+0.999)]/1000, a[int(NR*0.9+0.999)]/1000, a[int(NR*0.99+0.999)]/1000, a[NR]/1000, s, l}'
done
