#!/usr/bin/env bash
# Copies the node as built in this checkout (server/target, cli/target) into DIR as a runnable distribution
# (DIR/bin/quorumdns, DIR/lib/server, DIR/lib/cli), so builds can be compared side by side (bench/writes/ab.sh,
# bench/dns/ab.sh).
# With COMMIT, builds that commit instead, from a copy of it (git archive) in a temporary directory, so neither this
# checkout nor its target/ directories change. A commit from before the module split (the node, API and CLI all in
# raft-node, bin/quorumdns running lib/*) gives DIR/bin/quorumdns and DIR/lib/ in that older layout; both run as
# DIR/bin/quorumdns node ...
# Usage: bench/snapshot-build.sh DIR [COMMIT]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:?usage: bench/snapshot-build.sh DIR [COMMIT]}"
COMMIT="${2:-}"
SRC="$ROOT"
if [ -n "$COMMIT" ]; then
  SRC="$(mktemp -d /tmp/quorumdns-snapshot-src.XXXX)"
  trap 'rm -rf "$SRC"' EXIT
  git -C "$ROOT" archive "$COMMIT" | tar -x -C "$SRC"
  VERSION="$(git -C "$ROOT" rev-parse --short "$COMMIT")"
else
  VERSION="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +dirty)"
fi
rm -rf "$DIR" && mkdir -p "$DIR/bin"
cp "$SRC/bin/quorumdns" "$DIR/bin/"
if [ -d "$SRC/server" ]; then
  (cd "$SRC" && mvn -B -q -DskipTests package -pl server,cli -am)
  mkdir -p "$DIR/lib/server" "$DIR/lib/cli"
  cp "$SRC/server/target/quorumdns-server.jar" "$SRC"/server/target/lib/*.jar "$DIR/lib/server/"
  cp "$SRC/cli/target/quorumdns-cli.jar" "$SRC"/cli/target/lib/*.jar "$DIR/lib/cli/"
else # before the module split: one jar with its dependencies
  (cd "$SRC" && mvn -B -q -DskipTests package -pl raft-node -am)
  mkdir -p "$DIR/lib"
  cp "$SRC/raft-node/target/quorumdns-node.jar" "$SRC"/raft-node/target/lib/*.jar "$DIR/lib/"
fi
echo "$VERSION" > "$DIR/VERSION"
echo "snapshot of $VERSION in $DIR"
