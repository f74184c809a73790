#!/usr/bin/env bash
# Copies the node as built in this checkout (server/target, cli/target) into DIR as a runnable distribution
# (DIR/bin/quorumdns, DIR/lib/server, DIR/lib/cli), so builds can be compared side by side (bench/writes/ab.sh).
# Usage: bench/snapshot-build.sh DIR
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: bench/snapshot-build.sh DIR}"
(cd "$ROOT" && mvn -B -q -DskipTests package -pl server,cli -am)
rm -rf "$DIR" && mkdir -p "$DIR/bin" "$DIR/lib/server" "$DIR/lib/cli"
cp "$ROOT/bin/quorumdns" "$DIR/bin/"
cp "$ROOT/server/target/quorumdns-server.jar" "$ROOT"/server/target/lib/*.jar "$DIR/lib/server/"
cp "$ROOT/cli/target/quorumdns-cli.jar" "$ROOT"/cli/target/lib/*.jar "$DIR/lib/cli/"
echo "$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)" > "$DIR/VERSION"
echo "snapshot of $(cat "$DIR/VERSION") in $DIR"
