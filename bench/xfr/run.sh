#!/usr/bin/env bash
# Zone transfer of a big registry: one node loaded with N services (default 1000000: 3M records), an AXFR by kdig
# with TSIG (ROUNDS times, default 3), the seconds and the node's peak RSS during each, then named-compilezone
# reading the same zone: the anchor, BIND's own zone loader. Usage: bench/xfr/run.sh [N] [ROUNDS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
command -v kdig >/dev/null || { echo "needs kdig (apt-get install knot-dnsutils)" >&2; exit 1; }
command -v named-compilezone >/dev/null || { echo "needs named-compilezone (apt-get install bind9-utils)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/quorumdns-bench-xfr.XXXX)"
BENCH_PID=""
cleanup() {
  [ -n "$BENCH_PID" ] && kill -9 "$BENCH_PID" 2>/dev/null || true
  [ -f "$WORK/node.pid" ] && kill -9 "$(cat "$WORK/node.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export QUORUMDNS_JAVA_OPTS="${QUORUMDNS_JAVA_OPTS:--Xmx3g -XX:+UseParallelGC}"
tsig-keygen quorumdns-xfr > "$WORK/xfr.key"
chmod 600 "$WORK/xfr.key"
echo "== $(machine); node JVM: $QUORUMDNS_JAVA_OPTS"
java -cp "$BENCH_CP" XfrBench "$WORK" "$WORK/xfr.key" "${1:-1000000}" "${2:-3}" &
BENCH_PID=$!
wait "$BENCH_PID"
