#!/usr/bin/env bash
# Median and p95 time of POST /v1/verify on two 250x250 LFW JPEGs, sequential requests on loopback.
# Reports the client's wall time (curl time_total) and the server's own stage times (timings_ms).
#   bench/verify-latency.sh [URL] [REQUESTS]      (default http://127.0.0.1:8080, 200)
# The service must be running (bin/run); the photos come from $FACEOFF_SHARED/datasets (default ../shared). Timings on a shared 2-core machine are noisy: compare runs
# made back to back, as ratios.
set -euo pipefail
url="${1:-http://127.0.0.1:8080}"
n="${2:-200}"
source "$(dirname "$0")/lib.sh"
lfw="$FACEOFF_SHARED/datasets/lfw/lfw-deepfunneled"
a="$lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg"
b="$lfw/Aaron_Peirsol/Aaron_Peirsol_0002.jpg"
[[ -f "$a" && -f "$b" ]] || { echo "LFW images not found under $lfw" >&2; exit 1; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for _ in $(seq 1 10); do curl -s -o /dev/null -F image1=@"$a" -F image2=@"$b" "$url/v1/verify"; done   # warm-up
for _ in $(seq 1 "$n"); do
  curl -s -w ' %{time_total}\n' -F image1=@"$a" -F image2=@"$b" "$url/v1/verify" >>"$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
wall, server = [], []
for line in open(sys.argv[1]):
    body, _, t = line.rpartition(" ")
    wall.append(float(t) * 1000)
    server.append(sum(json.loads(body)["timings_ms"].values()))
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))]
print(f"verify-latency: {len(wall)} requests; client wall median {statistics.median(wall):.1f} ms, "
      f"p95 {q(wall, .95):.1f} ms; server pipeline median {statistics.median(server):.1f} ms, p95 {q(server, .95):.1f} ms")
PY
