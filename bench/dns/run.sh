#!/usr/bin/env bash
# DNS query throughput and latency of ONE QuorumDNS node (single-member cluster, one DNS thread) against NSD (one
# server process, no rate limiting) serving the same forward zone: 10,000 services' A and AAAA records. dnsperf
# sends 70% A, 20% AAAA and 10% nonexistent names with 100 queries in flight (100 client sockets), first a
# warm-up, then the measured run, then a shorter run with per-query latencies (-v) for percentiles.
#
# Then a random-name flood against each: the same mix on every other query, names never asked before on the rest
# (bench/dns/Prepare.java), for FLOOD_SECONDS; for QuorumDNS the answer-cache hit ratio of that run from /metrics.
#
# Usage: bench/dns/run.sh [SECONDS (default 30, at least 20)]
# Env:   BENCH_SERVICES (10000)  BENCH_WARMUP (10 s)  BENCH_LATENCY_SECONDS (10)  BENCH_FLOOD_SECONDS (20; 0: none)
#        BENCH_PIN=1  pins each server to CPU 1 and dnsperf to CPU 0 (default: no pinning)
#        BENCH_JFR=FILE  records a JFR profile of the node during the measured run
#        QUORUMDNS_JAVA_OPTS (default -Xms1g -Xmx1g -XX:+UseParallelGC)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SECS="${1:-30}"
COUNT="${BENCH_SERVICES:-10000}"
WARMUP="${BENCH_WARMUP:-10}"
LAT_SECS="${BENCH_LATENCY_SECONDS:-10}"
FLOOD_SECS="${BENCH_FLOOD_SECONDS:-20}"
NSD="$(command -v nsd || echo /usr/sbin/nsd)"
for t in dnsperf dig curl java "$NSD"; do
  command -v "$t" >/dev/null || { echo "needs $t (apt-get install dnsperf nsd bind9-dnsutils curl)" >&2; exit 1; }
done
[ "$SECS" -ge 20 ] || echo "warning: $SECS s per run is shorter than the 20 s the benchmark asks for" >&2
QADDR=127.0.0.51 NADDR=127.0.0.52 PORT=53535
PIN_SERVER=() PIN_CLIENT=()
if [ "${BENCH_PIN:-0}" = 1 ]; then PIN_SERVER=(taskset -c 1); PIN_CLIENT=(taskset -c 0); fi
WORK="$(mktemp -d /tmp/quorumdns-bench-dns.XXXX)"
NODE_PID="" NSD_PID=""
stop() { # pid: TERM, then wait up to 5 s for it to go
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  [ -n "$NODE_PID" ] && stop "$NODE_PID"
  [ -f "$WORK/nsd.pid" ] && stop "$(cat "$WORK/nsd.pid")"
  [ -n "$NSD_PID" ] && stop "$NSD_PID"
  rm -rf "$WORK" 2>/dev/null || { sleep 1; rm -rf "$WORK"; }
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true
machine() {
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"\
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
wait_dns() { # addr: until the zone's SOA answers
  for _ in $(seq 1 240); do
    dig +time=1 +tries=1 +short @"$1" -p $PORT mesh.internal SOA 2>/dev/null | grep -q hostmaster && return 0
    sleep 0.25
  done
  echo "no DNS answer from $1:$PORT" >&2; return 1
}

# CPU time (clock ticks) used so far by a server process and all its descendants (NSD forks twice).
cpu_ticks() { # pid
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ "$p" = "$1" ] || { t=$((t + $(cpu_ticks "$p"))); continue; }
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo "$t"
}
# One measured dnsperf run; prints "qps avg_ms max_ms lost cpu_us_per_query" (server CPU per answered query:
# steadier than QPS when other work shares the machine) and keeps dnsperf's report in $WORK/$2.perf.
measure() { # addr label seconds server_pid [query file]
  local c0 c1
  c0=$(cpu_ticks "$4")
  "${PIN_CLIENT[@]}" dnsperf -s "$1" -p $PORT -d "${5:-$WORK/queries.txt}" -c 100 -q 100 -l "$3" -t 2 \
    > "$WORK/$2.perf"
  c1=$(cpu_ticks "$4")
  awk -v cpu=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '/Queries per second/ {q=$4} /Queries completed/ {n=$3}
       /Average Latency/ {a=$4*1000; gsub(/[(),]/,""); m=$NF*1000} /Queries lost/ {l=$3}
       END {printf "%.0f %.3f %.3f %s %.1f\n", q, a, m, l, (n > 0 ? cpu / hz * 1e6 / n : 0)}' "$WORK/$2.perf"
}
# Per-query latencies from a -v run; prints "p50_ms p99_ms p99.9_ms".
percentiles() { # addr label
  "${PIN_CLIENT[@]}" dnsperf -s "$1" -p $PORT -d "$WORK/queries.txt" -c 100 -q 100 -l "$LAT_SECS" -t 2 -v \
    | awk '/^> / {print $NF * 1000}' | sort -n > "$WORK/$2.lat"
  awk '{v[NR]=$1} END {i50=int(NR*0.5); i99=int(NR*0.99); i999=int(NR*0.999); if (i50<1) i50=1; if (i99<1) i99=1;
       if (i999<1) i999=1; printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[i999]}' "$WORK/$2.lat"
}

