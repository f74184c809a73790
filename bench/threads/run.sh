#!/usr/bin/env bash
# Where the nodes' CPU goes, thread by thread, at a given load: starts a 3-node cluster of one build (a directory
# made by bench/snapshot-build.sh; without one, this checkout's build is copied into one first), warms it up until its JIT
# compilers settle (bench/warmup.sh), then for each load level measures every node thread's CPU (utime + stime
# from /proc/PID/task/TID/stat) over the window. Threads are grouped by name with their numbers dropped
# ("grpc-default-executor-7" -> "grpc-default-executor-#"). Linux keeps 15 characters of a thread name, so the
# full Java names are read from each JVM's thread dump (jcmd Thread.print, its nid is the Linux thread id) after
# the window; Ratis' division threads (log worker, each appender, the updater) are then told apart. For each
# level it prints the nodes' CPU in cores, per operation (when there is load), and the thread groups that used it.
# Load 0 is idle: what the cluster costs with nothing to do (heartbeats, pollers, timers), which at one client is
# divided over few writes.
# Usage: bench/threads/run.sh [BUILD_DIR] [SECONDS (20)] [LOADS ("0 1 100")]   (BENCH_TOP: groups shown, 25)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
BUILD="${1:-}"
SECS="${2:-20}"
LOADS=(${3:-0 1 100})
TOP="${BENCH_TOP:-25}"
WORK="$(mktemp -d /tmp/quorumdns-bench-threads.XXXX)"
if [ -z "$BUILD" ]; then BUILD="$WORK/build"; "$ROOT/bench/snapshot-build.sh" "$BUILD" >/dev/null; fi
BIN="$(cd "$BUILD" && pwd)/bin/quorumdns"
[ -x "$BIN" ] || { echo "no $BIN: make the build with bench/snapshot-build.sh DIR [COMMIT]" >&2; exit 1; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../warmup.sh"
HZ="$(getconf CLK_TCK)"
# One line per node thread: node tid ticks name.
thread_ticks() {
  local i=0 p f
  for p in "${PIDS[@]}"; do
    i=$((i + 1))
    for f in /proc/"$p"/task/*; do
      # comm may hold spaces; stat's fields after the parenthesised name are fixed
      awk -v node="q$i" -v tid="${f##*/}" -v name="$(cat "$f/comm" 2>/dev/null | tr ' ' '_')" \
        '{sub(/^.*\) /, ""); print node, tid, $12 + $13, name}' "$f/stat" 2>/dev/null || true
    done
  done
}
# One line per node thread with a Java name: node tid name (spaces made underscores), from a thread dump.
java_names() {
  local i=0 p
  for p in "${PIDS[@]}"; do
    i=$((i + 1))
    jcmd "$p" Thread.print 2>/dev/null | sed -n 's/^"\([^"]*\)".* nid=0x\([0-9a-f]*\) .*/\2 \1/p' |
      while read -r hex name; do echo "q$i $((16#$hex)) ${name// /_}"; done || true
  done
}
echo "== $(machine); build $BUILD ($(cat "$BUILD/VERSION" 2>/dev/null))"
start_nodes "$BIN" "$WORK/data" "$WORK/node"
java -cp "$BENCH_CP" WriteLoad quorumdns 50 10 "$TARGETS" 10000 >/dev/null
warm_up "${PIDS[*]}" java -cp "$BENCH_CP" WriteLoad quorumdns 50 10 "$TARGETS"
for load in "${LOADS[@]}"; do
  sleep 3 # let the warm-up's or the previous level's work drain out of the window
  thread_ticks > "$WORK/before"
  if (( load > 0 )); then
    line="$(java -cp "$BENCH_CP" WriteLoad quorumdns "$load" "$SECS" "$TARGETS" 10000)"
    ok="$(sed -E 's/.* ok=([0-9]+).*/\1/' <<< "$line")"
  else
    sleep "$SECS"; line="idle"; ok=0
  fi
  thread_ticks > "$WORK/after"
  java_names > "$WORK/names"
  echo
  echo "-- load $load: $line"
  awk -v hz="$HZ" -v secs="$SECS" -v ok="$ok" -v top="$TOP" '
    FILENAME == ARGV[1] { full[$1 " " $2] = $3; next }
    FILENAME == ARGV[2] { before[$1 " " $2] = $3; next }
    {
      d = $3 - (($1 " " $2) in before ? before[$1 " " $2] : 0)
      if (d <= 0) next
      g = (($1 " " $2) in full) ? full[$1 " " $2] : $4
      gsub(/group-[0-9A-F]+/, "group", g); gsub(/[0-9]+/, "#", g)
      ms = d * 1000 / hz
      total += ms; node[$1] += ms; group[g] += ms; count[g]++
    }
    END {
      printf "nodes used %.2f cores", total / 1000 / secs
      if (ok > 0) printf ", %.3f ms of CPU per write", total / ok
      printf " (q1 %.2f, q2 %.2f, q3 %.2f cores)\n", node["q1"] / 1000 / secs, node["q2"] / 1000 / secs, node["q3"] / 1000 / secs
      printf "%-40s %9s %7s %12s %7s\n", "thread group", "cores", "share", "ms/write", "threads"
      n = 0
      for (g in group) order[n++] = g
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (group[order[j]] > group[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 0; i < n && i < top; i++) {
        g = order[i]
        printf "%-40s %9.3f %6.1f%% %12s %7d\n", g, group[g] / 1000 / secs, 100 * group[g] / total, (ok > 0 ? sprintf("%.3f", group[g] / ok) : "-"), count[g]
      }
    }' "$WORK/names" "$WORK/before" "$WORK/after"
done
