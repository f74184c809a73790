#!/usr/bin/env bash
# Write throughput and latency of a 3-node QuorumDNS cluster (fsync on) against a 3-member etcd (Debian's
# etcd-server, fsync on), both on loopback, with the same closed-loop HTTP load generator at 1, 100 and 1000
# clients. Prints a table, the ratios and the targets met or missed. A 1-client run right after start gives the
# cold (JIT) figure; the measured steps follow a warm-up at 50 clients until the JVMs' JIT compilers have settled
# (bench/warmup.sh: at least BENCH_WARMUP seconds, default 20, at most BENCH_WARMUP_MAX, default 300); etcd gets
# the same minimum.
# BENCH_QUORUMDNS names another launcher (a build snapshot from bench/snapshot-build.sh).
# Usage: bench/writes/run.sh [SECONDS_PER_STEP (default 20)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/warmup.sh
SECONDS_PER_STEP="${1:-20}"
CLIENTS=(${BENCH_CLIENTS:-1 100 1000})
command -v etcd >/dev/null || { echo "needs etcd (apt-get install etcd-server)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/quorumdns-bench-writes.XXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
[ -f server/target/quorumdns-server.jar ] || mvn -B -q -DskipTests package -pl server,cli -am
ulimit -n 65536 2>/dev/null || true

wait_http() { for _ in $(seq 1 240); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }

echo "== QuorumDNS: 3 nodes on 127.0.0.61-63"
PEERS="q1=127.0.0.61:9053,q2=127.0.0.62:9053,q3=127.0.0.63:9053"
for i in 1 2 3; do
  QUORUMDNS_JAVA_OPTS="-Xmx1g -XX:+UseParallelGC" "${BENCH_QUORUMDNS:-bin/quorumdns}" node --id q$i --data-dir "$WORK/q$i" \
    --bind 127.0.0.6$i --peers "$PEERS" > "$WORK/q$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 1 2 3; do wait_http "http://127.0.0.6$i:8053/readyz"; done
QTARGETS="http://127.0.0.61:8053,http://127.0.0.62:8053,http://127.0.0.63:8053"
QCOLD="$(java bench/src/WriteLoad.java quorumdns 1 5 "$QTARGETS")"
echo "cold: $QCOLD"
warm_up "${PIDS[*]}" java bench/src/WriteLoad.java quorumdns 50 10 "$QTARGETS"
declare -A Q E
for c in "${CLIENTS[@]}"; do
  line="$(java bench/src/WriteLoad.java quorumdns "$c" "$SECONDS_PER_STEP" "$QTARGETS")"
  echo "$line"; Q[$c]="$line"
done
for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
PIDS=()

echo "== etcd $(etcd --version | head -1 | awk '{print $3}'): 3 members on 127.0.0.71-73"
CLUSTER="e1=http://127.0.0.71:2380,e2=http://127.0.0.72:2380,e3=http://127.0.0.73:2380"
for i in 1 2 3; do
  etcd --name e$i --data-dir "$WORK/e$i" --listen-peer-urls http://127.0.0.7$i:2380 \
    --initial-advertise-peer-urls http://127.0.0.7$i:2380 --listen-client-urls http://127.0.0.7$i:2379 \
    --advertise-client-urls http://127.0.0.7$i:2379 --initial-cluster "$CLUSTER" \
    --initial-cluster-state new --initial-cluster-token bench > "$WORK/e$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 1 2 3; do wait_http "http://127.0.0.7$i:2379/health"; done
ETARGETS="http://127.0.0.71:2379,http://127.0.0.72:2379,http://127.0.0.73:2379"
ECOLD="$(java bench/src/WriteLoad.java etcd 1 5 "$ETARGETS")"
echo "cold: $ECOLD"
warm_up "${PIDS[*]}" java bench/src/WriteLoad.java etcd 50 10 "$ETARGETS"
for c in "${CLIENTS[@]}"; do
  line="$(java bench/src/WriteLoad.java etcd "$c" "$SECONDS_PER_STEP" "$ETARGETS")"
  echo "$line"; E[$c]="$line"
done

echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), ${SECONDS_PER_STEP}s per step"
printf '%-8s %14s %14s %8s %12s %12s\n' clients quorumdns_ops etcd_ops ratio q_p99_ms e_p99_ms
for c in "${CLIENTS[@]}"; do
  qo=$(sed -E 's/.*ops\/s=([0-9]+).*/\1/' <<<"${Q[$c]}"); eo=$(sed -E 's/.*ops\/s=([0-9]+).*/\1/' <<<"${E[$c]}")
  qp=$(sed -E 's/.*p99=([0-9.]+)ms.*/\1/' <<<"${Q[$c]}"); ep=$(sed -E 's/.*p99=([0-9.]+)ms.*/\1/' <<<"${E[$c]}")
  printf '%-8s %14s %14s %8s %12s %12s\n' "$c" "$qo" "$eo" "$(awk -v a="$qo" -v b="$eo" 'BEGIN{printf "%.2f", (b>0?a/b:0)}')" "$qp" "$ep"
