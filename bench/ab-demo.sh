#!/usr/bin/env bash
# The worked examples of docs/ab-testing.md against a running faceoff with a default experiment ("losses", or
# any other: its name is read from GET /v1/experiments):
# verifies PAIRS real LFW pairs (half same person, half different, from pairs.txt) with a sticky
# X-Subject-Id, sends the truth of each to POST /v1/feedback, optionally changes the weights (when
# FACEOFF_ADMIN_KEY is set), and prints the per-variant report of GET /v1/experiments/<name>.
#   bench/ab-demo.sh [URL] [PAIRS]                  (default http://127.0.0.1:8080, 40)
#   bench/ab-demo.sh --standin-models DIR           build a stand-in model store in DIR: the pretrained
#                                                   embedder copied as copy-arcface / copy-cosface /
#                                                   copy-softmax (same weights: they always agree), for
#                                                   as long as the trained loss-zoo models are not in models/
# The pairs come from $FACEOFF_SHARED/datasets/lfw (default ../shared). Writes the full report to
# ab-report.json in the current folder.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
root="$FACEOFF_ROOT"

if [[ "${1:-}" == "--standin-models" ]]; then
  dir="${2:?usage: bench/ab-demo.sh --standin-models DIR}"
  mkdir -p "$dir"
  for m in detector-yunet detector-rfb320 landmarks-68 mobilefacenet-faceplugin; do
    mkdir -p "$dir/$m" && cp "$root/models/$m/model.json" "$root/models/$m/model.onnx" "$dir/$m/"
  done
  for pair in arcface cosface softmax; do
    mkdir -p "$dir/copy-$pair" && cp "$root/models/mobilefacenet-faceplugin/model.onnx" "$dir/copy-$pair/"
    /usr/bin/python3 - "$root/models/mobilefacenet-faceplugin/model.json" "$dir/copy-$pair/model.json" "$pair" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
manifest.update(name="copy-" + sys.argv[3], loss=sys.argv[3],
                backbone="stand-in: a copy of mobilefacenet-faceplugin (same weights and thresholds)")
json.dump(manifest, open(sys.argv[2], "w"), indent=2)
PY
  done
  echo "stand-in model store in $dir: $(ls "$dir" | tr '\n' ' ')"
  exit 0
fi

url="${1:-http://127.0.0.1:8080}"
n="${2:-40}"
lfw="$FACEOFF_SHARED/datasets/lfw"
[[ -f "$lfw/pairs.txt" ]] || { echo "LFW not found under $lfw" >&2; exit 1; }
/usr/bin/python3 - "$url" "$n" "$lfw" "${FACEOFF_ADMIN_KEY:-}" <<'PY'
import json, os, sys, uuid, urllib.request, urllib.error

url, n, lfw, admin_key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def call(method, path, body=None, headers=None):
    request = urllib.request.Request(url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")

def image(name, number):
    return os.path.join(lfw, "lfw-deepfunneled", name, f"{name}_{int(number):04d}.jpg")

same, different = [], []
with open(os.path.join(lfw, "pairs.txt")) as pairs:
    next(pairs)
    for line in pairs:
        cols = line.split()
        if len(cols) == 3 and len(same) < n // 2:
            same.append((image(cols[0], cols[1]), image(cols[0], cols[2]), True))
        elif len(cols) == 4 and len(different) < n - n // 2:
            different.append((image(cols[0], cols[1]), image(cols[2], cols[3]), False))

status, experiments = call("GET", "/v1/experiments")
print(f"GET /v1/experiments -> {status}: default {experiments.get('default_experiment')}; "
      + "; ".join(f"{v['name']}={v['model']} ({v['loss']}) weight {v['weight']:g}"
                  for e in experiments.get("experiments", []) for v in e["variants"]))
name = experiments.get("default_experiment")
if not name:
    sys.exit("the server has no default experiment (see docs/ab-testing.md)")

counted = {}
for i, (first, second, truth) in enumerate(same + different):
    boundary = uuid.uuid4().hex
    body = b""
    for field, path in (("image1", first), ("image2", second)):
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{os.path.basename(path)}\"\r\n"
                 f"Content-Type: image/jpeg\r\n\r\n").encode() + open(path, "rb").read() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    status, answer = call("POST", "/v1/verify", body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                                       "X-Subject-Id": f"subject-{i}"})
    if status != 200:
        print(f"verify {os.path.basename(first)} / {os.path.basename(second)} -> {status} {answer.get('code')}")
        continue
    status, feedback = call("POST", "/v1/feedback", json.dumps({"verification_id": answer["verification_id"],
                                                                "same": truth}).encode(),
                            {"Content-Type": "application/json"})
    key = (answer["routing"]["variant"], feedback.get("outcome", f"http {status}"))
    counted[key] = counted.get(key, 0) + 1
