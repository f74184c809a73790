#!/usr/bin/env bash
# A/B of two builds' DNS (directories made by bench/snapshot-build.sh) in one run, with NSD as the anchor: a 3-node
# cluster of each build (one DNS thread per node) and one NSD process (server-count 1, no rate limiting) run side
# by side for the whole run, serving the same 10,000 services (NSD's zone written from build A's GET /v1/records,
# as bench/dns/run.sh does). Each round measures every server in turn with the same dnsperf load as
# bench/dns/run.sh (70% A, 20% AAAA, 10% nonexistent names, 100 queries in flight): A, NSD, B in odd rounds and
# B, NSD, A in even ones, so drift and bursts of other work on the machine land on both builds. Round r asks node
# ((r-1) mod 3) + 1 of each cluster, so three rounds sample three JVMs per build. Each measurement: WARMUP s of
# warm-up, SECONDS s measured (queries/s, latency, server CPU per answered query), then LATENCY s with dnsperf -v
# for p50/p99/p99.9. Prints every measurement, then per round the ratios B/A and each vs NSD, and their medians.
#
# Usage: bench/dns/ab.sh A_DIR B_DIR [ROUNDS (3)] [SECONDS (20)]
# Env:   BENCH_SERVICES (10000)  BENCH_WARMUP (5 s)  BENCH_LATENCY_SECONDS (5)
#        BENCH_ADDR_PREFIX (127.0.0; A on .1-.3, B on .11-.13, NSD on .20)
#        BENCH_RESULTS=FILE  keeps the raw measurements (one line each) in FILE
#        BENCH_JFR_DIR=DIR  records a JFR profile (settings=profile) of every measured run into DIR
#        QUORUMDNS_JAVA_OPTS (default -Xms1g -Xmx1g -XX:+UseParallelGC)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
A="$(cd "${1:?usage: bench/dns/ab.sh A_DIR B_DIR [ROUNDS] [SECONDS]}" && pwd)"
B="$(cd "${2:?usage: bench/dns/ab.sh A_DIR B_DIR [ROUNDS] [SECONDS]}" && pwd)"
ROUNDS="${3:-3}"
SECS="${4:-20}"
COUNT="${BENCH_SERVICES:-10000}"
WARMUP="${BENCH_WARMUP:-5}"
LAT_SECS="${BENCH_LATENCY_SECONDS:-5}"
NET="${BENCH_ADDR_PREFIX:-127.0.0}"
PORT=53535
NSD="$(command -v nsd || echo /usr/sbin/nsd)"
for t in dnsperf dig curl java "$NSD"; do
  command -v "$t" >/dev/null || { echo "needs $t (apt-get install dnsperf nsd bind9-dnsutils curl)" >&2; exit 1; }
done
WORK="$(mktemp -d /tmp/quorumdns-bench-dnsab.XXXX)"
PIDS=() NSD_PID=""
stop() { # pid: TERM, then wait up to 5 s for it to go
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  for p in "${PIDS[@]}"; do stop "$p"; done
  [ -f "$WORK/nsd.pid" ] && stop "$(cat "$WORK/nsd.pid")"
  [ -n "$NSD_PID" ] && stop "$NSD_PID"
  rm -rf "$WORK" 2>/dev/null || { sleep 1; rm -rf "$WORK"; }
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true
machine() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),"\
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
wait_http() { for _ in $(seq 1 480); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
wait_name() { # addr name: until it answers with an address
  for _ in $(seq 1 480); do
    [ -n "$(dig +time=1 +tries=1 +short @"$1" -p $PORT "$2" A 2>/dev/null)" ] && return 0
    sleep 0.25
  done
  echo "no answer for $2 from $1:$PORT" >&2; return 1
}
cpu_ticks() { # pid: CPU clock ticks used so far by it and its descendants (NSD forks twice)
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ "$p" = "$1" ] || { t=$((t + $(cpu_ticks "$p"))); continue; }
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat")))
  done
  echo "$t"
}
measure() { # addr label seconds server_pid: prints "qps avg_ms max_ms lost cpu_us_per_query"
  local c0 c1
  c0=$(cpu_ticks "$4")
  dnsperf -s "$1" -p $PORT -d "$WORK/queries.txt" -c 100 -q 100 -l "$3" -t 2 > "$WORK/$2.perf"
  c1=$(cpu_ticks "$4")
  awk -v cpu=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" '/Queries per second/ {q=$4} /Queries completed/ {n=$3}
       /Average Latency/ {a=$4*1000; gsub(/[(),]/,""); m=$NF*1000} /Queries lost/ {l=$3}
       END {printf "%.0f %.3f %.3f %s %.1f\n", q, a, m, l, (n > 0 ? cpu / hz * 1e6 / n : 0)}' "$WORK/$2.perf"
}
percentiles() { # addr: prints "p50_ms p99_ms p99.9_ms" of a -v run
  dnsperf -s "$1" -p $PORT -d "$WORK/queries.txt" -c 100 -q 100 -l "$LAT_SECS" -t 2 -v \
    | awk '/^> / {print $NF * 1000}' | sort -n > "$WORK/lat"
  awk '{v[NR]=$1} END {i50=int(NR*0.5); i99=int(NR*0.99); i999=int(NR*0.999); if (i50<1) i50=1; if (i99<1) i99=1;
       if (i999<1) i999=1; printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[i999]}' "$WORK/lat"
}

