#!/usr/bin/env bash
# Admission control under overload, with the JVM of the k8s pod (bench/lib.sh: memory limit 2 GiB as
# -XX:MaxRAM, heap 50 % from the JAVA_TOOL_OPTIONS of docker/Dockerfile) and the deployment configuration:
#   1. the sustainable rate of 250x250 LFW pairs (4 clients), then 3x that rate offered for 20 s:
#      every admitted request must be answered within faceoff.limits.deadline, the rest 503 overloaded;
#   2. a burst of 200 concurrent pairs of 12-megapixel photos (LFW faces on 4000x3000 canvases), as JSON and
#      then as multipart forms: peak resident memory (VmHWM, reset between the two) must stay under the 2 GiB
#      limit, and the process must survive.
# Usage: bench/overload.sh [JAR]     (default target/faceoff.jar; build it first: mvn -B -DskipTests package)
# Needs: bin/setup --bench (hey, imagemagick), LFW in $FACEOFF_SHARED/datasets (default ../shared). Writes
# target/overload/summary.md. Do not run it while training or another benchmark runs on the machine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$FACEOFF_ROOT"
jar="${1:-$root/target/faceoff.jar}"
out="$root/target/overload"
lfw="$FACEOFF_SHARED/datasets/lfw/lfw-deepfunneled"
port="${PORT:-18080}"
url="http://127.0.0.1:$port"
limit_bytes=$((2 * 1024 * 1024 * 1024))
for tool in hey convert; do
  command -v "$tool" >/dev/null || { echo "overload: $tool missing (bin/setup --bench)" >&2; exit 1; }
done
[[ -d "$lfw" ]] || { echo "overload: LFW not found under $lfw" >&2; exit 1; }
[[ -f "$jar" ]] || { echo "overload: $jar missing (mvn -B -DskipTests package)" >&2; exit 1; }
mkdir -p "$out"

# request bodies: JSON with base64 images (one body file serves every request of a run)
a="$lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg"
b="$lfw/Aaron_Peirsol/Aaron_Peirsol_0002.jpg"
json_pair "$a" "$b" "$out/small.json"
for i in 1 2; do
  src="$lfw/Aaron_Peirsol/Aaron_Peirsol_000$i.jpg"
  [[ -f "$out/phone$i.jpg" ]] || convert -size 4000x3000 "xc:rgb(150,140,130)" -attenuate 0.4 +noise Gaussian \
      \( "$src" -resize 300% \) -geometry +1600+1100 -composite -quality 90 "$out/phone$i.jpg"
done
json_pair "$out/phone1.jpg" "$out/phone2.jpg" "$out/phone.json"
boundary=overload-7d1c54a0e9b3
{ for i in 1 2; do
    printf -- '--%s\r\nContent-Disposition: form-data; name="image%s"; filename="phone%s.jpg"\r\nContent-Type: image/jpeg\r\n\r\n' \
      "$boundary" "$i" "$i"
    cat "$out/phone$i.jpg"; printf '\r\n'
  done
  printf -- '--%s--\r\n' "$boundary"; } > "$out/phone.form"

jvm=$(faceoff_pod_jvm)
echo "overload: starting faceoff ($jvm) on port $port"
trap faceoff_stop EXIT
faceoff_start "$jar" "$port" "$out/server.log" \
  --spring.config.additional-location="file:$root/k8s/base/config/application.yaml"
pid=$FACEOFF_PID
rss() { awk -v f="$1" '$1 == f {print $2 * 1024}' "/proc/$pid/status"; }
hey -n 100 -c 2 -m POST -T application/json -D "$out/small.json" "$url/v1/verify" >/dev/null   # warm-up
baseline=$(rss VmRSS:)

