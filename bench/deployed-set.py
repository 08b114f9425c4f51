#!/usr/bin/env python3
"""Start-up and memory of the deployed model set against the whole store.

    bench/deployed-set.py [--jar target/faceoff.jar] [--runs 5]

Starts the jar with the deployment configuration (k8s/base/config/application.yaml, which docker compose
mounts too: its experiment, shadow and faceoff.models.include), then the same with every embedding model
loaded (include emptied), alternating, with the pod's JVM (bench/lib.sh), CPU provider. Reports per set the
embedding models loaded, the median seconds from launch to readiness and the resident memory at ready
(VmRSS). Do not run it while training or another benchmark runs.
"""
import argparse
import json
import os
import statistics
import urllib.request

import service  # bench/service.py

CONFIG = os.path.join(service.ROOT, "k8s", "base", "config", "application.yaml")


def embedding_models(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/v1/models" % port, timeout=10) as r:
        models = json.loads(r.read())
    models = models.get("models", models) if isinstance(models, dict) else models
    return sorted(m["name"] for m in models if m.get("task") == "embedding")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--jar", default=os.path.join(service.ROOT, "target", "faceoff.jar"))
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--port", type=int, default=18093)
    args = p.parse_args()
    sets = {"deployed": [], "all": ["--faceoff.models.include=", "--faceoff.models.exclude="]}
    results = {name: {"ready": [], "rss": [], "models": None} for name in sets}
    for run in range(args.runs):
        for name, extra in sets.items():
            s = service.start(args.jar, args.port, "/tmp/deployed-set-%s.log" % name,
                              extra=["--spring.config.additional-location=file:" + CONFIG, *extra],
                              name="deployed-set")
            try:
                results[name]["ready"].append(s.ready_s)
                results[name]["rss"].append(s.memory()[0])
                results[name]["models"] = embedding_models(args.port)
            finally:
                s.stop()
            print("run %d %s: ready %.2f s, RSS %.0f MiB, %d embedding models" % (
                run + 1, name, s.ready_s, results[name]["rss"][-1], len(results[name]["models"])), flush=True)
    print("\n| set | embedding models | ready (median of %d) | RSS at ready (median) |" % args.runs)
    print("|---|---|---|---|")
    for name, r in results.items():
        print("| %s | %d (%s) | %.2f s | %.0f MiB |" % (name, len(r["models"]), ", ".join(r["models"]) if name == "deployed"
                                                   else "every one in the store", statistics.median(r["ready"]),
                                                   statistics.median(r["rss"])))


if __name__ == "__main__":
    main()
