#!/usr/bin/python3
"""Goodput under overload: verifications answered 200 per second as clients multiply (issue #28).

On the small set (250x250 LFW pairs, JSON bodies made by bench/common.py's image sets), with bench/Load.java:
1. closed loop without retries (each client sends its next request as soon as it has an answer) at 1, 2, 4,
   16, 32 and 64 clients: goodput, admitted (200) p50/p99, answers by status, 503s without Retry-After, the
   service's CPU (cores);
2. open loop (arrivals on a schedule, whatever the answers) at 2x and 3x capacity, capacity being the peak
   closed-loop goodput of the same run;
3. 64 polite clients that honour Retry-After with jitter.

With --baseline-jar the same sweep runs first against another build (e.g. the commit before a change) and a
table puts the two side by side: same machine, same session, one after the other. --baseline-models gives the
baseline its own model store (an older build may refuse model.json keys added since: check out that commit's
models/ folder).

usage: bench/goodput.py [--jar JAR] [--baseline-jar JAR [--baseline-models DIR]] [--seconds S] [--clients 1,2,4,16,32,64]
                        [--label NAME] [--skip-build] [--property KEY=VALUE ...]
Writes target/bench/goodput-<label>.json and prints a Markdown table. About 2.5 minutes per jar at 10 s a
point. Never run it while training or another benchmark runs.
"""
import argparse
import json
import os
import resource
import subprocess
import sys

import common  # bench/common.py
import service  # bench/service.py

ROOT = service.ROOT
LOAD = os.path.join(ROOT, "bench", "Load.java")
PORT = int(os.environ.get("PORT", "18083"))


def load(url, bodies, mode, n, seconds):
    out = subprocess.run(["java", "-XX:TieredStopAtLevel=1", LOAD, url, bodies, mode, str(n), str(seconds)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def point(server, url, bodies, mode, n, seconds):
    cpu0 = server.cpu_seconds()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = load(url, bodies, mode, n, seconds)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    row["service_cores"] = (server.cpu_seconds() - cpu0) / row["duration_s"]
    row["client_cores"] = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / row["duration_s"]
    row["mode"], row["n"] = mode, n
    print("goodput: %-6s %6.1f  %6.1f/s  admitted p50 %7.1f  p99 %7.1f ms  %s  no Retry-After %d  %s  service %.2f, client %.2f cores"
          % (mode, n, row["goodput_per_s"], row["admitted_p50_ms"], row["admitted_p99_ms"], row["status"],
             row["refusals_without_retry_after"], row["failures"] or "", row["service_cores"], row["client_cores"]),
          flush=True)
    return row


def sweep(server, url, bodies, seconds, clients):
    """The three parts on a running service; returns {"closed": [...], "open": [...], "polite": row, ...}."""
    load(url, bodies, "closed", 2, 10)   # JIT warm-up of both sides
    closed = [point(server, url, bodies, "closed", c, seconds) for c in clients]
    capacity = max(r["goodput_per_s"] for r in closed)
    opened = [point(server, url, bodies, "open", round(k * capacity, 1), seconds) for k in (2, 3)]
    polite = point(server, url, bodies, "polite", max(clients), seconds)
    return {"capacity_per_s": capacity, "closed": closed, "open": opened, "polite": polite}


def run_jar(jar, label, seconds, clients, bodies, properties=(), models=None):
    log = os.path.join(common.OUT, "goodput-%s.log" % label)
    server = service.start(jar, PORT, log, extra=["--logging.level.root=WARN"] + ["--" + p for p in properties],
                           name="goodput", env={"FACEOFF_MODELS_DIR": models} if models else None)
    try:
        return sweep(server, "http://127.0.0.1:%d/v1/verify" % PORT, bodies, seconds, clients)
    finally:
        server.stop()


def table(results):
    """Markdown: one row per load, one column group per build."""
    labels = list(results)
    head = "| load |" + "".join(" %s: goodput/s (× peak) | admitted p50 / p99 ms | 200 / 503 | service cores |" % l
                               for l in labels)
    lines = [head, "|---|" + "---|---|---|---|" * len(labels)]
    rows = [("closed", i) for i in range(len(results[labels[0]]["closed"]))] + [("open", 0), ("open", 1), ("polite", None)]
    for kind, i in rows:
        first = results[labels[0]][kind] if i is None else results[labels[0]][kind][i]
        name = {"closed": "%d clients, closed loop", "open": "%.1f/s open loop", "polite": "%d polite clients"}[kind] % (
            first["n"] if kind != "open" else first["n"])
        if kind == "open":
            name += " (%.0f× capacity)" % (first["n"] / results[labels[0]]["capacity_per_s"])
        cells = ""
        for l in labels:
            r = results[l][kind] if i is None else results[l][kind][i]
            peak = results[l]["capacity_per_s"]
            cells += " %.1f (%.2f) | %.0f / %.0f | %d / %d%s | %.2f |" % (
                r["goodput_per_s"], r["goodput_per_s"] / peak, r["admitted_p50_ms"], r["admitted_p99_ms"],
                r["status"].get("200", 0), r["status"].get("503", 0),
                "".join(", %d × %s" % (v, k) for k, v in r["status"].items() if k not in ("200", "503"))
                + "".join(", %d × %s" % (v, k) for k, v in r["failures"].items())
                + (", %d without Retry-After" % r["refusals_without_retry_after"] if r["refusals_without_retry_after"] else ""),
                r["service_cores"])
        lines.append("| %s |%s" % (name, cells))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jar", default=os.path.join(ROOT, "target", "faceoff.jar"))
    parser.add_argument("--baseline-jar")
    parser.add_argument("--baseline-models", help="the baseline's model store (default: the repository's)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", default="1,2,4,16,32,64")
    parser.add_argument("--label", default="default")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--property", action="append", default=[], help="KEY=VALUE for this build's service")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    os.makedirs(common.OUT, exist_ok=True)
    if not args.skip_build:
        common.build()
    bodies = os.path.join(common.OUT, "sets", "small", "bodies.txt")
    if not os.path.isfile(bodies):
        common.java_bench("sets", os.path.join(common.OUT, "sets"), common.PAIRS, "32")
    results = {}
    if args.baseline_jar:
        print("goodput: baseline %s" % args.baseline_jar, flush=True)
        results["baseline"] = run_jar(args.baseline_jar, "baseline", args.seconds, clients, bodies,
                                      models=args.baseline_models)
    print("goodput: %s" % args.jar, flush=True)
    results["this build"] = run_jar(args.jar, args.label, args.seconds, clients, bodies, args.property)
    out = {"machine": common.machine(), "command": "bench/goodput.py " + " ".join(sys.argv[1:]), "results": results}
    with open(os.path.join(common.OUT, "goodput-%s.json" % args.label), "w") as f:
        json.dump(out, f, indent=1)
    print(table(results))


if __name__ == "__main__":
    main()
