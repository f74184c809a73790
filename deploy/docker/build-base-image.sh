#!/usr/bin/env bash
# Builds a Debian bookworm image with a Java 17 runtime and bash, without any container registry:
# debootstrap from Debian's package mirror, then `docker import`. Usage: build-base-image.sh [TAG]
set -euo pipefail
TAG="${1:-quorumdns-base:bookworm-jre17}"
if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "$TAG already exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$ROOT" \
  "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$ROOT.log" 2>&1 || { tail -20 "$ROOT.log" >&2; exit 1; }
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/*
tar -C "$ROOT" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$TAG"
echo "built $TAG"
