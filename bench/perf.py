#!/usr/bin/python3
"""The serving benchmark (#15), one command: faceoff on loopback against the bare-ONNX-Runtime ceiling.

1. Builds the jar and the test classes, and generates the image sets from LFW (dev.faceoff.evaluation.
   ServingBench sets): small (250x250 photos as they are), phone12mp (4000x3000, a flat canvas), phone1080p
   (1920x1080), tiny (64 px face crops); 32 pairs each, half of one person; phone12mp-textured (stretched to
   4000x3000 with noise: a phone photo's 4 MB, every fourth pair) and its decode floor (djpeg -scale 1/8, CPU
   time, minimum of 5), against which its throughput is reported; phone12mp-textured-multipart, the same pairs as
   multipart uploads (how a phone app sends photos: 8 MB of JPEG instead of 10.7 MB of base64).
2. The ceiling of each set, the service not running: the same three models on bare ONNX Runtime sessions
   (decode, detector, 68 points, embedder; no HTTP, no Spring) with 1 and 2 threads (ServingBench ceiling).
3. Start-up: the service as the container image runs it (bin/layout: extracted jar, unpacked native libraries,
   AppCDS archive) started 5 times, and the plain jar 3 times, every model in the store loaded: seconds from
   launch to ready (median, min), resident memory at ready. Every start is bench/lib.sh's, with the pod's JVM
   (the image's JAVA_TOOL_OPTIONS under -XX:MaxRAM of the 2 GiB limit: a 1 GiB heap); the load runs use the layout.
4. Each set at concurrency 1, 2, 4, 8, 16 (wrk; 30 s of warm-up traffic first, then 3 s per set):
   verifications/s, p50/p95/p99, errors, the service's CPU use (cores) and the load generator's; then 20
   sequential requests for the service's own per-stage times (timings_ms).
5. Tail latency: the small set offered at 80 % of its peak rate by 16 rate-limited hey processes started
   1/rate apart (evenly interleaved arrivals), p99 against p50 (target p99 <= 2 x p50).
6. Overload (bench/goodput.py's sweep on the small set): closed loop without retries at 1, 2, 4, 16, 32 and
   64 clients, open loop at 2x and 3x capacity, 64 polite clients honouring Retry-After.
7. Writes target/bench/<label>.json and, for the default configuration, BENCHMARKS.md.

Usage: bench/perf.py [--seconds S] [--sets a,b] [--concurrency 1,2,...] [--property KEY=VALUE ...]
                     [--label NAME] [--skip-build] [--pairs N] [--starts LAYOUT,JAR] [--warm-up S]
                     [--overload 1,2,4,16,32,64]
Needs: bin/setup --bench (wrk, hey, djpeg), LFW in $FACEOFF_SHARED/datasets (default ../shared). About 8 minutes at
the default 8 s a point. A quick check that it runs: --seconds 1 --sets small --concurrency 1 --pairs 4
--starts 1,1 --warm-up 2 --label check (writes target/bench/check.json, not BENCHMARKS.md).
Do not run it while training or another benchmark runs on the machine.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import http.client

import goodput  # bench/goodput.py
import service  # bench/service.py
from common import LAYOUT, OUT, PAIRS, build, java_bench, machine, sh

ROOT = service.ROOT
PORT = int(os.environ.get("PORT", "18082"))
SETS = {
    "small": "LFW photos as they are (250x250 JPEG)",
    "phone12mp": "each photo enlarged 4x onto a 4000x3000 canvas (12 MP JPEG, face ~450 px)",
    "phone1080p": "each photo enlarged 2x onto a 1920x1080 canvas (face ~220 px)",
    "tiny": "the face's box cropped and shrunk to 64 px",
    "phone12mp-textured": "each photo stretched to 4000x3000 with Gaussian noise, JPEG 90 (about 4 MB: a phone "
                          "photo's Huffman decoding); every fourth pair",
    "phone12mp-textured-multipart": "the textured pairs as multipart uploads (a phone app's form: the JPEG bytes, "
                                    "no base64)",
}
TEXTURED = "phone12mp-textured"
FORM = "phone12mp-textured-multipart"
BOUNDARY = "faceoff-bench-7d1c54a0e9b3"


def set_dir(s):
    """Where a set's images are: the multipart set sends the textured set's."""
    return os.path.join(OUT, "sets", TEXTURED if s == FORM else s)


def content_type(s):
    return "multipart/form-data; boundary=" + BOUNDARY if s == FORM else "application/json"


def bodies_file(s):
    """The file listing a set's request bodies: the JSON bodies ServingBench wrote, or for the multipart set forms
    made here from the same pairs' JPEG files (image1 and image2, as curl -F sends them)."""
    d = set_dir(s)
    if s != FORM:
        return os.path.join(d, "bodies.txt")
    paths = []
    for body in open(os.path.join(d, "bodies.txt")).read().split():
        stem = body[:-len(".json")]
        form = stem + ".form"
        with open(form, "wb") as out:
            for field in ("image1", "image2"):
                out.write(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s.jpg\"\r\n"
                           "Content-Type: image/jpeg\r\n\r\n" % (BOUNDARY, field, field)).encode())
                with open("%s-%s.jpg" % (stem, field[-1]), "rb") as f:
                    out.write(f.read())
                out.write(b"\r\n")
            out.write(("--%s--\r\n" % BOUNDARY).encode())
        paths.append(form)
    listing = os.path.join(d, "forms.txt")
    with open(listing, "w") as f:
        f.write("\n".join(paths) + "\n")
    return listing