print(f"{len(same) + len(different)} pairs verified with X-Subject-Id subject-0..{len(same) + len(different) - 1}, "
      f"feedback sent: " + ", ".join(f"{v}/{o} {c}" for (v, o), c in sorted(counted.items())))

if admin_key:
    # 80 % to the first variant, 20 % to the second (the experiment's own names)
    experiment = next(e for e in experiments["experiments"] if e["name"] == name)
    first, second = (v["name"] for v in experiment["variants"][:2])
    status, changed = call("PUT", f"/v1/experiments/{name}/weights", json.dumps({"weights": {first: 80, second: 20}}).encode(),
                           {"Content-Type": "application/json", "X-Admin-Key": admin_key})
    print(f"PUT /v1/experiments/{name}/weights {{{first}: 80, {second}: 20}} -> {status}: now {changed.get('weights')}")

status, report = call("GET", f"/v1/experiments/{name}")
json.dump(report, open("ab-report.json", "w"), indent=2)
print(f"GET /v1/experiments/{name} -> {status} (full report in ab-report.json); traffic {report['traffic_scope']}, "
      f"feedback {report['feedback_scope']}, {report['requests']} requests routed")
def pct(rate):
    return "n/a" if rate["value"] is None else f"{100 * rate['value']:.1f}% [{100 * rate['low']:.1f}, {100 * rate['high']:.1f}]"
print(f"{'variant':9} {'model':14} {'loss':8} {'weight':>6} {'share':>6} {'verified':>8} {'p50 ms':>7} {'p95 ms':>7} "
      f"{'match':>6} {'sim p50':>7} {'shadow agree':>12} {'TA/FA/TR/FR':>12}  FAR [95% CI]          FRR [95% CI]")
for v in report["variants"]:
    t, f = v["traffic"], v["feedback"]
    shadow = ", ".join(f"{s['model']} {s['agreement'] if s['agreement'] is not None else 'n/a'} ({s['comparisons']})"
                       for s in v["shadow"]) or "-"
    print(f"{v['name']:9} {v['model']:14} {v['loss']:8} {v['weight']:6g} {t['share'] or 0:6.2f} {t['verified']:8d} "
          f"{t['latency_ms']['p50'] or 0:7.1f} {t['latency_ms']['p95'] or 0:7.1f} {t['match_rate'] or 0:6.2f} "
          f"{t['similarity']['p50'] or 0:7.3f} {shadow:>12} "
          f"{f['true_accepts']}/{f['false_accepts']}/{f['true_rejects']}/{f['false_rejects']:<4}  {pct(f['far']):21} {pct(f['frr'])}")
for c in report["comparisons"]:
    for metric in ("far", "frr"):
        t = c[metric]
        more = t["more_labelled_pairs_needed"]
        print(f"{c['variant']} vs {c['baseline']} {metric.upper()}: difference {t['difference']}, p = {t['p_value']}, "
              f"{'significant' if t['significant'] else 'not significant'}; "
              + ("no difference observed yet" if more is None else f"{t['labelled_pairs_needed']} labelled pairs per variant needed, {more} more"))
h = report["shadow_handoff_us"]
print(f"shadow hand-off on the request thread: p50 {h['p50']} us, p95 {h['p95']} us, p99 {h['p99']} us")
PY