echo "== $(machine)"
awk '$1 > 1.0 {print "warning: load average " $1 ": other work on this machine will skew the numbers"}' \
  /proc/loadavg >&2
bin/quorumdns help >/dev/null   # builds the node on first use
echo "== QuorumDNS: one node on $QADDR:$PORT, --dns-threads 1, $COUNT services"
JAVA_OPTS="${QUORUMDNS_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
QUORUMDNS_JAVA_OPTS="$JAVA_OPTS" "${PIN_SERVER[@]}" bin/quorumdns node --id b1 --data-dir "$WORK/b1" \
  --bind $QADDR --peers b1=$QADDR:9053 --dns-threads 1 > "$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 240); do curl -fsS --max-time 1 "http://$QADDR:8053/readyz" >/dev/null 2>&1 && break; sleep 0.25; done
curl -fsS --max-time 2 "http://$QADDR:8053/readyz" >/dev/null || { tail -20 "$WORK/node.log" >&2; exit 1; }
java bench/dns/Prepare.java "http://$QADDR:8053" "$COUNT" "$WORK/mesh.internal.zone" "$WORK/queries.txt" 200000 \
  "$WORK/flood.txt"
wait_dns $QADDR
measure $QADDR q-warmup "$WARMUP" "$NODE_PID" >/dev/null
if [ -n "${BENCH_JFR:-}" ]; then
  jcmd "$NODE_PID" JFR.start name=bench settings=profile filename="$(realpath -m "$BENCH_JFR")" >/dev/null
fi
Q=($(measure $QADDR quorumdns "$SECS" "$NODE_PID"))
[ -n "${BENCH_JFR:-}" ] && jcmd "$NODE_PID" JFR.stop name=bench >/dev/null && echo "JFR profile: $BENCH_JFR"
QP=($(percentiles $QADDR quorumdns))
cache_counts() { # hits misses, from the node's /metrics
  curl -fsS --max-time 5 "http://$QADDR:8053/metrics" | awk '/^quorumdns_dns_cache_total/ {
    if ($0 ~ /result="hit"/) h += $NF; else m += $NF } END {printf "%d %d\n", h, m}'
}
QF=(0 0 0 0 0) HIT_RATIO="-"
if [ "$FLOOD_SECS" -gt 0 ]; then
  C0=($(cache_counts))
  QF=($(measure $QADDR q-flood "$FLOOD_SECS" "$NODE_PID" "$WORK/flood.txt"))
  C1=($(cache_counts))
  HIT_RATIO=$(awk -v h=$((C1[0] - C0[0])) -v m=$((C1[1] - C0[1])) 'BEGIN {printf "%.1f%%", (h + m > 0 ? 100 * h / (h + m) : 0)}')