echo "== start: $(machine)"
echo "== uptime: $(uptime)"
echo "== A = $A ($(cat "$A/VERSION" 2>/dev/null)), B = $B ($(cat "$B/VERSION" 2>/dev/null));"\
  "$COUNT services; per measurement ${WARMUP} s warm-up, ${SECS} s measured, ${LAT_SECS} s with -v; $ROUNDS rounds"
JAVA_OPTS="${QUORUMDNS_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
declare -A PID_OF ADDR_OF
for build in A B; do
  dir="$A" base=0
  [ "$build" = B ] && dir="$B" base=10
  peers=""
  for i in 1 2 3; do peers="$peers${peers:+,}q$i=$NET.$((base + i)):9053"; done
  for i in 1 2 3; do
    addr="$NET.$((base + i))"
    QUORUMDNS_JAVA_OPTS="$JAVA_OPTS" "$dir/bin/quorumdns" node --id "q$i" --data-dir "$WORK/$build/q$i" \
      --bind "$addr" --peers "$peers" --dns-threads 1 > "$WORK/$build-q$i.log" 2>&1 &
    PIDS+=($!) PID_OF[$build$i]=$! ADDR_OF[$build$i]=$addr
  done
done
for k in A1 A2 A3 B1 B2 B3; do
  wait_http "http://${ADDR_OF[$k]}:8053/readyz" || { echo "$k not ready" >&2; tail -20 "$WORK/${k:0:1}-q${k:1}.log" >&2; exit 1; }
done
for build in A B; do
  echo "== $build: registering $COUNT services through ${ADDR_OF[${build}1]}"
  java bench/dns/Prepare.java "http://${ADDR_OF[${build}1]}:8053" "$COUNT" "$WORK/$build.zone" "$WORK/$build.queries" \
    200000 | sed 's/^/   /'
  for i in 1 2 3; do wait_name "${ADDR_OF[$build$i]}" "s$COUNT.bench.mesh.internal"; done
