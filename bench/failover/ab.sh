#!/usr/bin/env bash
# A/B of two builds (directories made by bench/snapshot-build.sh) for failover in one run: BLOCKS blocks of ROUNDS
# leader kills each, alternating A B A B ..., each block a fresh cluster (bench/failover/run.sh). Prints every round,
# then each build's rounds together. Usage: bench/failover/ab.sh A_DIR B_DIR [ROUNDS (10)] [BLOCKS (4)]
# (BENCH_FAILOVER_KEEP=DIR keeps the slow rounds of block N of build X in DIR/X-N; BENCH_PREFIX as for run.sh)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
A="$(cd "$1" && pwd)"; B="$(cd "$2" && pwd)"
ROUNDS="${3:-10}"; BLOCKS="${4:-4}"
KEEP="${BENCH_FAILOVER_KEEP:-}"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
echo "== A = $A ($(cat "$A/VERSION" 2>/dev/null)), B = $B ($(cat "$B/VERSION" 2>/dev/null)); $(uptime)"
for i in $(seq 1 "$BLOCKS"); do
  if (( i % 2 )); then b=A; d="$A"; else b=B; d="$B"; fi
  echo "== block $i: build $b"
  if [ -n "$KEEP" ]; then export BENCH_FAILOVER_KEEP="$KEEP/$b-$i"; else unset BENCH_FAILOVER_KEEP; fi
  BENCH_QUORUMDNS="$d/bin/quorumdns" "$ROOT/bench/failover/run.sh" "$ROUNDS" | tee /dev/stderr | sed -n "s/^round .*after \([0-9]*\) ms/$b \1/p" >> "$OUT"
done
echo "== $(uptime)"
for b in A B; do
  grep "^$b " "$OUT" | awk '{print $2}' | sort -n | awk -v b="$b" '{a[NR]=$1; if ($1 <= 1000) m++}
    END {printf "build %s: %d rounds, p50 %d ms, p99 %d ms, max %d ms, %d of %d <= 1000 ms\n", b, NR, a[int((NR+1)/2)], a[int(NR*0.99+0.999)], a[NR], m, NR}'
done
