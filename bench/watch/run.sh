#!/usr/bin/env bash
# Watch fan-out of one QuorumDNS node against one etcd member, with the same client: WATCHERS concurrent watchers
# on the server, then WRITES writes at RATE per second; p50/p99 from each write's acknowledgement to its arrival
# at every watcher, and the server's resident memory per watcher. Both servers fsync; both on loopback.
# Usage: bench/watch/run.sh [WATCHERS (default 10000)] [WRITES (default 100)] [RATE (default 5)]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
WATCHERS="${1:-10000}"
WRITES="${2:-100}"
RATE="${3:-5}"
command -v etcd >/dev/null || { echo "needs etcd (apt-get install etcd-server)" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "needs jcmd (a JDK)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/quorumdns-bench-watch.XXXX)"
PIDS=()
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then for f in "$WORK"/*.log; do echo "--- $f"; tail -20 "$f"; done; fi
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((WATCHERS + 1000)) ] || { echo "needs ulimit -n above $((WATCHERS + 1000))" >&2; exit 1; }
wait_http() { for _ in $(seq 1 240); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
echo "== $(machine); $WATCHERS watchers, $WRITES writes at $RATE/s"

echo "== QuorumDNS: one node on 127.0.0.81"
QUORUMDNS_JAVA_OPTS="${QUORUMDNS_JAVA_OPTS:--Xmx1g -XX:+UseParallelGC}" bin/quorumdns node --id w1 \
  --data-dir "$WORK/q" --bind 127.0.0.81 --peers w1=127.0.0.81:9053 \
  --watch-max $((WATCHERS + 100)) --watch-max-per-client $((WATCHERS + 100)) \
  --api-max-connections $((WATCHERS + 1000)) --api-max-connections-per-client $((WATCHERS + 1000)) \
  > "$WORK/q.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.81:8053/readyz"
QPID="${PIDS[0]}"   # bin/quorumdns execs java: the same process
Q="$(java -cp "$BENCH_CP" WatchLoad quorumdns 127.0.0.81:8053 "$QPID" "$WATCHERS" "$WRITES" "$RATE")"
echo "$Q"
for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
PIDS=()

echo "== etcd $(etcd --version | head -1 | awk '{print $3}'): one member on 127.0.0.82"
etcd --name e1 --data-dir "$WORK/e" --listen-client-urls http://127.0.0.82:2379 \
  --advertise-client-urls http://127.0.0.82:2379 --listen-peer-urls http://127.0.0.82:2380 \
  --initial-advertise-peer-urls http://127.0.0.82:2380 --initial-cluster e1=http://127.0.0.82:2380 \
  > "$WORK/e.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.82:2379/health"
kill -0 "${PIDS[0]}" || { echo "etcd (pid ${PIDS[0]}) is not running" >&2; exit 1; }
E="$(java -cp "$BENCH_CP" WatchLoad etcd 127.0.0.82:2379 "${PIDS[0]}" "$WATCHERS" "$WRITES" "$RATE")"
echo "$E"

field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
echo
printf '%-10s %10s %10s %10s %12s %10s\n' server p50_ms p99_ms max_ms kb_per_watcher missing
for line in "$Q" "$E"; do
  printf '%-10s %10s %10s %10s %12s %10s\n' "${line%% *}" "$(field p50 "$line")" "$(field p99 "$line")" \
    "$(field max "$line")" "$(field per_watcher_kb "$line")" "$(field missing "$line")"
done
awk -v qp="$(field p99 "$Q")" -v ep="$(field p99 "$E")" -v qm="$(field per_watcher_kb "$Q")" \
  -v em="$(field per_watcher_kb "$E")" 'BEGIN {
    printf "p99 QuorumDNS/etcd = %.2f (target <= 2), memory per watcher QuorumDNS/etcd = %.2f (target <= 1)\n",
      (ep > 0 ? qp / ep : 0), (em > 0 ? qm / em : 0) }'
