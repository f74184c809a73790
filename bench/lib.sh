# Shared by the bench scripts: build the node if needed and compile the bench programs.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ -f server/target/quorumdns-server.jar ] && [ -d server/target/lib ] && [ -f cli/target/quorumdns-cli.jar ] \
  || mvn -B -q -DskipTests package -pl server,cli -am
BENCH_CP="$ROOT/bench/target/classes:$(ls "$ROOT"/server/target/lib/dnsjava-*.jar):$(ls "$ROOT"/server/target/lib/slf4j-api-*.jar)"
mkdir -p bench/target/classes
javac -d bench/target/classes -cp "$BENCH_CP" bench/src/*.java 2>/dev/null \
  || javac -d bench/target/classes -cp "$BENCH_CP" bench/src/*.java
ulimit -n 65536 2>/dev/null || true
machine() { echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"; }
wait_http() { for _ in $(seq 1 240); do curl -fsS --max-time 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.25; done; return 1; }
# The benchmarks' 3-node cluster: node qN on 127.0.0.6N (HTTP 8053, Raft 9053).
PEERS="q1=127.0.0.61:9053,q2=127.0.0.62:9053,q3=127.0.0.63:9053"
TARGETS="http://127.0.0.61:8053,http://127.0.0.62:8053,http://127.0.0.63:8053"
# start_nodes LAUNCHER DATA_DIR LOG_PREFIX: starts q1-q3 (data in DATA_DIR/qN, output in LOG_PREFIX-qN.log, the
# same JVM options for every build), appends their PIDs to the caller's PIDS array and waits until all are ready.
start_nodes() {
  local launcher="$1" data="$2" logs="$3" i
  for i in 1 2 3; do
    QUORUMDNS_JAVA_OPTS="-Xmx1g -XX:+UseParallelGC" "$launcher" node --id q$i --data-dir "$data/q$i" \
      --bind 127.0.0.6$i --peers "$PEERS" > "$logs-q$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in 1 2 3; do wait_http "http://127.0.0.6$i:8053/readyz"; done
}
