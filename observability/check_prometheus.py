#!/usr/bin/python3
"""The two halves of observability/check-prometheus.sh, which starts both servers on loopback.

`configure` writes this run's configurations: faceoff's (the deployment configuration) and Prometheus' (the
repository's scrape config with this run's targets, 1 s intervals and absolute rule paths).
`run` drives real verify and gallery traffic (enrol, identify) at the running faceoff, then sends every PromQL expression of the Grafana dashboard
and of the rule files to the running Prometheus that scrapes it, and fails on any error or on an empty result that
is not allowed below. It prints one line per check and, last, `prometheus-check: N passed, M failed`; exits 1 when
M > 0.
"""
import argparse
import json
import math
import os
import random
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib

import yaml

# Grafana's variables, replaced before a query goes to Prometheus. Every dashboard variable is used with =~, so
# ".*" stands for "All"; the time variables get windows that cover this run's traffic.
SUBSTITUTIONS = {
    "__rate_interval": "2m",
    "__interval": "15s",
    "__range": "15m",
}
ALL = ".*"

# Expressions that may return no data in this run, each with the reason. Everything else must return at least one
# series with a number (not NaN). Ids: "alert:<name>", "record:<name>", "panel:<title>/<refId>", "variable:<name>".
MAY_BE_EMPTY = {
    # alert conditions that must not hold on a healthy service (the alert states are checked separately below)
    "alert:FaceoffHighErrorRatio": "no 5xx in a healthy run",
    "alert:FaceoffModelOnCpuDespiteCuda": "this run requests the CPU provider",
    "alert:FaceoffModelLoadFailed": "every model loads",
    "alert:FaceoffDown": "the target is up",
    "alert:FaceoffAbsent": "the target exists",
    "alert:FaceoffNoEmbeddingModel": "embedding models are loaded",
    "alert:FaceoffShadowDrops": "sequential traffic never fills the shadow queue",
    "alert:FaceoffOverloaded": "sequential traffic is always admitted",
    "alert:FaceoffGalleryStoreUnavailable": "the gallery's store answers",
    "alert:FaceoffReplicaOutOfLoadBalancer": "no load balancer in this run (bench/fleet.sh has one)",
    "panel:Refusals per second by reason/A": "sequential traffic is always admitted: nothing is refused",
    # latency burn: may or may not hold on a shared CPU-only machine; the recording rules themselves must have data
    "alert:FaceoffLatencySLOFastBurn": "depends on this machine's speed",
    "alert:FaceoffLatencySLOSlowBurn": "depends on this machine's speed",
    # shadow drops: sequential traffic never fills the shadow queue, so no drop is ever counted
    "record:faceoff:shadow_dropped:ratio_rate10m": "no shadow comparison is dropped",
    "panel:Shadow comparisons dropped/A": "no shadow comparison is dropped",
    # cAdvisor's metric: exists only where the kubelet is scraped (Kubernetes)
    "panel:Process memory/B": "container metrics exist only on Kubernetes",
}
# Only while this run's configuration has no shadow model (the model store holds a single embedding model).
SHADOW_IDS = {"panel:Shadow agreement/A"}
# Only while the service has no /v1/feedback endpoint (detected from its OpenAPI document).
FEEDBACK_IDS = {
    "panel:Feedback FAR / FRR by variant (dashboard time range)/FAR",
    "panel:Feedback FAR / FRR by variant (dashboard time range)/FRR",
    "panel:Feedback FAR / FRR by variant (dashboard time range)/N",
    "panel:Feedback per second by outcome/A",
}
# Alerts that must be inactive at the end of the run (the latency burn alerts depend on the machine).
MUST_BE_INACTIVE = {name.split(":", 1)[1] for name in MAY_BE_EMPTY
                    if name.startswith("alert:") and "Latency" not in name}


