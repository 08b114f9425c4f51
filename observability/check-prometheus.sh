#!/usr/bin/env bash
# Proof on a real Prometheus: starts faceoff (through bin/layout, as the container image does, with the pod's
# JVM: bench/lib.sh; CPU provider, the deployment configuration of k8s/base/config/application.yaml) and Prometheus (the repository's scrape config and rule files, 1 s
# intervals) on loopback, drives real verify and gallery (enrol, identify) traffic with LFW images, then sends every PromQL expression of
# the Grafana dashboard and of the rules to Prometheus' HTTP API (observability/check_prometheus.py).
# While the model store lacks a model that the deployment configuration's experiment names, the run uses
# an experiment of the same shape over the embedding models the store has (and says so).
#
#   observability/check-prometheus.sh [JAR] [MODELS_DIR]      (defaults: target/faceoff.jar, models)
#
# Needs Debian's prometheus and python3-yaml (installed with apt-get when missing), java, curl, and the LFW
# data set in ../shared/datasets/lfw (FACEOFF_SHARED overrides ../shared). Every process it starts is bound
# to 127.0.0.1, limited in time and stopped on exit. Ends with `prometheus-check: N passed, M failed`.
set -euo pipefail
source "$(dirname "$0")/../bench/lib.sh"

repo="$FACEOFF_ROOT"
jar="$(realpath "${1:-$repo/target/faceoff.jar}")"
models="$(realpath "${2:-$repo/models}")"
lfw="$FACEOFF_SHARED/datasets/lfw"

say() { echo "check-prometheus: $*"; }
die() { echo "check-prometheus: $*" >&2; exit 1; }

[[ -f "$jar" ]] || die "no jar at $jar (build it: mvn -Pcpu package)"
[[ -d "$models" ]] || die "no models folder at $models"
[[ -f "$lfw/pairs.txt" ]] || die "no LFW at $lfw (../shared/datasets/lfw)"

missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
/usr/bin/python3 -c 'import yaml' 2>/dev/null || missing+=(python3-yaml)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  local status=$?
  faceoff_stop
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((status != 0)); then
    for log in "$work"/*.log; do [[ -f "$log" ]] && { echo "--- last lines of $(basename "$log")"; tail -n 40 "$log"; }; done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

faceoff_port="$(free_port)"
prometheus_port="$(free_port)"
check=("/usr/bin/python3" "$repo/observability/check_prometheus.py")
"${check[@]}" configure --deployment-config "$repo/k8s/base/config/application.yaml" --models "$models" \
  --faceoff-out "$work/application.yaml" \
  --prometheus-config "$repo/observability/prometheus/prometheus.yml" --prometheus-out "$work/prometheus.yml" \
  --faceoff-target "127.0.0.1:$faceoff_port" --prometheus-target "127.0.0.1:$prometheus_port"

# as the container image runs it: through bin/layout (extracted jar, unpacked native libraries, AppCDS)
say "laying out $jar (bin/layout)"
"$repo/bin/layout" "$jar" "$work/layout" "$models"
say "starting faceoff ($work/layout/run, $(faceoff_pod_jvm)) on 127.0.0.1:$faceoff_port"
FACEOFF_MODELS_DIR="$models" FACEOFF_TIME_LIMIT=900 faceoff_start "$work/layout/run" "$faceoff_port" "$work/faceoff.log" \
  --spring.config.additional-location="file:$work/application.yaml"
say "faceoff ready after ${FACEOFF_READY_S}s"

say "starting prometheus $(prometheus --version 2>&1 | head -n 1 | cut -d' ' -f3) on 127.0.0.1:$prometheus_port"
timeout 900 prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$prometheus_port/-/ready" 60 "${pids[-1]}"

timeout 600 "${check[@]}" run --faceoff "http://127.0.0.1:$faceoff_port" --faceoff-config "$work/application.yaml" \
  --prometheus "http://127.0.0.1:$prometheus_port" --lfw "$lfw" \
  --dashboard "$repo/observability/grafana/dashboards/faceoff.json" \
  --rules "$repo"/observability/prometheus/rules/*.yml
