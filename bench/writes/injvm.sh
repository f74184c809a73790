#!/usr/bin/env bash
# The real write path below HTTP (RaftRuntime, RegistryStateMachine, Registry on RocksDB) with three Ratis peers in
# one JVM (127.0.0.64-66), durable log: Ratis' and our state machine's own cost, without three JVMs on two cores.
# Usage: bench/writes/injvm.sh [SECONDS (10)] [WARMUP_WRITES (10000)] [CONCURRENCY (100,1000)]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
WORK="$(mktemp -d /tmp/quorumdns-bench-injvm.XXXX)"
trap 'rm -rf "$WORK"' EXIT
NODE_CP="$ROOT/server/target/quorumdns-server.jar:$ROOT/server/target/lib/*"
mkdir -p bench/target/harness
javac -d bench/target/harness -cp "$NODE_CP" bench/harness/InJvmRaft.java
echo "== $(machine)"
java ${QUORUMDNS_JAVA_OPTS:--Xmx2g -XX:+UseParallelGC} -cp "bench/target/harness:$NODE_CP" InJvmRaft "$WORK" \
  "${1:-10}" "${2:-10000}" "${3:-100,1000}"