echo "overload: sustainable rate (4 clients, 15 s)"
hey -z 15s -c 4 -m POST -T application/json -D "$out/small.json" -o csv "$url/v1/verify" >"$out/sustainable.csv"
rate=$(/usr/bin/python3 -c "
import csv, sys
rows = list(csv.DictReader(open('$out/sustainable.csv')))
ok = [r for r in rows if r['status-code'] == '200']
print(f'{len(ok) / 15:.1f}')")
# 3x offered as 12 load generators of 4 clients each, started a twelfth of a tick apart: one hey's clients
# tick together, so a single hey at -c 48 would send bursts of 48 rather than a steady rate
procs=12; per=4
qps=$(/usr/bin/python3 -c "print(f'{3 * $rate / ($procs * $per):.2f}')")
step=$(/usr/bin/python3 -c "print(f'{1 / $qps / $procs:.3f}')")
echo "overload: sustainable $rate verifications/s; offering 3x ($procs x $per clients at $qps/s each, 20 s)"
gens=()
for i in $(seq 1 $procs); do
  hey -z 20s -c $per -q "$qps" -m POST -T application/json -D "$out/small.json" -o csv "$url/v1/verify" >"$out/triple-$i.csv" &
  gens+=($!)
  sleep "$step"
done
wait "${gens[@]}"
{ head -1 "$out/triple-1.csv"; for i in $(seq 1 $procs); do tail -n +2 "$out/triple-$i.csv"; done; } >"$out/triple.csv"
rm -f "$out"/triple-*.csv

echo "overload: burst of 200 concurrent 12-megapixel pairs (400 requests)"
( while kill -0 $pid 2>/dev/null; do echo "$(date +%s.%N) $(rss VmRSS:)"; sleep 0.1; done ) >"$out/burst-rss.txt" &
sampler=$!
hey -n 400 -c 200 -t 60 -m POST -T application/json -D "$out/phone.json" -o csv "$url/v1/verify" >"$out/burst.csv" || true
peak=$(rss VmHWM: || echo 0)
echo "overload: the same burst as multipart forms"
echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || echo "overload: cannot reset VmHWM (not root?): the multipart peak is of both bursts"
hey -n 400 -c 200 -t 60 -m POST -T "multipart/form-data; boundary=$boundary" -D "$out/phone.form" -o csv "$url/v1/verify" \
  >"$out/burst-multipart.csv" || true
kill $sampler 2>/dev/null || true
alive=yes; kill -0 $pid 2>/dev/null || alive=no
peak_form=$(rss VmHWM: || echo 0)
metrics=$(curl -s "$url/actuator/prometheus" | grep '^faceoff_admission_total' || true)

/usr/bin/python3 - "$out" "$rate" "$baseline" "${peak:-0}" "$limit_bytes" "$alive" "$metrics" "$jvm" "${peak_form:-0}" <<'PY' | tee "$out/summary.md"
import collections, csv, sys
out, rate, baseline, peak, limit, alive, metrics, jvm, peak_form = sys.argv[1:10]
baseline, peak, limit, peak_form = int(baseline), int(peak or 0), int(limit), int(peak_form or 0)
def q(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")
def load(name):
    rows = list(csv.DictReader(open(f"{out}/{name}.csv")))
    codes = collections.Counter(r["status-code"] for r in rows)
    ok = [float(r["response-time"]) * 1000 for r in rows if r["status-code"] == "200"]
    return rows, codes, ok
print("# Overload (bench/overload.sh)\n")
print(f"JVM as in the k8s pod: {jvm}; models/ of the repository; "
      f"k8s/base/config/application.yaml. Resident memory when warm: {baseline / 2**20:.0f} MiB.\n")
print("| run | requests | 200 | 503 | other | admitted p50 ms | admitted p99 ms | admitted max ms |")
print("|---|---|---|---|---|---|---|---|")
for name, label in [("sustainable", f"sustainable (4 clients): {rate}/s"), ("triple", "3x sustainable (12 x 4 clients, staggered)"),
                    ("burst", "burst: 200 concurrent 12 MP pairs, JSON"),
                    ("burst-multipart", "burst: 200 concurrent 12 MP pairs, multipart")]:
    rows, codes, ok = load(name)
    other = sum(n for c, n in codes.items() if c not in ("200", "503"))
    print(f"| {label} | {len(rows)} | {codes.get('200', 0)} | {codes.get('503', 0)} | {other} | "
          f"{q(ok, .5):.0f} | {q(ok, .99):.0f} | {max(ok) if ok else float('nan'):.0f} |")
print(f"\nBursts: peak resident memory (VmHWM) {peak / 2**20:.0f} MiB as JSON, {peak_form / 2**20:.0f} MiB as "
      f"multipart, of the {limit / 2**20:.0f} MiB limit ({'within' if 0 < max(peak, peak_form) <= limit else 'OVER'}); "
      f"process alive after the bursts: {alive}.\n")
print("Admission counters after the runs:\n\n```\n" + metrics + "\n```")
PY
