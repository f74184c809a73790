#!/usr/bin/env bash
# Time from a write's acknowledgement to the name answering in DNS on every node (3 nodes, loopback), measured once
# the cluster is at steady state: the nodes are warmed up with the write benchmark's load until their JIT compilers
# settle (bench/warmup.sh: BENCH_WARMUP, BENCH_JIT_SETTLED, BENCH_WARMUP_MAX; BENCH_WARMUP_MAX=0 measures after a
# single 10 s window, close to a cold cluster). BENCH_QUORUMDNS names another launcher (bench/snapshot-build.sh).
# Usage: bench/propagation/run.sh [ROUNDS (300)]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../warmup.sh"
WORK="$(mktemp -d /tmp/quorumdns-bench-propagation.XXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
echo "== $(machine)"
start_nodes "${BENCH_QUORUMDNS:-bin/quorumdns}" "$WORK" "$WORK/node"
warm_up "${PIDS[*]}" java -cp "$BENCH_CP" WriteLoad quorumdns 50 10 "$TARGETS"
java -cp "$BENCH_CP" Propagation "${1:-300}" "$TARGETS"
