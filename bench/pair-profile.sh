#!/usr/bin/env bash
# Where a verified pair's CPU goes, native code included: one build's service (bench/lib.sh, the pod's JVM) answers
# 128 sequential pairs of one kind to warm up, then perf samples the whole process (every thread: Tomcat, the
# workers, the JIT compilers, the garbage collector) over 32 more at 1999 Hz. Prints CPU-ms a pair by shared object
# (libopencv: JPEG decoding and resizing; libonnxruntime: the models; [JIT]: compiled Java; libjvm: the compilers and
# the collector; the kernel: the socket and page faults) and the busiest symbols; Java frames are named through the
# JVM's perf map (-XX:+DumpPerfMapAtExit, written when the service stops).
# Kinds: small, flat, textured (JSON bodies of bench/perf.py's sets, target/bench/sets), textured-multipart.
#
# Usage: bench/pair-profile.sh [KIND] [ROOT]    KIND: textured (default); ROOT: a checkout with a built target/layout
# Needs: perf (Debian: linux-perf), permission to sample (root, or kernel.perf_event_paranoid <= 1).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIND=${1:-textured}
ROOT=${2:-$HERE}
PORT=${PORT:-18098}
SETS=$HERE/target/bench/sets
command -v perf > /dev/null || { echo "pair-profile: perf missing (apt-get install linux-perf)" >&2; exit 1; }
[[ -d $SETS/phone12mp-textured ]] || { echo "pair-profile: no sets under $SETS (run bench/perf.py once)" >&2; exit 1; }
data=$(mktemp -d)
cd "$ROOT"
JAVA_TOOL_OPTIONS="-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit" \
  bench/lib.sh exec target/layout/run "$PORT" --faceoff.models.include=mobilefacenet-faceplugin > "$data/server.log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; rm -rf "$data"' EXIT
bench/lib.sh wait-ready "http://127.0.0.1:$PORT/actuator/health/readiness" 300 "$service" > /dev/null
post() { curl -s -o /dev/null -w '%{http_code}\n' "$@" "http://127.0.0.1:$PORT/v1/verify"; }
json() { post -H 'Content-Type: application/json' --data-binary "@$1"; }
pairs() {  # 16 pairs of the kind
  for _ in 1 2 3 4; do
    case $KIND in
      small) for f in 000 001 002 003; do json "$SETS/small/$f.json"; done ;;
      flat) for f in 000 001 002 003; do json "$SETS/phone12mp/$f.json"; done ;;
      textured) for f in 000 004 008 012; do json "$SETS/phone12mp-textured/$f.json"; done ;;
      textured-multipart) for f in 000 004 008 012; do
          post -F "image1=@$SETS/phone12mp-textured/$f-1.jpg" -F "image2=@$SETS/phone12mp-textured/$f-2.jpg"; done ;;
      *) echo "pair-profile: unknown kind $KIND" >&2; exit 2 ;;
    esac
  done
}
for _ in 1 2 3 4 5 6 7 8; do pairs > /dev/null; done
perf record -F 1999 -g -p "$service" -o "$data/perf.data" -- sleep 100000 2> /dev/null &
recorder=$!
sleep 1
answers=$( (pairs; pairs) | sort | uniq -c | tr -s ' \n' ' ')
kill -INT "$recorder"; wait "$recorder" || true
kill -TERM "$service"; wait "$service" || true   # writes /tmp/perf-PID.map
echo "pair-profile: $KIND, $(git rev-parse --short HEAD 2>/dev/null || echo "$ROOT"), 32 pairs (answers:$answers), load $(cut -d' ' -f1-3 /proc/loadavg)"
total=$(perf report -i "$data/perf.data" --stdio --no-children --sort dso -g none 2> /dev/null | sed -n 's/^# Event count (approx.): //p')
echo "pair-profile: $(awk -v t="$total" 'BEGIN {printf "%.1f", t / 1e6 / 32}') CPU-ms a pair in all"
perf report -i "$data/perf.data" --stdio --no-children --sort dso -g none 2> /dev/null | grep -v '^#' | grep -v '^$' | head -8 |
  awk -v t="$total" '{p = $1; sub("%", "", p); $1 = ""; printf "pair-profile:   %6.1f ms %s\n", p * t / 100 / 1e6 / 32, $0}'
echo "pair-profile: busiest symbols"
perf report -i "$data/perf.data" --stdio --no-children --sort dso,sym -g none 2> /dev/null | grep -v '^#' | grep -v '^$' | head -12 |
  awk -v t="$total" '{p = $1; sub("%", "", p); $1 = ""; printf "pair-profile:   %6.1f ms %s\n", p * t / 100 / 1e6 / 32, $0}'
rm -f "/tmp/perf-$service.map"
