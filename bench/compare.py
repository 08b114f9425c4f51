#!/usr/bin/python3
"""One-to-many against N one-to-one calls, on the real service.

Starts faceoff (the jar, its own configuration, CPU, the pod's JVM: bench/lib.sh) on loopback, then for ROUNDS rounds, alternating the order
within each round: one POST /v1/compare of a probe against N candidates, and the same N pairs as N
sequential POST /v1/verify calls. Every image is an LFW photo (250x250 JPEG); the probe is
Aaron_Peirsol_0001, the candidates are Aaron_Peirsol_0002 and N-1 other people. Prints the median wall time
of each, their ratio (target: compare <= 0.6 x the N calls) and checks both give the same similarities.

Usage: bench/compare.py [N] [ROUNDS] [JAR]     (defaults 8, 30, target/faceoff.jar; LFW from $FACEOFF_SHARED,
default ../shared)
Do not run it while training or another benchmark runs on the machine.
"""
import base64
import http.client
import json
import os
import statistics
import sys
import time

import service  # bench/service.py

ROOT = service.ROOT
LFW = os.path.join(service.SHARED, "datasets", "lfw", "lfw-deepfunneled")
PORT = int(os.environ.get("PORT", "18081"))
OTHERS = ["Abel_Pacheco", "Akhmed_Zakayev", "Amber_Tamblyn", "Bill_Gates", "Colin_Powell", "George_W_Bush",
          "Hugo_Chavez", "Jennifer_Aniston", "John_Kerry", "Laura_Bush", "Serena_Williams", "Tony_Blair",
          "Vladimir_Putin", "Gloria_Macapagal_Arroyo", "Ariel_Sharon"]


def photo(name, number):
    path = os.path.join(LFW, name, "%s_%04d.jpg" % (name, number))
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def post(path, body):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    data = json.dumps(body)
    started = time.perf_counter()
    connection.request("POST", path, data, {"Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        sys.exit("compare: %s answered %d: %s" % (path, response.status, payload[:300]))
    return elapsed, json.loads(payload)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    jar = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "target", "faceoff.jar")
    if not os.path.isdir(LFW):
        sys.exit("compare: LFW not found at " + LFW)
    if n < 1 or n > len(OTHERS) + 1:
        sys.exit("compare: N must be 1..%d" % (len(OTHERS) + 1))
    probe = photo("Aaron_Peirsol", 1)
    candidates = [photo("Aaron_Peirsol", 2)] + [photo(name, 1) for name in OTHERS[:n - 1]]
    server = service.start(jar, PORT, os.path.join(ROOT, "target", "compare-server.log"), name="compare")
    try:
        one_to_one, one_to_many = [], []

        def singles():
            total, sims = 0.0, []
            for c in candidates:
                t, r = post("/v1/verify", {"image1": probe, "image2": c})
                total += t
                sims.append(r["similarity"])
            return total, sims

        def batch():
            t, r = post("/v1/compare", {"probe": probe, "candidates": candidates})
            return t, [c["similarity"] for c in r["candidates"]], r["best_match"]

        for _ in range(3):   # warm-up
            singles()
            batch()
        for i in range(rounds):
            if i % 2 == 0:
                s, sims = singles()
                b, bsims, best = batch()
            else:
                b, bsims, best = batch()
                s, sims = singles()
            one_to_one.append(s)
            one_to_many.append(b)
            worst = max(abs(x - y) for x, y in zip(sims, bsims))
            if worst > 1e-4 or best != 0:
                sys.exit("compare: answers differ (max |similarity difference| %.6f, best match %s)" % (worst, best))
        s, b = statistics.median(one_to_one), statistics.median(one_to_many)
        print("compare: %d candidates, %d rounds, one client, LFW 250x250 photos, same similarities (|diff| <= 1e-4)" % (n, rounds))
        print("compare: %d x POST /v1/verify: median %.1f ms (%.1f ms per pair)" % (n, s * 1000, s * 1000 / n))
        print("compare: 1 x POST /v1/compare:  median %.1f ms" % (b * 1000))
        print("compare: ratio compare / %d verify calls = %.2f (target <= 0.60)" % (n, b / s))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
