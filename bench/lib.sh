#!/usr/bin/env bash
# The one way the benchmark and check scripts start faceoff: the jar (or bin/layout's run script) on
# 127.0.0.1, CPU provider, the repository's model store (FACEOFF_MODELS_DIR overrides it), under the JVM of
# the Kubernetes pod: the container image's JAVA_TOOL_OPTIONS (docker/Dockerfile) with -XX:MaxRAM set to the
# pod's memory limit (k8s/base/deployment.yaml), so the heap and admission's memory budget are the pod's.
# Ready means GET /actuator/health/readiness answers 200.
#
# Sourced (bench/overload.sh, bench/soak.sh, observability/check-prometheus.sh, ...):
#   faceoff_start TARGET PORT LOG [ARGS...]  starts it in the background and waits until it is ready (300 s at
#                                            most, FACEOFF_START_TIMEOUT); sets FACEOFF_PID (the JVM) and
#                                            FACEOFF_READY_S (seconds from launch to ready). FACEOFF_TIME_LIMIT=S
#                                            runs it under timeout(1), and FACEOFF_PID is then timeout's.
#   faceoff_stop                             SIGTERM (the graceful shutdown) and wait for it to end
#   wait_ready URL SECONDS PID               until URL answers 2xx; fails once PID has exited or SECONDS passed
#   gc_ticks PID                             CPU time (clock ticks) of the JVM's collector threads: G1's
#                                            concurrent and refinement threads, the GC workers, the VM thread
#   free_port                                a free TCP port on 127.0.0.1
#   free_ports N                             N of them, all different
#   json_pair IMAGE1 IMAGE2 OUT              a POST /v1/verify JSON body (base64 images) written to OUT
# As a command (bench/service.py):
#   bench/lib.sh exec TARGET PORT [ARGS...]  faceoff in the foreground: this process becomes the JVM
#   bench/lib.sh wait-ready URL SECONDS PID
#   bench/lib.sh pod-jvm                     prints the pod's JVM options
# TARGET is a jar (java -jar) or an executable (bin/layout's DIR/run); ARGS go to faceoff. Each faceoff gets an embedded
# gallery of its own (FACEOFF_GALLERY_STORE overrides the store, e.g. postgres; faceoff.gallery.path: a new temporary
# folder, FACEOFF_GALLERY_DIR overrides it), so processes running at
# once never share an H2 file; faceoff_stop deletes the temporary one.
# FACEOFF_SHARED: the data sets' folder (default: shared beside the repository, ../shared).

FACEOFF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FACEOFF_SHARED="$(realpath -m "${FACEOFF_SHARED:-$FACEOFF_ROOT/../shared}")"
export FACEOFF_SHARED

# The image's JAVA_TOOL_OPTIONS under the pod's memory limit (a Kubernetes quantity, 2Gi, as a JVM size, 2g).
faceoff_pod_jvm() {
  local limit options
  limit=$(awk '/limits:/ {limits = 1; next} limits && $1 == "memory:" {print $2; exit}' \
    "$FACEOFF_ROOT/k8s/base/deployment.yaml")
  options=$(sed -n 's/.*JAVA_TOOL_OPTIONS="\([^"]*\)".*/\1/p' "$FACEOFF_ROOT/docker/Dockerfile" | head -n 1)
  if [[ -z $limit || -z $options ]]; then
    echo "lib.sh: no memory limit in k8s/base/deployment.yaml or no JAVA_TOOL_OPTIONS in docker/Dockerfile" >&2
    return 1
  fi
  limit=${limit%i}
  echo "-XX:MaxRAM=${limit,,} $options"
}

