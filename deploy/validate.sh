#!/usr/bin/env bash
# Checks the deployment files as far as this machine allows, and builds and starts the container image:
#   the distribution's contents (LICENSE, versions, both epoll natives), systemd unit (systemd-analyze verify),
#   its sysusers.d file (systemd-sysusers into a scratch root) and its readiness notice (the node started from the
#   distribution under a stand-in manager must send READY=1 once it serves), Prometheus config and rules
#   (promtool), YAML of Kubernetes, compose and Prometheus files (the Kubernetes manifests' schema check against
#   the Kubernetes API types is KubernetesManifestsTest, in mvn verify; here: structure, and the PrometheusRule
#   equal to the alert rules), the Grafana dashboard JSON, the forwarder recipes (named-checkconf,
#   unbound-checkconf, dnsmasq --test), the secondary recipes (named-checkconf, knotc conf-check, nsd-checkconf),
#   then the Dockerfile on a locally built base image, whose container must start a node that answers /healthz
#   and DNS, carry the OCI labels and turn healthy.
# Needs: the distribution built (mvn -B -DskipTests package -pl deploy -am), systemd-analyze, promtool,
# python3 with yaml, bind9, unbound, dnsmasq, knot, nsd, docker with a running daemon, debootstrap.
# --sync rewrites the generated compose copy of the BIND recipe instead of checking it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DEPLOY="$PWD"
DIST="$(ls -d "$DEPLOY"/target/quorumdns-*/quorumdns-* 2>/dev/null | head -1)"
[ -n "$DIST" ] || { echo "build the distribution first: mvn -B -DskipTests package -pl deploy -am" >&2; exit 1; }
WORK="$(mktemp -d)"
CONTAINER=""
NODE_PID=""
cleanup() {
  [ -n "$CONTAINER" ] && docker rm -f "$CONTAINER" >/dev/null 2>&1
  [ -n "$NODE_PID" ] && kill -9 "$NODE_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf '== %s\n' "$*"; }

step "compose copy of the BIND recipe"
sed -e 's/127\.0\.0\.1\([123]\) port/172.28.0.1\1 port/g' -e 's/listen-on port 53 { 127.0.0.1; };/listen-on port 53 { any; };/' \
    -e 's/allow-query { localhost; localnets; };/allow-query { any; };/' forwarders/bind/named.conf \
  | sed '1i // GENERATED from ../../forwarders/bind/named.conf by deploy/validate.sh --sync (compose addresses 172.28.0.11-13).' \
  > "$WORK/compose-named.conf"
if [ "${1:-}" = "--sync" ]; then
  cp "$WORK/compose-named.conf" compose/bind/named.conf
else
  diff -u compose/bind/named.conf "$WORK/compose-named.conf"
fi

VERSION="$(basename "$DIST")"
VERSION="${VERSION#quorumdns-}"
step "distribution $VERSION: license, versions, native transports"
cmp ../LICENSE "$DIST/LICENSE"
[ "$("$DIST/bin/quorumdns" --version)" = "quorumdns $VERSION" ] || { echo "quorumdns --version is not $VERSION" >&2; exit 1; }
[ "$("$DIST/bin/quorumdns" node --version)" = "quorumdns $VERSION" ] || { echo "node --version is not $VERSION" >&2; exit 1; }
python3 - "$DIST" "$VERSION" <<'PY'
import pathlib, re, sys, zipfile
dist, version = pathlib.Path(sys.argv[1]), sys.argv[2]
for jar in (dist / "lib/server/quorumdns-server.jar", dist / "lib/cli/quorumdns-cli.jar"):
    manifest = zipfile.ZipFile(jar).read("META-INF/MANIFEST.MF").decode()
    assert f"Implementation-Version: {version}" in manifest, f"{jar}: no Implementation-Version {version}"
for arch in ("x86_64", "aarch_64"):
    jars = list((dist / "lib/server").glob(f"netty-transport-native-epoll-*-linux-{arch}.jar"))
    assert jars, f"lib/server lacks the epoll native for {arch}"
    assert any(n.endswith(f"_{arch}.so") for n in zipfile.ZipFile(jars[0]).namelist()), jars[0]
for lib in ("server", "cli"):
    for jar in (dist / "lib" / lib).glob("logback-*.jar"):
        v = tuple(int(x) for x in re.search(r"-(\d+)\.(\d+)\.(\d+)\.jar$", jar.name).groups())
        assert v >= (1, 5, 38), f"{jar.name}: logback older than 1.5.38 (published CVEs)"
print("LICENSE, manifests, epoll natives (x86_64, aarch_64), logback ok")
PY

step "systemd unit, its user, its readiness notice"
sed "s#/opt/quorumdns#$DIST#g" systemd/quorumdns.service > "$WORK/quorumdns.service"
systemd-analyze verify "$WORK/quorumdns.service"
for line in Type=notify NotifyAccess=all User=quorumdns; do
  grep -qx "$line" systemd/quorumdns.service || { echo "systemd/quorumdns.service lacks $line" >&2; exit 1; }
done
mkdir -p "$WORK/sysroot/etc"
systemd-sysusers --root="$WORK/sysroot" "$DEPLOY/systemd/quorumdns.sysusers"
grep -q '^quorumdns:x:[0-9]*:[0-9]*:.*:/var/lib/quorumdns:/usr/sbin/nologin$' "$WORK/sysroot/etc/passwd" \
  || { echo "quorumdns.sysusers did not create the quorumdns user" >&2; exit 1; }
# A stand-in for the service manager: receives the node's notices on a datagram socket, closes the barrier pipe
# systemd-notify waits on, and records what it got.
python3 - "$WORK/notify.sock" "$WORK/notify.out" <<'PY' &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    with open(sys.argv[2], "a") as f:
        f.write(msg.decode() + "\n")
    if b"BARRIER=1" in msg:
        break
PY
for _ in $(seq 1 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
NOTIFY_IP=127.0.179.11
NOTIFY_SOCKET="$WORK/notify.sock" "$DIST/bin/quorumdns" node --id r1 --data-dir "$WORK/r1" --bind "$NOTIFY_IP" \
  --peers "r1=$NOTIFY_IP:9053" > "$WORK/r1.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 180); do
  grep -q '^READY=1$' "$WORK/notify.out" 2>/dev/null && break
  kill -0 "$NODE_PID" 2>/dev/null || { tail -30 "$WORK/r1.log"; echo "the node exited" >&2; exit 1; }
  sleep 0.5
done
grep -q '^READY=1$' "$WORK/notify.out" || { tail -30 "$WORK/r1.log"; echo "the node never sent READY=1" >&2; exit 1; }
grep -q '^STATUS=node r1 serving' "$WORK/notify.out"
curl -fsS --max-time 2 "http://$NOTIFY_IP:8053/healthz" >/dev/null || { echo "READY=1 before the API served" >&2; exit 1; }
dig @"$NOTIFY_IP" -p 53535 r1.node.mesh.internal +short +time=2 +tries=1 >/dev/null \
  || { echo "READY=1 before DNS served" >&2; exit 1; }
grep -q "quorumdns $VERSION starting node r1" "$WORK/r1.log" || { echo "the node did not log its version" >&2; exit 1; }
kill "$NODE_PID"
wait "$NODE_PID" || true
NODE_PID=""
echo "READY=1 sent once the node served; version $VERSION logged"

step "Prometheus config and rules"
promtool check rules prometheus/quorumdns-alerts.yml
promtool check config prometheus/prometheus.yml

step "YAML and JSON files"
PYTHON=python3
$PYTHON -c 'import yaml' 2>/dev/null || PYTHON=/usr/bin/python3
$PYTHON - "$DEPLOY" <<'PY'
import json, sys, yaml, pathlib
root = pathlib.Path(sys.argv[1])
for f in sorted(list(root.glob("kubernetes/*.yaml")) + list(root.glob("compose/*.yml")) + list(root.glob("prometheus/*.yml"))):
    docs = [d for d in yaml.safe_load_all(f.read_text()) if d is not None]
    assert docs, f"{f}: empty"
    print(f"{f.relative_to(root)}: {len(docs)} document(s)")
k8s = {d["kind"]: d for d in yaml.safe_load_all((root / "kubernetes/quorumdns.yaml").read_text())}
for kind in ("ConfigMap", "Service", "StatefulSet", "PodDisruptionBudget"):
    assert kind in k8s, f"kubernetes/quorumdns.yaml lacks a {kind}"
    assert k8s[kind]["apiVersion"] and k8s[kind]["metadata"]["name"], kind
c = k8s["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]
assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness must use /readyz"
assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
ports = {p["containerPort"] for p in c["ports"]}
assert {53535, 8053, 9053, 8054} <= ports, ports
assert c["readinessProbe"]["httpGet"]["port"] == "metrics", "probes use the plain metrics listener"
monitoring = {d["kind"]: d for d in yaml.safe_load_all((root / "kubernetes/monitoring.yaml").read_text())}
assert {"ServiceMonitor", "PrometheusRule"} <= set(monitoring), monitoring.keys()
alerts = yaml.safe_load((root / "prometheus/quorumdns-alerts.yml").read_text())
assert monitoring["PrometheusRule"]["spec"] == alerts, \
    "kubernetes/monitoring.yaml's PrometheusRule differs from prometheus/quorumdns-alerts.yml"
compose = yaml.safe_load((root / "compose/docker-compose.yml").read_text())
assert {"n1", "n2", "n3", "bind"} <= set(compose["services"]), compose["services"].keys()
json.loads((root / "grafana/quorumdns-dashboard.json").read_text())
print("structure ok")
PY

step "forwarder recipes"
named-checkconf forwarders/bind/named.conf
named-checkconf compose/bind/named.conf
for v in forward stub; do
  printf 'server:\n    chroot: ""\n    username: ""\ninclude: "%s"\n' "$DEPLOY/forwarders/unbound/$v-zone.conf" > "$WORK/unbound-$v.conf"
  unbound-checkconf "$WORK/unbound-$v.conf"
done
dnsmasq --test --conf-file=forwarders/dnsmasq/quorumdns.conf

step "secondary recipes"
named-checkconf secondaries/bind/named.conf
knotc -c secondaries/knot/knot.conf conf-check
nsd-checkconf secondaries/nsd/nsd.conf

step "container image on a locally built base"
BASE=quorumdns-base:bookworm-jre17
docker/build-base-image.sh "$BASE"
docker build -q -f docker/Dockerfile --build-arg BASE_IMAGE="$BASE" --build-arg DIST="$(basename "$DIST")" \
  --build-arg VERSION="$VERSION" --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t quorumdns:validate "$(dirname "$DIST")"
for label in title version revision created licenses source; do
  value="$(docker inspect -f "{{index .Config.Labels \"org.opencontainers.image.$label\"}}" quorumdns:validate)"
  [ -n "$value" ] && [ "$value" != "<no value>" ] || { echo "the image lacks org.opencontainers.image.$label" >&2; exit 1; }
done
[ "$(docker inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' quorumdns:validate)" = "$VERSION" ] \
  || { echo "the image's org.opencontainers.image.version is not $VERSION" >&2; exit 1; }
[ -n "$(docker inspect -f '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Test}}{{end}}' quorumdns:validate)" ] \
  || { echo "the image has no HEALTHCHECK" >&2; exit 1; }
CONTAINER="$(docker run -d -e QUORUMDNS_ID=v1 -e QUORUMDNS_PEERS=v1=127.0.0.1:9053 quorumdns:validate)"
IP="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$CONTAINER")"
for _ in $(seq 1 120); do
  if [ "$(docker inspect -f '{{.State.Running}}' "$CONTAINER")" != true ]; then
    docker logs "$CONTAINER" 2>&1 | tail -30
    echo "the container exited" >&2
    exit 1
  fi
  if curl -fsS --max-time 2 "http://$IP:8053/healthz" >/dev/null 2>&1 && \
     curl -fsS --max-time 10 -X PUT "http://$IP:8053/v1/services/validate/web" -d '{}' >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
ANSWER="$(dig @"$IP" -p 53535 web.validate.mesh.internal +short +time=2 +tries=3)"
[[ "$ANSWER" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || { docker logs "$CONTAINER" | tail -30; echo "the container's node did not answer DNS" >&2; exit 1; }
echo "container node answers web.validate.mesh.internal -> $ANSWER"
for _ in $(seq 1 60); do
  HEALTH="$(docker inspect -f '{{.State.Health.Status}}' "$CONTAINER")"
  [ "$HEALTH" = healthy ] && break
  sleep 1
done
[ "$HEALTH" = healthy ] || { docker inspect -f '{{json .State.Health}}' "$CONTAINER"; echo "the container never turned healthy" >&2; exit 1; }
echo "container healthy (HEALTHCHECK), labels: version $VERSION"
echo "deploy files valid"