def decode_floor(set_dir, runs=5):
    """The JPEG decode floor of a set: libjpeg-turbo's `djpeg -scale 1/8` (entropy decoding, which no DCT scale
    skips, and little more), CPU ms per image: each file's minimum of `runs`, the mean over the files."""
    files = sorted(f for f in os.listdir(set_dir) if f.endswith(".jpg"))
    per_file = []
    for f in files:
        times = []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(["djpeg", "-scale", "1/8", "-outfile", os.devnull, os.path.join(set_dir, f)], check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(1000 * (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
        per_file.append(min(times))
    return {"ms_per_image": statistics.mean(per_file), "files": len(files), "runs": runs}


def load_average():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def ceiling(set_name, seconds):
    out = java_bench("ceiling", os.path.join(OUT, "sets", set_name), str(seconds), "1,2")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {str(r["threads"]): r for r in rows}


def wrk(url, bodies, concurrency, seconds, kind="application/json"):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = sh(["wrk", "-t1", "-c%d" % concurrency, "-d%ds" % seconds, "--timeout", "15s", "-s",
              os.path.join(ROOT, "bench", "verify.lua"), url], env={**os.environ, "BODIES": bodies, "CONTENT_TYPE": kind})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    row["client_cores"] = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / row["duration_s"]
    return row


def stage_times(port, bodies, n=20, kind="application/json"):
    """Median of the service's own per-stage times (timings_ms) over n sequential requests."""
    paths = open(bodies).read().split()
    stages, totals, walls = {}, [], []
    for i in range(n):
        with open(paths[i % len(paths)], "rb") as f:
            body = f.read()
        for attempt in range(20):   # after an overload run the queue drains first: honour Retry-After
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            c.request("POST", "/v1/verify", body, {"Content-Type": kind})
            r = c.getresponse()
            payload = json.loads(r.read())
            elapsed = (time.perf_counter() - started) * 1000
            c.close()
            if r.status != 503:
                break
            time.sleep(float(r.getheader("Retry-After", "1")))
        walls.append(elapsed)
        if r.status != 200:
            sys.exit("perf: verify answered %d: %s" % (r.status, payload))
        for k, v in payload["timings_ms"].items():
            stages.setdefault(k, []).append(v)
        totals.append(sum(payload["timings_ms"].values()))
    result = {k: statistics.median(v) for k, v in stages.items()}
    result["pipeline"] = statistics.median(totals)
    result["client_wall"] = statistics.median(walls)
    return result


def tail(url, set_dir, rate, seconds, workers=16):
    """Open loop at `rate`/s: `workers` hey processes of one rate-limited worker each (rate/workers per second),
    started 1/rate apart so their ticks interleave evenly (workers started together tick together: bursts of
    `workers` requests), cycling through the set's first pairs."""
    bodies = open(os.path.join(set_dir, "bodies.txt")).read().split()
    per_worker = rate / workers
    procs = []
    for i in range(workers):
        procs.append(subprocess.Popen(["hey", "-z", "%ds" % seconds, "-c", "1", "-q", "%.3f" % per_worker, "-m", "POST",
                                       "-T", "application/json", "-D", bodies[i % len(bodies)], "-o", "csv", url],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        time.sleep(1 / rate)
    latencies, errors = [], {}
    for p in procs:
        out, _ = p.communicate()
        for line in out.splitlines()[1:]:
            fields = line.split(",")
            if len(fields) < 7:
                continue
            if fields[6] != "200":
                errors[fields[6]] = errors.get(fields[6], 0) + 1
                continue
            latencies.append(float(fields[0]) * 1000)
    latencies.sort()

    def q(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]
    return {"offered_per_s": rate, "achieved_per_s": len(latencies) / seconds, "requests": len(latencies),
            "errors": errors, "p50_ms": q(0.5), "p95_ms": q(0.95), "p99_ms": q(0.99), "p99_over_p50": q(0.99) / q(0.5)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--concurrency", default="1,2,4,8,16")
    parser.add_argument("--property", action="append", default=[], help="KEY=VALUE for the service")
    parser.add_argument("--label", default=None)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--pairs", type=int, default=32)
    parser.add_argument("--starts", default="5,3", help="start-up runs: layout,jar")
    parser.add_argument("--warm-up", type=int, default=30, help="seconds of warm-up traffic before the load runs")
    parser.add_argument("--overload", default="1,2,4,16,32,64",
                        help="closed-loop clients of the overload sweep (bench/goodput.py); empty to skip it")
    parser.add_argument("--render", metavar="JSON",
                        help="no run: BENCHMARKS.md again from a run's target/bench/default.json (after a change here)")
    args = parser.parse_args()
    if args.render:
        with open(args.render) as f:
            result = json.load(f)
        summarise(result)
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
            f.write(markdown(result))
        return
    label = args.label or ("default" if not args.property else "custom")
    for tool in ("wrk", "hey", "djpeg"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            sys.exit("perf: %s missing (bin/setup --bench)" % tool)
    if not os.path.isfile(PAIRS):
        sys.exit("perf: LFW not found at " + PAIRS)
    os.makedirs(OUT, exist_ok=True)
    if not args.skip_build:
        build()
    sets = args.sets.split(",")
    levels = [int(c) for c in args.concurrency.split(",")]
    result = {"machine": machine(), "label": label, "properties": args.property, "seconds_per_point": args.seconds,
              "warm_up_s": args.warm_up,
              "command": "bench/perf.py " + " ".join(sys.argv[1:]), "sets": {}, "load_average": {"start": load_average()}}
    print("perf: image sets", flush=True)
    java_bench("sets", os.path.join(OUT, "sets"), PAIRS, str(args.pairs))
    for s in sets:
        if s == FORM and TEXTURED in result["sets"]:
            result["sets"][s] = {"description": SETS[s], "ceiling": result["sets"][TEXTURED]["ceiling"]}
            continue   # the same images: the same ceiling
        print("perf: ceiling, %s" % s, flush=True)
        result["sets"][s] = {"description": SETS[s], "ceiling": ceiling(TEXTURED if s == FORM else s, args.seconds)}
    if TEXTURED in sets or FORM in sets:
        result["decode_floor"] = decode_floor(set_dir(TEXTURED))
        print("perf: decode floor (djpeg -scale 1/8), %s: %.1f CPU-ms per image"
              % (TEXTURED, result["decode_floor"]["ms_per_image"]), flush=True)

    jar = os.path.join(ROOT, "target", "faceoff.jar")
    extra = ["--" + p for p in args.property] + ["--logging.level.root=WARN"]
    layout = os.path.join(LAYOUT, "run")
    layout_starts, jar_starts = (int(n) for n in args.starts.split(","))
    result["startup"] = {"layout": startups(layout, extra, layout_starts), "jar": startups(jar, extra, jar_starts),
                         "java_tool_options": service.pod_jvm()}
    server = service.start(layout, PORT, os.path.join(OUT, "server.log"), extra=extra, name="perf")
    url = "http://127.0.0.1:%d/v1/verify" % PORT
    try:
        rss, _ = server.memory()
        result["startup"].update({"ready_s": result["startup"]["layout"]["median_s"], "rss_mib_at_ready": round(rss)})
        # the JIT's warm-up: measured, a start from the AppCDS archive needs ~20 s of traffic to reach its
        # steady state (CPU per verification 47 -> 39 -> 36 ms over three 8 s runs), a plain start less
        wrk(url, bodies_file(sets[0]), 2, args.warm_up, content_type(sets[0]))
        for s in sets:
            bodies = bodies_file(s)
            wrk(url, bodies, 2, 3, content_type(s))   # warm-up of this set
            rows = {}
            for c in levels:
                cpu0 = server.cpu_seconds()
                row = wrk(url, bodies, c, args.seconds, content_type(s))
                row["service_cores"] = (server.cpu_seconds() - cpu0) / row["duration_s"]
                row["per_s"] = (row["requests"] - row["non2xx"]) / row["duration_s"]   # answered 200
                rows[str(c)] = row
                print("perf: %-10s c=%-2d %6.1f verifications/s  p50 %6.1f  p99 %6.1f ms  errors %d  service %.2f cores"
                      % (s, c, row["per_s"], row["p50_ms"], row["p99_ms"], row["non2xx"] + row["socket_errors"]
                         + row["timeouts"], row["service_cores"]), flush=True)
            result["sets"][s]["load"] = rows
            result["sets"][s]["stages"] = stage_times(PORT, bodies, kind=content_type(s))
        if "small" in sets and args.overload:
            print("perf: overload sweep (closed loop %s clients, open loop 2x and 3x capacity, polite)" % args.overload,
                  flush=True)
            result["overload"] = goodput.sweep(server, url, os.path.join(OUT, "sets", "small", "bodies.txt"), args.seconds,
                                               [int(c) for c in args.overload.split(",")])
        if "small" in sets:
            peak = max(r["per_s"] for r in result["sets"]["small"]["load"].values())
            print("perf: tail at 80 %% of %.1f/s" % peak, flush=True)
            result["tail"] = tail(url, os.path.join(OUT, "sets", "small"), 0.8 * peak, max(20, 3 * args.seconds))
        result["load_average"]["end"] = load_average()
        rss, hwm = server.memory()
        result["startup"]["rss_mib_after_run"] = round(rss)
        result["startup"]["peak_rss_mib"] = round(hwm)
    finally:
        server.stop()
    summarise(result)
    with open(os.path.join(OUT, label + ".json"), "w") as f:
        json.dump(result, f, indent=1)
    if label == "default":
        with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
            f.write(markdown(result))
        print("perf: wrote BENCHMARKS.md and target/bench/default.json")


def startups(target, extra, times):
    """Launch to ready, `times` starts (each stopped at once): median and min seconds, RSS at ready."""
    ready, rss = [], []
    for _ in range(times):
        server = service.start(target, PORT, os.path.join(OUT, "startup.log"), extra=extra, name="perf")
        ready.append(server.ready_s)
        rss.append(server.memory()[0])
        server.stop()
    row = {"median_s": round(statistics.median(ready), 2), "min_s": round(min(ready), 2),
           "runs_s": [round(x, 2) for x in ready], "rss_mib_at_ready": round(statistics.median(rss))}
    print("perf: start-up (%s): ready in %.2f s median, %.2f min, RSS %d MiB"
          % ("java -jar" if target.endswith(".jar") else "layout", row["median_s"], row["min_s"], row["rss_mib_at_ready"]),
          flush=True)
    return row


def summarise(r):
    """Ratios: the service's best rate against the ceiling's best, phone against small."""
    for s, d in r["sets"].items():
        best_c, best = max(d["load"].items(), key=lambda kv: kv[1]["per_s"])
        ceiling_best = max(v["pairs_per_s"] for v in d["ceiling"].values())
        d["summary"] = {"best_concurrency": int(best_c), "best_per_s": best["per_s"], "ceiling_per_s": ceiling_best,
                        "ratio_to_ceiling": best["per_s"] / ceiling_best,
                        "cpu_ms_per_verification": 1000 * best["service_cores"] / best["per_s"],
                        "p50_ms_c1": d["load"]["1"]["p50_ms"] if "1" in d["load"] else None}
    if "small" in r["sets"]:
        small = r["sets"]["small"]["summary"]
        for s, d in r["sets"].items():
            d["summary"]["cost_vs_small"] = {
                "p50_c1": d["summary"]["p50_ms_c1"] / small["p50_ms_c1"] if small["p50_ms_c1"] else None,
                "cpu_per_verification": d["summary"]["cpu_ms_per_verification"] / small["cpu_ms_per_verification"],
                "throughput": small["best_per_s"] / d["summary"]["best_per_s"]}
    if "small" in r["sets"] and "decode_floor" in r:
        small = r["sets"]["small"]["summary"]
        floor = r["decode_floor"]["ms_per_image"]
        pair_ms = small["cpu_ms_per_verification"] + 2 * floor
        limited = r["machine"]["cores"] * 1000 / pair_ms
        r["floor"] = {"floor_ms_per_image": floor, "floor_pair_cpu_ms": pair_ms, "floor_limited_per_s": limited,
                      "latency_bound_ms": small["p50_ms_c1"] + 2 * floor if small["p50_ms_c1"] else None, "sets": {}}
        for s in (TEXTURED, FORM):
            if s not in r["sets"]:
                continue
            t = r["sets"][s]["summary"]
            r["floor"]["sets"][s] = {"per_s": t["best_per_s"], "ratio": t["best_per_s"] / limited,
                                     "cpu_ms": t["cpu_ms_per_verification"],
                                     "cpu_ratio": pair_ms / t["cpu_ms_per_verification"], "p50_ms_c1": t["p50_ms_c1"]}
            print("perf: %s %.1f/s = %.2f x the floor-limited %.1f/s (small pair %.1f CPU-ms + 2 x %.1f ms djpeg -scale "
                  "1/8); CPU per pair %.1f ms: the floor's %.2f x" % (s, t["best_per_s"], t["best_per_s"] / limited, limited,
                                                                     small["cpu_ms_per_verification"], floor,
                                                                     t["cpu_ms_per_verification"],
                                                                     pair_ms / t["cpu_ms_per_verification"]))
    for s, d in r["sets"].items():
        print("perf: %-10s best %.1f/s (c=%d) = %.2f x the ceiling (%.1f/s)" % (
            s, d["summary"]["best_per_s"], d["summary"]["best_concurrency"], d["summary"]["ratio_to_ceiling"],
            d["summary"]["ceiling_per_s"]))


def markdown(r):
    m = r["machine"]
    lines = ["# Benchmarks", "",
             "Generated by `%s` (%s, commit %s); do not edit by hand. Rerun it on a quiet machine: never while a "
             "training job or another benchmark runs. Compare ratios within one run, not absolute times across "
             "runs." % (r["command"], m["date"], m["commit"]), "",
             "**Machine:** %s, %d cores%s, %.0f GiB; %s; %s. Service: `target/faceoff.jar` through `bin/layout`, CPU provider, "
             "the jar's configuration%s, every model of `models/` loaded; each point %d s, after %d s of warm-up traffic and 3 s more per set."
             % (m["cpu"], m["cores"], " (AVX-512 VNNI)" if m["avx512_vnni"] else "", m["memory_gib"], m["java"], m["os"],
                (" plus " + ", ".join("`%s`" % p for p in r["properties"])) if r["properties"] else "",
                r["seconds_per_point"], r["warm_up_s"]), "",
             "**Load average** (1, 5, 15 min; %s cores) at the start of the run: %s; after the load runs: %s."
             % (m["cores"], ", ".join("%.2f" % x for x in r.get("load_average", {}).get("start", [])),
                ", ".join("%.2f" % x for x in r.get("load_average", {}).get("end", []))), "",
             "**Load:** `wrk -t1 -cC` with `bench/verify.lua`, each connection cycling through 32 LFW pairs "
             "(16 of one person) as JSON bodies (base64; %s: multipart forms). **Ceiling:** the same images through bare ONNX Runtime "
             "sessions of the same three models (`ServingBench ceiling`): decode (OpenCV, the service's reduced "
             "scale), the detector's input and run, the 68-point model's input and run, both aligned crops through "
             "the embedder in one run; no HTTP, Spring, admission, retries, NMS or warp (boxes and crops found "
             "before the clock starts). Single-threaded sessions, like the service's; 1 and 2 worker threads." % FORM, "",
             "## Start-up and memory", "",
             "Launch to readiness 200 with every model of `models/` loaded, under the pod's heap (`JAVA_TOOL_OPTIONS=%s`"
             "). **Layout**: `bin/layout` (what the container image runs: the jar extracted, the native libraries "
             "of ONNX Runtime and OpenCV unpacked once, an AppCDS class archive), started %d times; **jar**: "
             "`java -jar target/faceoff.jar`, %d times. Memory: the layout run that served every load below."
             % (r["startup"]["java_tool_options"], len(r["startup"]["layout"]["runs_s"]), len(r["startup"]["jar"]["runs_s"])), "",
             "| launch | ready, median | min | runs | RSS at ready |", "|---|---|---|---|---|"] + [
             "| %s | **%.2f s** | %.2f s | %s | %d MiB |" % (name, v["median_s"], v["min_s"],
                                                        ", ".join("%.2f" % x for x in v["runs_s"]), v["rss_mib_at_ready"])
             for name, v in (("layout", r["startup"]["layout"]), ("jar", r["startup"]["jar"]))] + [
             "", "| RSS at ready | RSS after the run | peak RSS (VmHWM) |", "|---|---|---|",
             "| %d MiB | %d MiB | %d MiB |" % (r["startup"]["rss_mib_at_ready"], r["startup"]["rss_mib_after_run"],
                                             r["startup"]["peak_rss_mib"]),
             "", "## Throughput and latency by image set", ""]
    for s, d in r["sets"].items():
        su = d["summary"]
        c1, c2 = d["ceiling"].get("1"), d["ceiling"].get("2")
        lines += ["### %s — %s" % (s, d["description"]), "",
                  "Ceiling: %.1f pairs/s on 1 thread, %.1f on 2. Service at its best (c=%d): %.1f verifications/s = "
                  "**%.2f × the ceiling**; %.1f CPU-ms per verification."
                  % (c1["pairs_per_s"], c2["pairs_per_s"], su["best_concurrency"], su["best_per_s"],
                     su["ratio_to_ceiling"], su["cpu_ms_per_verification"]), "",
                  "| concurrency | verifications/s (200) | p50 ms | p95 ms | p99 ms | errors | service CPU (cores) | wrk CPU (cores) |",
                  "|---|---|---|---|---|---|---|---|"]
        for c, row in d["load"].items():
            lines.append("| %s | %.1f | %.1f | %.1f | %.1f | %d | %.2f | %.2f |" % (
                c, row["per_s"], row["p50_ms"], row["p95_ms"], row["p99_ms"],
                row["non2xx"] + row["socket_errors"] + row["timeouts"], row["service_cores"], row["client_cores"]))
        lines.append("")
    if "small" in r["sets"]:
        lines += ["## Phone-size photos against small ones", "",
                  "Cost of one pair relative to a 250×250 pair (target for the flat 12 MP canvas, phone12mp: ≤ 1.3×).", "",
                  "| set | median latency, one client | CPU per verification | throughput (small ÷ this) |",
                  "|---|---|---|---|"]
        for s, d in r["sets"].items():
            v = d["summary"]["cost_vs_small"]
            lines.append("| %s | %.2f× | %.2f× | %.2f× |" % (s, v["p50_c1"], v["cpu_per_verification"], v["throughput"]))
        lines.append("")
    if "floor" in r:
        f = r["floor"]
        lines += ["## Phone photos at the JPEG decode floor", "",
                  "The floor of a textured 12 MP photo is its entropy (Huffman) decoding, which no DCT scale skips: "
                  "`djpeg -scale 1/8` (libjpeg-turbo) on the same files, CPU time, each file's minimum of %d runs, "
                  "%.1f ms per image (mean of %d files). A pair at the floor costs a small pair's CPU and two such "
                  "decodes, %.1f ms: on %d cores, **%.1f pairs/s is the floor-limited throughput**."
                  % (r["decode_floor"]["runs"], f["floor_ms_per_image"], r["decode_floor"]["files"],
                     f["floor_pair_cpu_ms"], r["machine"]["cores"], f["floor_limited_per_s"]), "",
                  "The throughput ratio holds only when the service has the cores to itself; on a shared machine "
                  "read the CPU one (the floor pair's CPU-ms over the service's, per verification at its best rate).", "",
                  "| textured 12 MP pair, sent as | verifications/s at best | × the floor-limited throughput "
                  "(target ≥ 0.9) | CPU-ms per verification | floor pair ÷ that | p50 one client ms | "
                  "small p50 + 2 × floor ms | p50 ÷ that (target ≤ 1.2) |", "|---|---|---|---|---|---|---|---|"]
        for s, v in f["sets"].items():
            lines.append("| %s | %.1f | **%.2f** | %.1f | **%.2f** | %s | %s | %s |" % (
                "JSON, base64 (%s)" % s if s == TEXTURED else "multipart (%s)" % s, v["per_s"], v["ratio"], v["cpu_ms"],
                v["cpu_ratio"], "%.1f" % v["p50_ms_c1"] if v["p50_ms_c1"] else "–",
                "%.1f" % f["latency_bound_ms"] if f["latency_bound_ms"] else "–",
                "**%.2f**" % (v["p50_ms_c1"] / f["latency_bound_ms"]) if v["p50_ms_c1"] and f["latency_bound_ms"] else "–"))
        lines.append("")
    if "tail" in r:
        t = r["tail"]
        lines += ["## Tail latency at 80 % load", "",
                  "The small set offered at %.1f/s (80 %% of its peak) by 16 `hey -c 1 -q` processes (a pair each), "
                  "started 1/rate apart so the arrivals interleave evenly; %d requests answered 200."
                  % (t["offered_per_s"], t["requests"]), "",
                  "| achieved/s | p50 ms | p95 ms | p99 ms | p99 / p50 (target ≤ 2) | errors |", "|---|---|---|---|---|---|",
                  "| %.1f | %.1f | %.1f | %.1f | **%.2f** | %s |" % (
                      t["achieved_per_s"], t["p50_ms"], t["p95_ms"], t["p99_ms"], t["p99_over_p50"],
                      ", ".join("%d × %s" % (n, code) for code, n in sorted(t["errors"].items())) or "0"), ""]
    if "overload" in r:
        import goodput
        o = r["overload"]
        lines += ["## Overload: goodput as clients multiply", "",
                  "The small set through `bench/Load.java` (`bench/goodput.py`'s sweep, %d s a point): closed loop "
                  "without retries (each client sends again as soon as it has an answer), open loop at 2× and 3× "
                  "capacity (%.1f/s, the peak closed-loop goodput of this run), and polite clients that honour "
                  "`Retry-After` with jitter. Goodput counts answers 200 that arrived within the window; latency "
                  "percentiles are of those. The client runs on the same cores as the service."
                  % (r["seconds_per_point"], o["capacity_per_s"]), "",
                  goodput.table({"faceoff": o}), ""]
    lines += ["## Where the time goes", "",
              "Per verification (two images), ms: the service's own stage times (`timings_ms`, median of 20 "
              "sequential requests) against the ceiling's on one thread; the rest of the client's wall time is "
              "HTTP, JSON/base64, admission and Spring.", "",
              "| set | decode | detect | landmarks | align | embed | service pipeline | client wall | ceiling total |",
              "|---|---|---|---|---|---|---|---|---|"]
    for s, d in r["sets"].items():
        st, ce = d["stages"], d["ceiling"]["1"]["stage_ms_per_pair"]
        ce_total = sum(ce.values())
        lines.append("| %s | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f | %.1f / – | %.1f / %.1f | %.1f | %.1f | %.1f |" % (
            s, st.get("decode", 0), ce["decode"], st.get("detect", 0), ce["detect"], st.get("landmarks", 0),
            ce["landmarks"], st.get("align", 0), st.get("embed", 0), ce["embed"], st["pipeline"], st["client_wall"],
            ce_total))
    lines += ["", "(service / ceiling in each stage cell.)", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
