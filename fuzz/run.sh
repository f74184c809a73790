#!/usr/bin/env bash
# Runs every Jazzer fuzz target in fuzzing mode, one target per JVM, for SECONDS_PER_TARGET each (default 10);
# prints the executions per target and exits non-zero on any finding. `fuzz/run.sh 300` is the longer run.
# A finding's input is saved by Jazzer under the target's src/test/resources/.../<Class>Inputs/<method>/ and
# from then on replayed by every `mvn verify` (docs/security/fuzzing.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds="${1:-10}"
case "$seconds" in
  ''|*[!0-9]*) echo "usage: fuzz/run.sh [SECONDS_PER_TARGET] (got '$seconds')" >&2; exit 2 ;;
esac
logs="${FUZZ_LOG_DIR:-target/fuzz}"
mkdir -p "$logs"
touch "$logs/.started"

# module  test-class#method  classes to instrument for coverage (besides ours, the parser we feed: dnsjava)
targets=(
  "state-machine CommandCodecFuzzTest#decodeArbitraryBytes dev.quorumdns.**"
  "state-machine CommandCodecFuzzTest#encodeStructuredCommands dev.quorumdns.**"
  "state-machine SnapshotReaderFuzzTest#readSnapshotContents dev.quorumdns.**"
  "dns-frontend QueryHandlerFuzzTest#answerQueryBytes dev.quorumdns.**:org.xbill.DNS.**"
  "dns-frontend TransferRequestFuzzTest#answerTransferRequest dev.quorumdns.**:org.xbill.DNS.**"
)

failed=0
summary=()
for t in "${targets[@]}"; do
  read -r module target includes <<<"$t"
  log="$logs/${target/\#/.}.log"
  printf '== fuzzing %s (%s) for %ss, log %s\n' "$target" "$module" "$seconds" "$log"
  # -am builds the module's project dependencies from this tree (nothing is taken from a local install);
  # jazzer.internal.arg.N are libFuzzer arguments (arg 0 stands for argv[0]); the last -max_total_time wins
  # over the @FuzzTest maxDuration.
  status=0
  JAZZER_FUZZ=1 mvn -B -pl "$module" -am test \
    -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.instrumentation_includes="$includes" \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$seconds" \
    >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log" | tail -1)"
  if [ -z "$runs" ]; then
    # A finding stops libFuzzer before its summary; its last status line has the count.
    runs="$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' "$log" | tail -1)"
  fi
  if [ "$status" -ne 0 ] || [ -z "$runs" ]; then
    failed=1
    summary+=("$(printf '%-52s %10s executions  FAILED (exit %s)' "$target" "${runs:-?}" "$status")")
    echo "-- $target failed; the end of its log:" >&2
    grep -vE '^INFO: (Loaded|Instrumented)' "$log" | grep -E 'Exception|Error|Finding|crash-|FAIL|expected' \
      | head -40 >&2 || true
  else
    summary+=("$(printf '%-52s %10s executions  ok' "$target" "$runs")")
  fi
done

echo
echo "== fuzzing summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
found="$(find . -path '*/src/test/resources/*Inputs/*' -type f \( -name 'crash-*' -o -name 'timeout-*' \
  -o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$logs/.started" 2>/dev/null || true)"
if [ -n "$found" ]; then
  echo "== inputs of findings saved by this run (fix the bug; commit them as regression seeds):"
  echo "$found"
fi
exit "$failed"