def http(url, data=None, headers=None, timeout=30, method=None):
    """Returns (status, body bytes); HTTP errors are answers too."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def multipart(fields):
    """fields: (name, filename or None, bytes). Returns (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, filename, content in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        kind = "application/octet-stream" if filename else "text/plain"
        parts.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {kind}\r\n\r\n".encode()
                     + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def gray_png(size=160):
    """A valid image with no face in it."""
    raw = b"".join(b"\x00" + bytes([128]) * size for _ in range(size))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def lfw_pairs(lfw, same, different):
    """The first `same` matched and `different` mismatched pairs of LFW's pairs.txt, as image paths, alternating."""
    def image(name, number):
        return os.path.join(lfw, "lfw-deepfunneled", name, f"{name}_{int(number):04d}.jpg")

    matched, mismatched = [], []
    with open(os.path.join(lfw, "pairs.txt")) as pairs:
        next(pairs)
        for line in pairs:
            cols = line.split()
            if len(cols) == 3 and len(matched) < same:
                matched.append((image(cols[0], cols[1]), image(cols[0], cols[2]), True))
            elif len(cols) == 4 and len(mismatched) < different:
                mismatched.append((image(cols[0], cols[1]), image(cols[2], cols[3]), False))
    interleaved = [pair for both in zip(matched, mismatched) for pair in both]
    return interleaved + matched[len(mismatched):] + mismatched[len(matched):]


def drive_traffic(faceoff, lfw, pairs):
    """Verify requests on real LFW pairs (through the default experiment and with an explicit model), bad inputs for
    the error codes, and feedback on every answered verification. Returns whether /v1/feedback exists."""
    status, body = http(faceoff + "/v3/api-docs")
    has_feedback = status == 200 and "/v1/feedback" in json.loads(body).get("paths", {})
    status, body = http(faceoff + "/v1/models")
    models = json.loads(body) if status == 200 else []
    if isinstance(models, dict):
        models = models.get("models", [])
    print(f"faceoff: /v1/models -> {status}; /v1/feedback {'present' if has_feedback else 'absent'}")

    counts = {}
    answered = []
    sent = 0

    def feedback(answer, same):
        # right after each verification, so the feedback counters grow across scrapes like real traffic (a counter
        # that appears with its final value between two scrapes shows no increase)
        nonlocal sent
        if has_feedback and "verification_id" in answer:
            status, _ = http(faceoff + "/v1/feedback",
                             json.dumps({"verification_id": answer["verification_id"], "same": same}).encode(),
                             {"Content-Type": "application/json"})
            counts[f"feedback {status}"] = counts.get(f"feedback {status}", 0) + 1
            sent += 1

    rng = random.Random(7)
    for i, (first, second, same) in enumerate(lfw_pairs(lfw, pairs // 2, pairs - pairs // 2)):
        with open(first, "rb") as a, open(second, "rb") as b:
            fields = [("image1", os.path.basename(first), a.read()), ("image2", os.path.basename(second), b.read())]
        body, kind = multipart(fields)
        status, answer = http(faceoff + "/v1/verify", body,
                              {"Content-Type": kind, "X-Subject-Id": f"subject-{rng.randrange(10**6)}"})
        counts[status] = counts.get(status, 0) + 1
        if status == 200:
            answered.append((json.loads(answer), same))
            feedback(*answered[-1])

    # an explicit model bypasses the experiment's assignment
    explicit = next((m.get("name") for m in models if isinstance(m, dict) and m.get("task") == "embedding"), None)
    if explicit:
        first, second, _ = lfw_pairs(lfw, 1, 0)[0]
        with open(first, "rb") as a, open(second, "rb") as b:
            body, kind = multipart([("image1", "a.jpg", a.read()), ("image2", "b.jpg", b.read()),
                                    ("model", None, explicit.encode())])
        for _ in range(3):
            status, _ = http(faceoff + "/v1/verify", body, {"Content-Type": kind})
            counts[status] = counts.get(status, 0) + 1

    with open(lfw_pairs(lfw, 1, 0)[0][0], "rb") as a:
        face = a.read()
    bad_inputs = {
        "not an image": [("image1", "x.jpg", b"this is not an image" * 20), ("image2", "y.jpg", face)],
        "no face": [("image1", "gray.png", gray_png()), ("image2", "y.jpg", face)],
        "missing image2": [("image1", "x.jpg", face)],
        "unknown model": [("image1", "x.jpg", face), ("image2", "y.jpg", face), ("model", None, b"no-such-model")],
    }
    for what, fields in bad_inputs.items():
        body, kind = multipart(fields)
        for _ in range(2):
            status, answer = http(faceoff + "/v1/verify", body, {"Content-Type": kind})
            counts[status] = counts.get(status, 0) + 1
        print(f"faceoff: bad input '{what}' -> {status} {answer[:120].decode(errors='replace')}")

    matches = sum(1 for answer, _ in answered if answer.get("match"))
    print(f"faceoff: {len(answered)} verifications answered ({matches} matches), {sent} feedback sent; "
          f"status counts {counts}")
    if not answered:
        raise SystemExit("prometheus-check: no verification succeeded; see the faceoff log")
    return has_feedback


def drive_gallery(faceoff, lfw, people=4):
    """The gallery's traffic: a subject per person of LFW's first matched pairs, one photo enrolled, the other
    photo identified (a match) and a mismatched pair's photo of someone not enrolled (no match), with the default
    model (the experiment's variants may lack an impostor tail). A first enrolment and identification, then a pause,
    so their counters exist before the rest is counted (rate() needs an increase across scrapes)."""
    status, body = http(faceoff + "/v1/models")
    model = json.loads(body).get("default_embedding") if status == 200 else None
    matched = lfw_pairs(lfw, people, 0)
    strangers = [pair[1] for pair in lfw_pairs(lfw, 0, people)]
    enrolled = {os.path.basename(first).rsplit("_", 1)[0] for first, _, _ in matched}
    strangers = [s for s in strangers if os.path.basename(s).rsplit("_", 1)[0] not in enrolled]
    counts = {}

    def post(path, image, fields=()):
        with open(image, "rb") as f:
            body, kind = multipart([("image", os.path.basename(image), f.read()), *fields])
        status, answer = http(faceoff + path, body, {"Content-Type": kind})
        counts[f"{path.split('/')[-1]} {status}"] = counts.get(f"{path.split('/')[-1]} {status}", 0) + 1
        return status, json.loads(answer)

    matches = 0
    for i, (first, second, _) in enumerate(matched):
        subject = "lfw-" + os.path.basename(first).rsplit("_", 1)[0]
        status, _ = http(faceoff + "/v1/subjects/" + subject, b"{}", {"Content-Type": "application/json"}, method="PUT")
        counts[f"put {status}"] = counts.get(f"put {status}", 0) + 1
        post(f"/v1/subjects/{subject}/faces", first)
        extra = [("model", None, model.encode())] if model else []
        status, answer = post("/v1/identify", second, extra)
        matches += status == 200 and answer.get("subject_id") == subject
        if i < len(strangers):
            post("/v1/identify", strangers[i], extra)
        if i == 0:
            time.sleep(2)
    print(f"faceoff: gallery: {len(matched)} photos enrolled, {matches} of their people's other photos identified "
          f"as them ({model}); "
          f"status counts {counts}")
    if not matches:
        raise SystemExit("prometheus-check: no identification matched; see the faceoff log")


def substitute(expr):
    def replace(match):
        return SUBSTITUTIONS.get(match.group(1), ALL)
    return re.sub(r"\$\{?(\w+)\}?", replace, expr)


def dashboard_expressions(path):
    with open(path) as f:
        dashboard = json.load(f)
    found = []
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            selector = re.fullmatch(r"label_values\((.*),\s*\w+\)", query.strip(), re.S)
            found.append((f"variable:{variable['name']}", selector.group(1) if selector else query))
    panels = list(dashboard.get("panels", []))
    while panels:
        panel = panels.pop(0)
        panels.extend(panel.get("panels", []))
        for target in panel.get("targets", []):
            found.append((f"panel:{panel['title']}/{target['refId']}", target["expr"]))
    return found


def rule_expressions(paths):
    found = []
    for path in paths:
        with open(path) as f:
            for group in yaml.safe_load(f)["groups"]:
                for rule in group["rules"]:
                    kind = "record" if "record" in rule else "alert"
                    found.append((f"{kind}:{rule[kind]}", rule["expr"]))
    return found


def query(prometheus, expr):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, body = http(url)
    answer = json.loads(body)
    if status != 200 or answer.get("status") != "success":
        return None, answer.get("error", f"HTTP {status}")
    return answer["data"]["result"], None


def numbers(result):
    values = []
    for series in result if isinstance(result, list) else []:
        values.append(float(series["value"][1]))
    return [v for v in values if not math.isnan(v)]


def embedding_models(store):
    """Names of the embedding models in the model store, sorted."""
    names = []
    for name in sorted(os.listdir(store)):
        manifest = os.path.join(store, name, "model.json")
        if os.path.isfile(manifest):
            with open(manifest) as f:
                if json.load(f).get("task") == "embedding":
                    names.append(name)
    return names


def configure(args):
    """Writes faceoff's and Prometheus' configuration for this run."""
    with open(args.deployment_config) as f:
        config = yaml.safe_load(f)
    available = embedding_models(args.models)
    experiments = config.get("faceoff", {}).get("experiments", {})
    named = {spec["model"] for d in experiments.get("definitions", {}).values() for spec in d["variants"].values()}
    named |= {m for d in experiments.get("definitions", {}).values() for m in d.get("shadow", [])}
    missing = sorted(named - set(available))
    if missing:
        # faceoff refuses to start when an experiment names a model the store lacks: until the trained models are
        # in the store, run the same shape of experiment over the embedding models that are there.
        variants = available[:2] if len(available) >= 3 else available[:1]
        shadow = [m for m in available if m not in variants][:1]
        name = experiments.get("default-experiment") or "check"
        sticky = experiments.get("definitions", {}).get(name, {}).get("sticky-key", "header:X-Subject-Id")
        experiments["default-experiment"] = name
        experiments["definitions"] = {name: {
            "active": True, "sticky-key": sticky,
            "variants": {f"v{i + 1}": {"model": m, "weight": 50} for i, m in enumerate(variants)},
            "shadow": shadow}}
        print(f"check-prometheus: the store lacks {missing}, named by {args.deployment_config}; "
              f"this run's experiment '{name}': variants {variants}, shadow {shadow}")
    with open(args.faceoff_out, "w") as f:
        yaml.safe_dump(config, f)

    with open(args.prometheus_config) as f:
        prometheus = yaml.safe_load(f)
    prometheus["global"].update(scrape_interval="1s", evaluation_interval="1s")
    here = os.path.dirname(os.path.abspath(args.prometheus_config))
    prometheus["rule_files"] = [os.path.join(here, pattern) for pattern in prometheus["rule_files"]]
    for job in prometheus["scrape_configs"]:
        target = args.faceoff_target if job["job_name"] == "faceoff" else args.prometheus_target
        job["static_configs"] = [{"targets": [target]}]
    with open(args.prometheus_out, "w") as f:
        yaml.safe_dump(prometheus, f)
    return 0


def has_shadow(faceoff_config):
    with open(faceoff_config) as f:
        config = yaml.safe_load(f)
    definitions = config.get("faceoff", {}).get("experiments", {}).get("definitions", {})
    return any(d.get("shadow") for d in definitions.values())


def wait_for_first_scrape(prometheus, timeout=60):
    """Waits until Prometheus has scraped every target once: traffic sent before that first scrape shows up only as
    series that start at their final values, with no increase for rate() to see (a fast pipeline answers all of
    this run's verifications within a few seconds)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            result, error = query(prometheus, "count(up == 1) == count(up)")
            if not error and numbers(result):
                print("prometheus: every target scraped once")
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.5)
    print(f"prometheus: not every target scraped within {timeout} s; going on")


def run(args):
    wait_for_first_scrape(args.prometheus)
    time.sleep(2)   # at least one more scrape of the empty state, so the first requests are an increase too
    has_feedback = drive_traffic(args.faceoff, args.lfw, args.pairs)
    drive_gallery(args.faceoff, args.lfw)
    may_be_empty = dict(MAY_BE_EMPTY)
    if not has_feedback:
        may_be_empty.update({id_: "/v1/feedback does not exist yet" for id_ in FEEDBACK_IDS})
    if not has_shadow(args.faceoff_config):
        may_be_empty.update({id_: "no shadow model in this run (one embedding model in the store)" for id_ in SHADOW_IDS})
    time.sleep(args.settle)

    passed, failed = 0, 0

    def report(ok, what, detail):
        nonlocal passed, failed
        passed, failed = passed + ok, failed + (not ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}: {detail}")

    expressions = dashboard_expressions(args.dashboard) + rule_expressions(args.rules)
    known = {id_ for id_, _ in expressions}
    for id_ in sorted(set(may_be_empty) - known):
        report(False, id_, "allow-listed but no such expression (stale allow-list entry)")
    for id_, expr in expressions:
        result, error = query(args.prometheus, substitute(expr))
        if error:
            report(False, id_, f"error: {error}")
        elif numbers(result):
            report(True, id_, f"{len(result)} series")
        elif id_ in may_be_empty:
            report(True, id_, f"no data, allowed: {may_be_empty[id_]}")
        else:
            report(False, id_, "no data" if not result else "only NaN")

    status, body = http(args.prometheus + "/api/v1/rules")
    rules = [rule for group in json.loads(body)["data"]["groups"] for rule in group["rules"]]
    broken = [f"{rule['name']}: {rule.get('lastError')}" for rule in rules if rule.get("health") != "ok"]
    report(not broken and bool(rules), "rules health", broken or f"{len(rules)} rules evaluated without error")

    status, body = http(args.prometheus + "/api/v1/alerts")
    active = {alert["labels"]["alertname"]: alert["state"] for alert in json.loads(body)["data"]["alerts"]}
    unexpected = {name: state for name, state in active.items() if name in MUST_BE_INACTIVE}
    report(not unexpected, "alerts", unexpected or f"none of {sorted(MUST_BE_INACTIVE)} active; active: {active}")

    print(f"prometheus-check: {passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("configure")
    c.add_argument("--deployment-config", required=True)
    c.add_argument("--models", required=True)
    c.add_argument("--faceoff-out", required=True)
    c.add_argument("--prometheus-config", required=True)
    c.add_argument("--prometheus-out", required=True)
    c.add_argument("--faceoff-target", required=True)
    c.add_argument("--prometheus-target", required=True)
    r = commands.add_parser("run")
    r.add_argument("--faceoff", required=True)
    r.add_argument("--faceoff-config", required=True)
    r.add_argument("--prometheus", required=True)
    r.add_argument("--lfw", required=True)
    r.add_argument("--dashboard", required=True)
    r.add_argument("--rules", nargs="+", required=True)
    r.add_argument("--pairs", type=int, default=60)
    r.add_argument("--settle", type=float, default=5.0, help="seconds to wait for scrapes and rule evaluations")
    args = parser.parse_args()
    return configure(args) if args.command == "configure" else run(args)


if __name__ == "__main__":
    sys.exit(main())
