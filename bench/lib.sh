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
