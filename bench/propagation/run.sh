#!/usr/bin/env bash
# Time from a write's acknowledgement to the name answering in DNS on every node (3 nodes, loopback). Usage: bench/propagation/run.sh [ROUNDS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
WORK="$(mktemp -d /tmp/quorumdns-bench-propagation.XXXX)"
trap 'pkill -9 -f "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "== $(machine)"
java -cp "$BENCH_CP" Propagation "$WORK" "${1:-300}"
