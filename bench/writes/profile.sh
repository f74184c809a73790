#!/usr/bin/env bash
# Profiles (async-profiler) of the leader of a 3-node cluster while the write load generator runs at each
# concurrency, after a warm-up: wall-clock (every thread, waiting included) and CPU (itimer) in turn. Prints a summary
# per run (bench/src/Collapsed.java) and keeps the collapsed stacks (flame-graph input) in BENCH_RESULTS (default
# bench/results). Usage: bench/writes/profile.sh [SECONDS (15)] [CLIENTS... (1 1000)]
# (BENCH_PROFILE_EVENTS="wall itimer" chooses the profiles; "cpu" samples through perf events, which itimer
# undercounts badly on this box; "alloc" samples where the heap allocations are made. BENCH_PROFILE_NODES=all profiles every node, not only the leader, one file each.
# BENCH_BUILD=DIR profiles a build snapshot from bench/snapshot-build.sh. The cluster is warmed up until its JIT
# compilers settle, bench/warmup.sh.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../warmup.sh"
LAUNCHER="${BENCH_BUILD:-.}/bin/quorumdns"
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
echo "== $(machine)"
start_nodes "$LAUNCHER" "$WORK" "$WORK/node"
LEADER="$(curl -s http://127.0.0.61:8053/v1/cluster | sed -nE 's/.*"leader" *: *"q([0-9])".*/\1/p' | head -1)"
LPID="${PIDS[$((LEADER - 1))]}"
echo "leader q$LEADER (pid $LPID); warm-up"
warm_up "${PIDS[*]}" java -cp "$BENCH_CP" WriteLoad quorumdns 50 10 "$TARGETS"
java -cp "$BENCH_CP" WriteLoad quorumdns 1 10 "$TARGETS" >/dev/null
PROFILED=("$LPID"); [ "${BENCH_PROFILE_NODES:-leader}" = all ] && PROFILED=("${PIDS[@]}")
for c in "${CLIENTS[@]}"; do
  for ev in ${BENCH_PROFILE_EVENTS:-wall itimer}; do
    # One client writes to the leader only (the 1-client path); more clients spread over the three nodes.
    t="$TARGETS"; [ "$c" = 1 ] && t="http://127.0.0.6$LEADER:8053"
    # jcmd reads name=value pairs itself: the agent's options go in double quotes.
    for p in "${PROFILED[@]}"; do
      # "alloc" samples allocations (one sample per 512 KiB allocated in a thread), not time.
      opts="start,event=$ev,interval=1ms,threads"; [ "$ev" = alloc ] && opts="start,event=alloc,alloc=512k,threads"
      jcmd "$p" JVMTI.agent_load "$AP" "\"$opts\"" >/dev/null
    done
    line="$(java -cp "$BENCH_CP" WriteLoad quorumdns "$c" "$SECS" "$t")"
    for p in "${PROFILED[@]}"; do
      role=leader; [ "$p" = "$LPID" ] || role="follower-$p"
      file="$OUT/profile-$role-$c-clients-$ev.collapsed"
      jcmd "$p" JVMTI.agent_load "$AP" "\"stop,file=$file,collapsed\"" >/dev/null
      echo; echo "== $c client(s), $ev profile of the $role: $line"
      java -cp "$BENCH_CP" Collapsed "$file"
    done
  done
done