done
cmp -s "$WORK/A.queries" "$WORK/B.queries" || { echo "the two builds' query files differ" >&2; exit 1; }
cp "$WORK/A.queries" "$WORK/queries.txt"
cp "$WORK/A.zone" "$WORK/mesh.internal.zone"
NADDR="$NET.20"
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
"$NSD" -d -c "$WORK/nsd.conf" > "$WORK/nsd.out" 2>&1 &
NSD_PID=$!
wait_name "$NADDR" "s$COUNT.bench.mesh.internal" || { cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
echo "== NSD $("$NSD" -v 2>&1 | awk '/version/ {print $3; exit}') on $NADDR:$PORT; ready: $(machine)"

RESULTS="${BENCH_RESULTS:-$WORK/results}"
: > "$RESULTS"
F='%-5s %-5s %-14s %9s %8s %8s %8s %8s %9s %6s %9s\n'
printf "$F" round build server qps avg_ms max_ms p50_ms p99_ms p99.9_ms lost cpu_us/q
for r in $(seq 1 "$ROUNDS"); do
  node=$(( (r - 1) % 3 + 1 ))
  if (( r % 2 )); then order=(A N B); else order=(B N A); fi
  for s in "${order[@]}"; do
    if [ "$s" = N ]; then addr="$NADDR" pid="$NSD_PID" name=nsd
    else addr="${ADDR_OF[$s$node]}" pid="${PID_OF[$s$node]}" name="$(cat "$([ "$s" = A ] && echo "$A" || echo "$B")/VERSION")/q$node"
    fi
    measure "$addr" warmup "$WARMUP" "$pid" >/dev/null
    if [ -n "${BENCH_JFR_DIR:-}" ] && [ "$s" != N ]; then
      mkdir -p "$BENCH_JFR_DIR"
      jcmd "$pid" JFR.start name=ab settings=profile \
        filename="$(realpath -m "$BENCH_JFR_DIR")/round$r-$s-q$node.jfr" >/dev/null
    fi
    m=($(measure "$addr" "r$r-$s" "$SECS" "$pid"))
    if [ -n "${BENCH_JFR_DIR:-}" ] && [ "$s" != N ]; then jcmd "$pid" JFR.stop name=ab >/dev/null; fi
    p=($(percentiles "$addr"))
    printf "$F" "$r" "$s" "$name" "${m[0]}" "${m[1]}" "${m[2]}" "${p[0]}" "${p[1]}" "${p[2]}" "${m[3]}" "${m[4]}"
    echo "$r $s $name ${m[*]} ${p[*]} $(cut -d' ' -f1 /proc/loadavg)" >> "$RESULTS"
    codes="$(sed -n 's/^ *Response codes: *//p' "$WORK/r$r-$s.perf")"
    case "$codes" in *SERVFAIL*|*REFUSED*) echo "   unexpected response codes: $codes" >&2 ;; esac
  done
done

echo
echo "== per round (same round only): B/A, A/NSD, B/NSD of qps, p99 and CPU per query"
# results lines: round build name qps avg max lost cpu p50 p99 p999 load1
awk '{q[$1,$2]=$4; c[$1,$2]=$8; p[$1,$2]=$10; if ($1 > n) n = $1}
  END {printf "%-5s %8s %8s %8s   %8s %8s %8s   %8s %8s %8s\n", "round", "qps B/A", "A/NSD", "B/NSD",
         "p99 B/A", "A/NSD", "B/NSD", "cpu B/A", "A/NSD", "B/NSD"
       for (r = 1; r <= n; r++)
         printf "%-5s %8.3f %8.3f %8.3f   %8.3f %8.3f %8.3f   %8.3f %8.3f %8.3f\n", r,
           q[r,"B"]/q[r,"A"], q[r,"A"]/q[r,"N"], q[r,"B"]/q[r,"N"], p[r,"B"]/p[r,"A"], p[r,"A"]/p[r,"N"],
           p[r,"B"]/p[r,"N"], c[r,"B"]/c[r,"A"], c[r,"A"]/c[r,"N"], c[r,"B"]/c[r,"N"]}' "$RESULTS" > "$WORK/ratios"
cat "$WORK/ratios"
awk 'NR > 1 {for (i = 2; i <= 10; i++) v[i, NR - 1] = $i; n = NR - 1}
  END {printf "%-5s", "median"
       for (i = 2; i <= 10; i++) {
         for (j = 1; j <= n; j++) a[j] = v[i, j]
         for (j = 1; j <= n; j++) for (k = j + 1; k <= n; k++) if (a[k] < a[j]) {t = a[j]; a[j] = a[k]; a[k] = t}
         m = (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
         printf (i == 5 || i == 8 ? "   %8.3f" : " %8.3f"), m
       }
       printf "\n"}' "$WORK/ratios"
echo "== end: $(machine)"
echo "== uptime: $(uptime)"
