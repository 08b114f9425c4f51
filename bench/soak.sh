#!/usr/bin/env bash
# Soak: faceoff (JVM sized like the k8s pod) held at 70 % of its sustainable rate of 250x250 LFW pairs for
# DURATION seconds; reports errors (must be 0) and resident memory over time (growth after the warm-up, the
# first sixth of the run, must stay within 5 %). Writes target/soak/{summary.md,rss.csv}.
# Usage: bench/soak.sh [DURATION_S] [JAR]     (default 1800 s, target/faceoff.jar; needs bin/setup --bench and
# LFW in $FACEOFF_SHARED/datasets, default ../shared). The JVM and configuration of the k8s pod (bench/lib.sh).
# Do not run it while training or another benchmark runs on the machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$FACEOFF_ROOT"
duration="${1:-1800}"
jar="${2:-$root/target/faceoff.jar}"
out="$root/target/soak"
lfw="$FACEOFF_SHARED/datasets/lfw/lfw-deepfunneled"
port="${PORT:-18081}"
url="http://127.0.0.1:$port"
command -v hey >/dev/null || { echo "soak: hey missing (bin/setup --bench)" >&2; exit 1; }
[[ -d "$lfw" ]] || { echo "soak: LFW not found under $lfw" >&2; exit 1; }
mkdir -p "$out"
json_pair "$lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg" "$lfw/Aaron_Peirsol/Aaron_Peirsol_0002.jpg" "$out/small.json"
trap faceoff_stop EXIT
faceoff_start "$jar" "$port" "$out/server.log" \
  --spring.config.additional-location="file:$root/k8s/base/config/application.yaml"
pid=$FACEOFF_PID
hey -n 200 -c 2 -m POST -T application/json -D "$out/small.json" "$url/v1/verify" >/dev/null
hey -z 15s -c 4 -m POST -T application/json -D "$out/small.json" -o csv "$url/v1/verify" >"$out/capacity.csv"
rate=$(/usr/bin/python3 -c "
import csv
print(f\"{sum(r['status-code'] == '200' for r in csv.DictReader(open('$out/capacity.csv'))) / 15:.1f}\")")
procs=4; per=2
qps=$(/usr/bin/python3 -c "print(f'{0.7 * $rate / ($procs * $per):.2f}')")
echo "soak: capacity $rate verifications/s; holding 70 % ($procs x $per clients at $qps/s each) for $duration s"
( echo "seconds,rss_bytes"; t0=$(date +%s)
  while kill -0 $pid 2>/dev/null; do
    echo "$(( $(date +%s) - t0 )),$(awk '$1 == "VmRSS:" {print $2 * 1024}' /proc/$pid/status)"; sleep 10
  done ) >"$out/rss.csv" &
sampler=$!
gens=()
for i in $(seq 1 $procs); do
  hey -z "${duration}s" -c $per -q "$qps" -m POST -T application/json -D "$out/small.json" -o csv "$url/v1/verify" \
    >"$out/load-$i.csv" &
  gens+=($!)
  sleep 0.1
done
wait "${gens[@]}"
kill $sampler 2>/dev/null || true
alive=yes; kill -0 $pid 2>/dev/null || alive=no
/usr/bin/python3 - "$out" "$rate" "$duration" "$alive" <<'PY' | tee "$out/summary.md"
import collections, csv, glob, sys
out, rate, duration, alive = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = [r for f in sorted(glob.glob(f"{out}/load-*.csv")) for r in csv.DictReader(open(f))]
codes = collections.Counter(r["status-code"] for r in rows)
ok = sorted(float(r["response-time"]) * 1000 for r in rows if r["status-code"] == "200")
q = lambda p: ok[min(len(ok) - 1, int(p * len(ok)))]
rss = [(int(r["seconds"]), int(r["rss_bytes"])) for r in csv.DictReader(open(f"{out}/rss.csv")) if r["rss_bytes"]]
warm = [b for s, b in rss if s >= duration / 6]
base, end, top = warm[0], warm[-1], max(warm)
print(f"# Soak (bench/soak.sh {duration})\n")
print(f"Capacity {rate:.1f} verifications/s (4 clients); held at 70 %: {len(rows)} requests in {duration} s "
      f"({len(rows) / duration:.1f}/s); answers {dict(codes)}; errors (not 200): {len(rows) - codes.get('200', 0)}; "
      f"process alive: {alive}.\n")
print(f"Latency of the answers: p50 {q(.5):.0f} ms, p99 {q(.99):.0f} ms, max {ok[-1]:.0f} ms.\n")
print(f"Resident memory after the warm-up (t = {duration // 6} s): {base / 2**20:.0f} MiB; at the end {end / 2**20:.0f} MiB "
      f"({100 * (end - base) / base:+.1f} %); highest {top / 2**20:.0f} MiB ({100 * (top - base) / base:+.1f} %).\n")
step = max(1, len(rss) // 12)
print("| t (s) | resident MiB |\n|---|---|")
for s, b in rss[::step]:
    print(f"| {s} | {b / 2**20:.0f} |")
PY
