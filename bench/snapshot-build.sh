#!/usr/bin/env bash
# Copies the node as built in this checkout (raft-node/target) into DIR as a runnable distribution (DIR/bin/quorumdns,
# DIR/lib), so builds can be compared side by side (bench/writes/ab.sh). Usage: bench/snapshot-build.sh DIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: bench/snapshot-build.sh DIR}"
(cd "$ROOT" && mvn -B -q -DskipTests package -pl raft-node -am)
rm -rf "$DIR" && mkdir -p "$DIR/bin" "$DIR/lib"
cp "$ROOT/bin/quorumdns" "$DIR/bin/"
cp "$ROOT/raft-node/target/quorumdns-node.jar" "$ROOT"/raft-node/target/lib/*.jar "$DIR/lib/"
echo "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)" > "$DIR/VERSION"
echo "snapshot of $(cat "$DIR/VERSION") in $DIR"