faceoff_exec() {
  local target=$1 port=$2 launcher
  shift 2
  if [[ $target == *.jar ]]; then launcher=(java -jar "$target"); else launcher=("$target"); fi
  [[ -n ${FACEOFF_TIME_LIMIT:-} ]] && launcher=(timeout "$FACEOFF_TIME_LIMIT" "${launcher[@]}")
  JAVA_TOOL_OPTIONS="$(faceoff_pod_jvm)${JAVA_TOOL_OPTIONS:+ $JAVA_TOOL_OPTIONS}" || return 1
  export JAVA_TOOL_OPTIONS
  exec "${launcher[@]}" --server.address=127.0.0.1 --server.port="$port" --faceoff.runtime.provider=cpu \
    --faceoff.models.dir="${FACEOFF_MODELS_DIR:-$FACEOFF_ROOT/models}" \
    --faceoff.gallery.store="${FACEOFF_GALLERY_STORE:-embedded}" --faceoff.gallery.path="${FACEOFF_GALLERY_DIR:-$(mktemp -d -t faceoff-gallery.XXXXXX)}" "$@"
}

# Alive and not a zombie (a child its parent has not reaped yet has exited all the same).
faceoff_alive() {
  [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

wait_ready() {
  local url=$1 seconds=$2 pid=$3 deadline=$((SECONDS + $2))
  until curl -fs -o /dev/null --max-time 2 "$url"; do
    faceoff_alive "$pid" || { echo "lib.sh: process $pid exited before $url answered" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "lib.sh: $url did not answer within ${seconds}s" >&2; return 1; }
    sleep 0.1
  done
}

faceoff_start() {
  local target=$1 port=$2 log=$3 launched=$EPOCHREALTIME
  shift 3
  [[ -e $target ]] || { echo "lib.sh: $target missing (build the jar: mvn -B -DskipTests package)" >&2; return 1; }
  if [[ -z ${FACEOFF_GALLERY_DIR:-} ]]; then
    FACEOFF_GALLERY_TMP=$(mktemp -d -t faceoff-gallery.XXXXXX)
  fi
  FACEOFF_GALLERY_DIR=${FACEOFF_GALLERY_DIR:-$FACEOFF_GALLERY_TMP} faceoff_exec "$target" "$port" "$@" >"$log" 2>&1 &
  FACEOFF_PID=$!
  wait_ready "http://127.0.0.1:$port/actuator/health/readiness" "${FACEOFF_START_TIMEOUT:-300}" "$FACEOFF_PID" \
    || { echo "lib.sh: faceoff did not get ready; its log: $log" >&2; return 1; }
  FACEOFF_READY_S=$(awk -v a="$launched" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}')
}

faceoff_stop() {
  local pid=${FACEOFF_PID:-} i
  [[ -n $pid ]] || return 0
  FACEOFF_PID=
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 600; i++)); do   # the graceful shutdown takes 25 s at most (application.yaml)
    faceoff_alive "$pid" || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -n ${FACEOFF_GALLERY_TMP:-} ]]; then
    rm -rf -- "$FACEOFF_GALLERY_TMP"
    FACEOFF_GALLERY_TMP=
  fi
}

gc_ticks() {
  local task name ticks=0
  for task in /proc/"$1"/task/*; do
    name=$(cat "$task/comm" 2>/dev/null) || continue
    case $name in
      "G1 "* | "GC Thread"* | "VM Thread") ticks=$((ticks + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$ticks"
}

free_port() {
  free_ports 1
}

# N free ports, all different: each socket is held until all are bound (ports taken one at a time, each socket
# closed before the next, may repeat: the fleet once gave HAProxy the port PostgreSQL had just taken)
free_ports() {
  /usr/bin/python3 -c '
import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))' "$1"
}

json_pair() {
  /usr/bin/python3 - "$@" <<'PY'
import base64, json, sys
a, b, out = sys.argv[1:4]
enc = lambda p: base64.b64encode(open(p, "rb").read()).decode()
json.dump({"image1": enc(a), "image2": enc(b)}, open(out, "w"))
PY
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  case "${1:-}" in
    exec) shift; faceoff_exec "$@" ;;
    wait-ready) shift; wait_ready "$@" ;;
    pod-jvm) faceoff_pod_jvm ;;
    *) sed -n '2,26p' "$0" >&2; exit 2 ;;
  esac
fi
