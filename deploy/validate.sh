#!/usr/bin/env bash
# Checks the deployment files as far as this machine allows, and builds and starts the container image:
#   systemd unit (systemd-analyze verify), Prometheus config and rules (promtool), YAML of Kubernetes, compose
#   and Prometheus files (the Kubernetes manifests' schema check against the Kubernetes API types is
#   KubernetesManifestsTest, in mvn verify; here: structure, and the PrometheusRule equal to the alert rules), the Grafana dashboard JSON, the forwarder recipes (named-checkconf,
#   unbound-checkconf, dnsmasq --test), then the Dockerfile on a locally built base image, whose container
#   must start a node that answers /healthz and DNS.
# Needs: the distribution built (mvn -B -DskipTests package -pl deploy -am), systemd-analyze, promtool,
# python3 with yaml, bind9, unbound, dnsmasq, docker with a running daemon, debootstrap.
# --sync rewrites the generated compose copy of the BIND recipe instead of checking it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DEPLOY="$PWD"
DIST="$(ls -d "$DEPLOY"/target/quorumdns-*/quorumdns-* 2>/dev/null | head -1)"
[ -n "$DIST" ] || { echo "build the distribution first: mvn -B -DskipTests package -pl deploy -am" >&2; exit 1; }
WORK="$(mktemp -d)"
CONTAINER=""
cleanup() { [ -n "$CONTAINER" ] && docker rm -f "$CONTAINER" >/dev/null 2>&1; rm -rf "$WORK"; }
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

step "systemd unit"
sed "s#/opt/quorumdns#$DIST#g" systemd/quorumdns.service > "$WORK/quorumdns.service"
systemd-analyze verify "$WORK/quorumdns.service"

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

step "container image on a locally built base"
BASE=quorumdns-base:bookworm-jre17
docker/build-base-image.sh "$BASE"
docker build -q -f docker/Dockerfile --build-arg BASE_IMAGE="$BASE" --build-arg DIST="$(basename "$DIST")" \
  -t quorumdns:validate "$(dirname "$DIST")"
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
echo "deploy files valid"
