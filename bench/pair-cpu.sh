#!/usr/bin/env bash
# The service's own CPU time per verified pair, by kind of request: one build's service (bin/layout's run script
# under ROOT/target/layout, started through bench/lib.sh as the benchmarks start it) answers N sequential pairs of
# each kind, twice; its process's utime + stime (/proc) before and after each kind, divided by N. Every thread
# counts (Tomcat, Jackson, the garbage collector, the workers), the load generator (curl) does not.
# Kinds: small (250x250 pairs, JSON), flat (the 12 MP canvas, JSON), textured (the 4 MB 12 MP photos, JSON, base64)
# and textured-multipart (the same files as a multipart upload). Needs the sets of bench/perf.py
# (target/bench/sets of this checkout).
#
# Usage: bench/pair-cpu.sh [ROOT] [N]    ROOT: a checkout with a built target/layout (default: this one); N: 16
# Two builds, alternated: bench/pair-cpu.sh; bench/pair-cpu.sh /tmp/other-build; bench/pair-cpu.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT=${1:-$HERE}
N=${2:-16}
PORT=${PORT:-18097}
SETS=$HERE/target/bench/sets
cd "$ROOT"
bench/lib.sh exec target/layout/run "$PORT" --faceoff.models.include=mobilefacenet-faceplugin > "${TMPDIR:-/tmp}/pair-cpu-server.log" 2>&1 &
launcher=$!
trap 'kill "$launcher" 2>/dev/null || true' EXIT
bench/lib.sh wait-ready "http://127.0.0.1:$PORT/actuator/health/readiness" 300 "$launcher" > /dev/null
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$launcher/stat"; }
post() { curl -s -o /dev/null -w '%{http_code}\n' "$@" "http://127.0.0.1:$PORT/v1/verify"; }
json() { post -H 'Content-Type: application/json' --data-binary "@$1"; }
small() { for f in 000 001 002 003; do json "$SETS/small/$f.json"; done; }
flat() { for f in 000 001 002 003; do json "$SETS/phone12mp/$f.json"; done; }
textured() { for f in 000 004 008 012; do json "$SETS/phone12mp-textured/$f.json"; done; }
textured-multipart() {
  for f in 000 004 008 012; do
    post -F "image1=@$SETS/phone12mp-textured/$f-1.jpg" -F "image2=@$SETS/phone12mp-textured/$f-2.jpg"
  done
}
kinds=(small flat textured textured-multipart)
for kind in "${kinds[@]}" "${kinds[@]}"; do "$kind" > /dev/null; done   # warm-up
echo "pair-cpu: $(git rev-parse --short HEAD 2>/dev/null || echo "$ROOT"), $(cut -d' ' -f1-3 /proc/loadavg) load"
for round in 1 2; do
  for kind in "${kinds[@]}"; do
    before=$(cpu)
    answers=$(for _ in $(seq $((N / 4))); do "$kind"; done | sort | uniq -c | tr -s ' \n' ' ')
    after=$(cpu)
    echo "pair-cpu: round $round $kind: $(( (after - before) * 1000 / ticks / N )) CPU-ms a pair ($N pairs, answers:$answers)"
  done
done
echo "pair-cpu: load $(cut -d' ' -f1-3 /proc/loadavg)"
