#!/usr/bin/env bash
# A textured 12 MP pair sent as JSON (base64) against the same pair as a multipart form, under load: one service
# (this checkout's target/layout, started as the benchmarks start it), wrk at C connections for S seconds a round,
# the two forms alternated over three rounds; the service's CPU time (utime + stime from /proc) per pair answered
# 200, and the share of it the garbage collector's threads took (bench/lib.sh gc_ticks). The bodies are
# bench/perf.py's (target/bench/sets/phone12mp-textured: bodies.txt, and forms.txt, which perf.py writes when it
# runs its phone12mp-textured-multipart set).
#
# Usage: bench/upload-cpu.sh [C] [S]    C: connections (default 4); S: seconds a round (default 10)
# Needs: wrk (bin/setup --bench). Do not run it while another benchmark or a training job runs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
C=${1:-4}
S=${2:-10}
PORT=${PORT:-18096}
SET=$HERE/target/bench/sets/phone12mp-textured
[[ -f $SET/forms.txt ]] || { echo "upload-cpu: no $SET/forms.txt (run bench/perf.py with its multipart set once)" >&2; exit 1; }
boundary=$(head -c 200 "$(head -1 "$SET/forms.txt")" | head -1 | tr -d '\r' | sed 's/^--//')
source "$HERE/bench/lib.sh"
cd "$HERE"
trap faceoff_stop EXIT
faceoff_start target/layout/run "$PORT" "${TMPDIR:-/tmp}/upload-cpu-server.log" --faceoff.models.include=mobilefacenet-faceplugin
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$FACEOFF_PID/stat"; }
per_pair() { echo $(( $1 * 1000 / ticks / ($2 > 0 ? $2 : 1) )); }   # TICKS PAIRS → CPU-ms a pair
load() {  # json | multipart
  if [[ $1 == json ]]; then
    BODIES=$SET/bodies.txt CONTENT_TYPE=application/json wrk -t1 -c"$C" -d"${S}s" --timeout 15s -s bench/verify.lua \
      "http://127.0.0.1:$PORT/v1/verify"
  else
    BODIES=$SET/forms.txt CONTENT_TYPE="multipart/form-data; boundary=$boundary" wrk -t1 -c"$C" -d"${S}s" --timeout 15s \
      -s bench/verify.lua "http://127.0.0.1:$PORT/v1/verify"
  fi
}
load json > /dev/null; load multipart > /dev/null   # warm-up
echo "upload-cpu: $(git rev-parse --short HEAD 2>/dev/null), $C connections, ${S} s a round, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2 3; do
  for kind in json multipart; do
    before=$(cpu); gc_before=$(gc_ticks "$FACEOFF_PID")
    row=$(load "$kind" | grep '^{')
    after=$(cpu); gc_after=$(gc_ticks "$FACEOFF_PID")
    ok=$(echo "$row" | /usr/bin/python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); print(r["requests"] - r["non2xx"])')
    echo "upload-cpu: round $round $kind: $ok pairs, $(per_pair $((after - before)) "$ok") CPU-ms a pair" \
      "(the collector's threads $(per_pair $((gc_after - gc_before)) "$ok"))"
  done
done
echo "upload-cpu: load $(cut -d' ' -f1-3 /proc/loadavg)"
