#!/usr/bin/env bash
# Profiles (async-profiler) of the leader of a 3-node cluster while the write load generator runs at each
# concurrency, after a warm-up: wall-clock (every thread, waiting included) and CPU (itimer) in turn. Prints a summary
# per run (bench/src/Collapsed.java) and keeps the collapsed stacks (flame-graph input) in BENCH_RESULTS (default
# bench/results). Usage: bench/writes/profile.sh [SECONDS (15)] [CLIENTS... (1 1000)]
# (BENCH_PROFILE_EVENTS="wall itimer" chooses the profiles)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SECS="${1:-15}"; shift || true
if [ $# -gt 0 ]; then CLIENTS=("$@"); else CLIENTS=(1 1000); fi
AP_VERSION=3.0
AP_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar"
[ -f "$AP_JAR" ] || mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION" -Dtransitive=false
WORK="$(mktemp -d /tmp/quorumdns-bench-profile.XXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
(cd "$WORK" && unzip -q -o "$AP_JAR" linux-x64/libasyncProfiler.so)
AP="$WORK/linux-x64/libasyncProfiler.so"
OUT="${BENCH_RESULTS:-bench/results}"; mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
wait_http() { for _ in $(seq 1 240); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
PEERS="q1=127.0.0.61:9053,q2=127.0.0.62:9053,q3=127.0.0.63:9053"
TARGETS="http://127.0.0.61:8053,http://127.0.0.62:8053,http://127.0.0.63:8053"
echo "== $(machine)"
for i in 1 2 3; do
  QUORUMDNS_JAVA_OPTS="-Xmx1g -XX:+UseParallelGC" bin/quorumdns node --id q$i --data-dir "$WORK/q$i" \
    --bind 127.0.0.6$i --peers "$PEERS" > "$WORK/q$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 1 2 3; do wait_http "http://127.0.0.6$i:8053/readyz"; done
LEADER="$(curl -s http://127.0.0.61:8053/v1/cluster | sed -nE 's/.*"leader" *: *"q([0-9])".*/\1/p' | head -1)"
LPID="${PIDS[$((LEADER - 1))]}"
echo "leader q$LEADER (pid $LPID); warm-up"
java -cp "$BENCH_CP" WriteLoad quorumdns 50 20 "$TARGETS" >/dev/null
java -cp "$BENCH_CP" WriteLoad quorumdns 1 10 "$TARGETS" >/dev/null
for c in "${CLIENTS[@]}"; do
  for ev in ${BENCH_PROFILE_EVENTS:-wall itimer}; do
    # One client writes to the leader only (the 1-client path); more clients spread over the three nodes.
    t="$TARGETS"; [ "$c" = 1 ] && t="http://127.0.0.6$LEADER:8053"
    file="$OUT/profile-leader-$c-clients-$ev.collapsed"
    # jcmd reads name=value pairs itself: the agent's options go in double quotes.
    jcmd "$LPID" JVMTI.agent_load "$AP" "\"start,event=$ev,interval=1ms,threads\"" >/dev/null
    line="$(java -cp "$BENCH_CP" WriteLoad quorumdns "$c" "$SECS" "$t")"
    jcmd "$LPID" JVMTI.agent_load "$AP" "\"stop,file=$file,collapsed\"" >/dev/null
    echo; echo "== $c client(s), $ev profile: $line"
    java -cp "$BENCH_CP" Collapsed "$file"
  done
done