fi
stop "$NODE_PID"; NODE_PID=""

echo "== NSD $("$NSD" -v 2>&1 | awk '/version/ {print $3; exit}'): server-count 1 on $NADDR:$PORT, same zone"
cat > "$WORK/nsd.conf" <<EOF
server:
  ip-address: $NADDR
  port: $PORT
  server-count: 1
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$WORK"
  database: ""
  zonelistfile: "$WORK/zone.list"
  xfrdfile: "$WORK/xfrd.state"
  pidfile: "$WORK/nsd.pid"
  logfile: "$WORK/nsd.log"
  verbosity: 0
  hide-version: yes
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: mesh.internal
  zonefile: mesh.internal.zone
EOF
"${PIN_SERVER[@]}" "$NSD" -d -c "$WORK/nsd.conf" > "$WORK/nsd.out" 2>&1 &
NSD_PID=$!
wait_dns $NADDR || { cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
measure $NADDR n-warmup "$WARMUP" "$NSD_PID" >/dev/null
N=($(measure $NADDR nsd "$SECS" "$NSD_PID"))
NP=($(percentiles $NADDR nsd))
NF=(0 0 0 0 0)
[ "$FLOOD_SECS" -gt 0 ] && NF=($(measure $NADDR n-flood "$FLOOD_SECS" "$NSD_PID" "$WORK/flood.txt"))

echo
echo "== $(machine); $COUNT services, ${SECS} s measured per server after ${WARMUP} s warm-up, 100 in flight;"\
  "pinned: ${BENCH_PIN:-0}"
F='%-10s %9s %8s %8s %8s %8s %9s %7s %10s\n'
printf "$F" server qps avg_ms max_ms p50_ms p99_ms p99.9_ms lost cpu_us/q
printf "$F" quorumdns "${Q[0]}" "${Q[1]}" "${Q[2]}" "${QP[0]}" "${QP[1]}" "${QP[2]}" "${Q[3]}" "${Q[4]}"
printf "$F" nsd "${N[0]}" "${N[1]}" "${N[2]}" "${NP[0]}" "${NP[1]}" "${NP[2]}" "${N[3]}" "${N[4]}"
awk -v q="${Q[0]}" -v n="${N[0]}" -v qp="${QP[1]}" -v np="${NP[1]}" -v qc="${Q[4]}" -v nc="${N[4]}" \
  'BEGIN {printf "ratio quorumdns/nsd: qps %.2f, p99 %.2f, cpu per query %.2f\n",
          (n > 0 ? q / n : 0), (np > 0 ? qp / np : 0), (nc > 0 ? qc / nc : 0)}'
echo "(percentiles from a separate ${LAT_SECS} s run with dnsperf -v; cpu_us/q = server CPU time / answered queries)"
for s in quorumdns nsd; do
  printf '%-10s %s\n' "$s" "$(sed -n 's/^ *Response codes: *//p' "$WORK/$s.perf")"
done
if [ "$FLOOD_SECS" -gt 0 ]; then
  echo
  echo "== random-name flood: every other query a name never asked before, ${FLOOD_SECS} s per server"
  F2='%-10s %9s %8s %8s %7s %10s %s\n'
  printf "$F2" server qps avg_ms max_ms lost cpu_us/q "answer-cache hits"
  printf "$F2" quorumdns "${QF[0]}" "${QF[1]}" "${QF[2]}" "${QF[3]}" "${QF[4]}" "$HIT_RATIO"
  printf "$F2" nsd "${NF[0]}" "${NF[1]}" "${NF[2]}" "${NF[3]}" "${NF[4]}" "-"
  awk -v q="${QF[0]}" -v n="${NF[0]}" 'BEGIN {printf "flood ratio quorumdns/nsd: qps %.2f\n", (n > 0 ? q / n : 0)}'
fi
