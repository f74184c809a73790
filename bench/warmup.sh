# Sourced by the write benchmarks: warm a cluster up until its JIT compilers have settled.
#
# On this 2-core box three JVMs compile for minutes: in the first 30 s of a one-client load their C1/C2 compiler
# threads took a third of the nodes' CPU, and one-client writes to the leader went from p50 12 ms (first 30 s) to
# 2.6 ms (after four minutes); at 100 clients throughput was still rising after 140 s (bench/RESULTS.md, "The JIT
# was in every number"). A fixed warm-up measured the compilers, so the warm-up runs in windows until they settle.

# CPU ticks (utime + stime) of the given processes.
proc_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }

# CPU ticks of the JIT compiler threads (C1/C2 CompilerThreadN) of the given processes.
jit_ticks() {
  local t=0 p f
  for p in "$@"; do
    for f in /proc/"$p"/task/*; do
      case "$(cat "$f/comm" 2>/dev/null)" in C1*|C2*) t=$((t + $(awk '{print $14 + $15}' "$f/stat" 2>/dev/null || echo 0)));; esac
    done
  done
  echo "$t"
}

# warm_up "PID..." COMMAND...: runs COMMAND (a load of about 10 s) at least BENCH_WARMUP seconds' worth (default 20),
# then again until the JIT threads of PID... used under BENCH_JIT_SETTLED percent (default 5) of those processes' CPU
# in the last run, or BENCH_WARMUP_MAX seconds (default 300) have passed. Prints what it did on stderr. Processes
# without JIT threads (etcd) settle at once.
warm_up() {
  local pids=($1); shift
  local start=$SECONDS share=100 j0 a0 j1 a1
  while :; do
    j0="$(jit_ticks "${pids[@]}")"; a0="$(proc_ticks "${pids[@]}")"
    "$@" >/dev/null
    j1="$(jit_ticks "${pids[@]}")"; a1="$(proc_ticks "${pids[@]}")"
    share=$(( a1 > a0 ? 100 * (j1 - j0) / (a1 - a0) : 0 ))
    if (( SECONDS - start >= ${BENCH_WARMUP:-20} )) \
      && { (( share < ${BENCH_JIT_SETTLED:-5} )) || (( SECONDS - start >= ${BENCH_WARMUP_MAX:-300} )); }; then
      break
    fi
  done
  echo "warm-up: $((SECONDS - start)) s, JIT ${share}% of the nodes' CPU in its last window" >&2
}