done

# The targets (issue 11), judged on this run's numbers.
val() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
echo
echo "targets (cold 1-client run, not judged: QuorumDNS p50 $(val p50 "$QCOLD") ms, etcd p50 $(val p50 "$ECOLD") ms):"
target() { # description, value, op, bound
  printf '  %-52s %10s  %s\n' "$1" "$2" "$(awk -v v="$2" -v op="$3" -v b="$4" 'BEGIN{ok = (op == "<=") ? v <= b : v >= b; print (ok ? "MET" : "missed")}')"
}
ratio() { awk -v a="$(val 'ops\/s' "${Q[$1]}")" -v b="$(val 'ops\/s' "${E[$1]}")" 'BEGIN{printf "%.2f", (b>0?a/b:0)}'; }
for c in "${CLIENTS[@]}"; do
  case "$c" in
    1) target "1 client: p50 <= 3 ms" "$(val p50 "${Q[1]}")" "<=" 3
       target "1 client: p99 <= 10 ms" "$(val p99 "${Q[1]}")" "<=" 10
       target "1 client: writes/s >= 0.5 x etcd" "$(ratio 1)" ">=" 0.5 ;;
    100) target "100 clients: writes/s >= 1.5 x etcd" "$(ratio 100)" ">=" 1.5 ;;
    1000) target "1000 clients: writes/s >= 2 x etcd" "$(ratio 1000)" ">=" 2 ;;
  esac
done

# Tables and charts (SVG) of throughput and latency against concurrency, kept with the results.
OUT="${BENCH_RESULTS:-bench/results}"
mkdir -p "$OUT"
field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
printf 'clients\tQuorumDNS ops/s\tetcd ops/s\n' > "$OUT/writes-throughput.tsv"
printf 'clients\tQuorumDNS p50\tQuorumDNS p99\tetcd p50\tetcd p99\n' > "$OUT/writes-latency.tsv"
for c in "${CLIENTS[@]}"; do
  printf '%s\t%s\t%s\n' "$c" "$(field 'ops\/s' "${Q[$c]}")" "$(field 'ops\/s' "${E[$c]}")" >> "$OUT/writes-throughput.tsv"
  printf '%s\t%s\t%s\t%s\t%s\n' "$c" "$(field p50 "${Q[$c]}")" "$(field p99 "${Q[$c]}")" \
    "$(field p50 "${E[$c]}")" "$(field p99 "${E[$c]}")" >> "$OUT/writes-latency.tsv"
done
java bench/src/Chart.java "$OUT/writes-throughput.tsv" "$OUT/writes-throughput.svg" \
  "Writes/s, 3 nodes on loopback, fsync on ($(date -u +%F))" "concurrent clients" "acknowledged writes/s" logx
java bench/src/Chart.java "$OUT/writes-latency.tsv" "$OUT/writes-latency.svg" \
  "Write latency, 3 nodes on loopback ($(date -u +%F))" "concurrent clients" "latency (ms)" logx
echo "tables and charts: $OUT/writes-throughput.{tsv,svg} $OUT/writes-latency.{tsv,svg}"
