#!/usr/bin/env python3
"""The fleet's verdicts (bench/fleet.sh): reads bench/FleetLoad.java's answer log of one scenario, prints its
table row and asserts the scenario's expected result; exit 1 when one fails.

  fleet.py row NAME LOG.jsonl --faces FACES.txt --before REPORT.json --after REPORT.json
               [--killed-at MS] [--down-at MS --up-at MS] [--verify-always]
  fleet.py consistency URL_A URL_B URL_C --lfw DIR --admin-key KEY --logs LOG.jsonl...
                                               the consistency scenario, through the replicas themselves
  fleet.py capacity LOG.jsonl SECONDS          answers per second of a closed-loop run
  fleet.py observability --prometheus URL --replicas URL URL URL --dashboard faceoff.json --log LOG.jsonl
                                               the dashboard's counting panels, on the Prometheus that scrapes the
                                               three replicas, against each replica's own /actuator/prometheus and
                                               against the load's answers

A request is one client call: its last attempt decides it. 200/201/204/404 of a feedback are answered; a 503
with Retry-After is refused; anything else (no answer, 5xx, a 503 without Retry-After) failed.
"""
import argparse
import base64
import collections
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

OUTCOMES = ("true_accept", "false_accept", "true_reject", "false_reject")


def load(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def last_attempts(rows):
    """One row per call: its last attempt (a retry, attempt 2, replaces the first)."""
    last = {}
    for r in rows:
        if "call" in r and r["attempt"] >= last.get(r["call"], {"attempt": 0})["attempt"]:
            last[r["call"]] = r
    return list(last.values())


def ok(r):
    return r.get("status") in (200, 201, 204) or (r["op"].startswith("feedback") and r.get("status") == 404)


def refused(r):
    return r.get("status") == 503 and r.get("retry_after")


def report_counts(report):
    counts = {}
    for v in report["variants"]:
        fb = v["feedback"]
        counts[v["name"]] = [fb[o + "s"] for o in OUTCOMES]
    return counts


def row(args):
    rows = load(args.log)
    calls = [r for r in last_attempts(rows) if r["op"] != "feedback_abandoned"]
    firsts = [r for r in rows if r.get("attempt") == 1]
    problems = []
    answered = sum(ok(r) for r in calls)
    refusals = sum(refused(r) for r in calls)
    failed = [r for r in calls if not ok(r) and not refused(r)]
    expected_failures = []
    if args.down_at:
        # the database away: gallery calls may answer 503 store_unavailable (with Retry-After: refused) until 5 s
        # after it is back; after that, every call must succeed
        for r in calls:
            gallery = r["op"] in ("identify", "enrol_subject", "enrol_face")
            if gallery and r.get("status") == 503 and r.get("code") != "store_unavailable":
                problems.append(f"gallery call answered 503 {r.get('code')} (not store_unavailable)")
            if gallery and not ok(r) and r["sent_ms"] > args.up_at + 5000:
                problems.append(f"{r['op']} sent {(r['sent_ms'] - args.up_at) / 1000:.1f} s after the database was "
                                f"back answered {r.get('status')} {r.get('code')}")
        down = [r for r in calls if r["op"] in ("identify", "enrol_face") and args.down_at < r["sent_ms"] < args.up_at]
        if down and not any(r.get("code") == "store_unavailable" for r in down):
            problems.append("no gallery call answered 503 store_unavailable while the database was away")
        back = [r["done_ms"] for r in calls if r["op"] in ("identify", "enrol_face") and ok(r) and r["sent_ms"] > args.up_at]
        if back:
            print(f"fleet: first gallery success {(min(back) - args.up_at) / 1000:.1f} s after the database was back",
                  file=sys.stderr)
    if args.redis_down_at:
        for r in calls:
            if r["op"].startswith("feedback") and r.get("status") == 503 and r.get("code") != "store_unavailable":
                problems.append(f"feedback answered 503 {r.get('code')} (not store_unavailable)")
        away = [r for r in calls if r["op"] == "feedback" and args.redis_down_at < r["sent_ms"] < args.redis_up_at]
        if away and not any(r.get("code") == "store_unavailable" for r in away):
            problems.append("no feedback answered 503 store_unavailable while Redis was away")
    if args.verify_always:
        # verification needs neither store: it never fails and is never refused for a store (a refusal of admission
        # control, 503 overloaded with Retry-After, is the 2 shared cores' answer to the load, counted as refused)
        verifies = [r for r in calls if r["op"] == "verify"]
        bad = [r for r in verifies if r.get("status") != 200 and not (refused(r) and r.get("code") == "overloaded")]
        if bad:
            problems.append(f"{len(bad)} verifications failed or refused for a store, e.g. {bad[0]}")
        print(f"fleet: {args.name}: {len(verifies)} verifications, {sum(r.get('status') == 200 for r in verifies)} "
              f"answered 200, {sum(r.get('status') == 503 for r in verifies)} refused 503 overloaded", file=sys.stderr)
    if args.killed_at:
        # only calls in flight on the killed replica may fail, and only their first attempt
        late = [r for r in firsts if not ok(r) and not refused(r) and r["sent_ms"] > args.killed_at]
        if late:
            problems.append(f"{len(late)} calls sent after the kill failed, e.g. {late[0]}")
        expected_failures = [r for r in failed if r["op"] == "enrol_face"]
        # (feedback is sent again after the window until it is answered: checked below with every scenario)
        lost_idempotent = [r for r in failed if r["op"] in ("verify", "identify", "enrol_subject")]
        if lost_idempotent:
            problems.append(f"{len(lost_idempotent)} idempotent calls failed after one retry, e.g. {lost_idempotent[0]}")
        print(f"fleet: {sum(1 for r in firsts if not ok(r) and not refused(r))} first attempts failed (in flight on the "
              f"killed replica), {len(expected_failures)} enrolments unanswered (checked in the database)", file=sys.stderr)
    elif failed:   # every other scenario: no call fails (refusals, 503 with Retry-After, are answers)
        problems.append(f"{len(failed)} failed, e.g. {failed[0]}")

    abandoned = [r for r in rows if r["op"] == "feedback_abandoned"]
    if abandoned:
        problems.append(f"{len(abandoned)} feedback never answered 200 or 404, even sent again")
    # lost writes: acknowledged faces missing from the database; acknowledged feedback missing from the report
    in_db = {line.split()[0]: line.split()[1] for line in open(args.faces) if line.strip()}
    acked = [r for r in calls if r["op"] == "enrol_face" and r.get("status") == 201]
    lost_faces = [r for r in acked if str(r.get("face_id")) not in in_db]
    expected = collections.defaultdict(lambda: [0, 0, 0, 0])
    for r in calls:
        if r["op"].startswith("feedback") and r.get("status") == 200:
            expected[r["variant"]][OUTCOMES.index(r["outcome"])] += 1
    before, after = report_counts(json.load(open(args.before))), report_counts(json.load(open(args.after)))
    lost_feedback = 0
    for variant in set(expected) | set(after):
        delta = [a - b for a, b in zip(after.get(variant, [0] * 4), before.get(variant, [0] * 4))]
        want = expected.get(variant, [0] * 4)
        if delta != want:
            problems.append(f"variant {variant}: the report counted {delta} (TA, FA, TR, FR), the clients {want}")
            lost_feedback += sum(max(0, w - d) for w, d in zip(want, delta))
    if lost_faces:
        problems.append(f"{len(lost_faces)} acknowledged enrolments missing from the database, e.g. {lost_faces[0]}")
    if args.half_enrolled:
        problems.append(f"{args.half_enrolled} faces half-enrolled (fewer templates than gallery models)")
    duration = (max(r["done_ms"] for r in rows) - min(r["sent_ms"] for r in rows)) / 1000 if rows else 0
    labelled = sum(sum(v) for v in expected.values())
    print(f"| {args.name} | {len(calls)} | {answered} | {refusals} | {len(failed)} | "
          f"{len(lost_faces) + lost_feedback} | {duration:.0f} s |")
    print(f"fleet: {args.name}: {len(acked)} enrolments acknowledged, all in the database: {not lost_faces}; "
          f"{labelled} feedback acknowledged, the report's counts equal: {lost_feedback == 0}", file=sys.stderr)
    for p in problems:
        print(f"fleet: FAILED {args.name}: {p}", file=sys.stderr)
    return 1 if problems else 0


def http(method, url, body=None, headers=None):
    """One call: (status, parsed JSON or None); the call's outcome is counted in CALLS."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    CALLS[status] += 1
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


CALLS = collections.Counter()


def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()


def consistency(args):
    a, b, c = args.replicas
    problems = []
    start = time.time()
    person = os.path.join(args.lfw, "Tony_Blair")   # not among FleetLoad's persons (the first 24 of LFW)
    subject = f"fleet-consistency-{int(start)}"
    # 1. enrolled through A, identified through B on the very next request
    http("PUT", f"{a}/v1/subjects/{subject}", {"metadata": {}})
    status, face = http("POST", f"{a}/v1/subjects/{subject}/faces", {"image": b64(f"{person}/Tony_Blair_0001.jpg")})
    if status != 201:
        problems.append(f"enrolment through A answered {status} {face}")
    # the enrolled photo itself: what is checked is that B sees the face at once, not the model's accuracy
    status, found = http("POST", f"{b}/v1/identify", {"image": b64(f"{person}/Tony_Blair_0001.jpg")})
    if status != 200 or not found.get("match") or found.get("subject_id") != subject:
        problems.append(f"identification through B right after the enrolment through A: {status} {found}")
    # 2. a weight change through A, in effect on B within 1 s
    admin = {"X-Admin-Key": args.admin_key}
    status, before = http("GET", f"{a}/v1/experiments/losses")
    names = sorted(before["weights"])
    changed = {names[0]: 80, names[1]: 20}
    status, _ = http("PUT", f"{a}/v1/experiments/losses/weights", {"weights": changed}, admin)
    t0 = time.time()
    seen = None
    while time.time() - t0 < 5:
        _, report = http("GET", f"{b}/v1/experiments/losses")
        if report["weights"][names[0]] == 80:
            seen = time.time() - t0
            break
        time.sleep(0.05)
    print(f"fleet: consistency: weight change through A seen on B after "
          f"{'never' if seen is None else f'{seen * 1000:.0f} ms'}", file=sys.stderr)
    if status != 200 or seen is None or seen > 1.0:
        problems.append(f"weight change through A (answer {status}) seen on B after {seen} s (at most 1 s)")
    http("PUT", f"{b}/v1/experiments/losses/weights", {"weights": before["weights"]}, admin)
    t0 = time.time()
    while time.time() - t0 < 5 and any(http("GET", f"{r}/v1/experiments/losses")[1]["weights"] != before["weights"]
                                       for r in args.replicas):
        time.sleep(0.1)
    # 3. a sticky key: the same variant on every replica
    pair = {"image1": b64(f"{person}/Tony_Blair_0003.jpg"), "image2": b64(f"{person}/Tony_Blair_0004.jpg")}
    variants = collections.Counter()
    for k in range(8):
        seen_variants = set()
        for r in args.replicas:
            status, answer = http("POST", f"{r}/v1/verify", pair, {"X-Subject-Id": f"sticky-{k}"})
            seen_variants.add(answer["routing"]["variant"] if status == 200 else f"status {status}")
        variants[len(seen_variants)] += 1
        if len(seen_variants) != 1:
            problems.append(f"sticky key sticky-{k} got {seen_variants} on the three replicas")
    # 4. the experiment report, on every replica, equals the feedback every client had acknowledged
    expected = collections.defaultdict(lambda: [0, 0, 0, 0])
    for log in args.logs:
        calls = last_attempts(load(log))
        for r in calls:
            if r["op"].startswith("feedback") and r.get("status") == 200:
                expected[r["variant"]][OUTCOMES.index(r["outcome"])] += 1
    lost = 0
    for r in args.replicas:
        counts = report_counts(http("GET", f"{r}/v1/experiments/losses")[1])
        for variant in set(expected) | set(counts):
            got, want = counts.get(variant, [0] * 4), expected.get(variant, [0] * 4)
            if got != want:
                problems.append(f"{r}: variant {variant} reports {got} (TA, FA, TR, FR), the clients sent {want}")
                lost = max(lost, sum(max(0, w - g) for w, g in zip(want, got)))
    total = sum(sum(v) for v in expected.values())
    print(f"fleet: consistency: {total} feedback acknowledged over every run: "
          f"{dict((k, v) for k, v in expected.items())} (TA, FA, TR, FR); every replica's report equal: {lost == 0 and not any('reports' in p for p in problems)}",
          file=sys.stderr)
    sent = sum(CALLS.values())
    answered = sum(n for s, n in CALLS.items() if 200 <= s < 300)
    print(f"| consistency | {sent} | {answered} | {CALLS.get(503, 0)} | {sent - answered - CALLS.get(503, 0)} | {lost} | "
          f"{time.time() - start:.0f} s |")
    for p in problems:
        print(f"fleet: FAILED consistency: {p}", file=sys.stderr)
    return 1 if problems else 0


def capacity(args):
    rows = [r for r in load(args.log) if r.get("status") in (200, 201)]
    print(f"{len(rows) / args.seconds:.2f}")
    return 0


# --- observability: the dashboard's counting panels sum the replicas

# The dashboard's panels that count calls, by their counter: the label values of the counter that count some calls,
# the load's operations they are, and which of their answers (one call's last attempt) the counter counts.
def answered_with(*statuses):
    return lambda r: r.get("status") in statuses


COUNTERS = {
    "faceoff_requests_seconds_count": [
        ("verify answered 200", {"endpoint": "verify", "outcome": "ok"}, ("verify",), answered_with(200)),
        ("feedback answered 200", {"endpoint": "feedback", "outcome": "ok"}, ("feedback", "feedback_retry"),
         answered_with(200))],
    # a decision: every verification answered, and every identification (the best candidate decided at its threshold)
    "faceoff_decisions_total": [
        ("verify + identify answered 200", {}, ("verify", "identify"), answered_with(200))],
    "faceoff_feedback_total": [
        ("feedback counted", {}, ("feedback", "feedback_retry"), lambda r: r.get("status") == 200 and r.get("counted") is True)],
    "faceoff_gallery_identifications_total": [
        ("identify answered 200", {"outcome": "match|no_match"}, ("identify",), answered_with(200))],
    "faceoff_gallery_enrolments_total": [
        ("enrol_face answered 201", {"outcome": "enrolled"}, ("enrol_face",), answered_with(201))],
}
# Grafana's variables: every one is used with =~, so ".*" is "All"
VARIABLES = {"job": ".*", "instance": ".*", "model": ".*", "experiment": ".*"}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')


def scrape(url):
    """A replica's own /actuator/prometheus: {(name, frozenset(labels)): value}."""
    with urllib.request.urlopen(f"{url}/actuator/prometheus", timeout=10) as r:
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and not line.startswith("#"):
            labels = {k: v for k, _, v in LABEL.findall(m.group(2) or "")}
            samples[(m.group(1), frozenset(labels.items()))] = float(m.group(3))
    return samples


def promql(prometheus, query):
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=10) as r:
        answer = json.load(r)
    if answer.get("status") != "success":
        raise RuntimeError(f"{query}: {answer}")
    return [(s["metric"], float(s["value"][1])) for s in answer["data"]["result"]]


def matches(labels, matchers):
    for name, op, value in matchers:
        v = labels.get(name, "")
        full = re.fullmatch(value, v) is not None
        if (op == "=" and v != value) or (op == "!=" and v == value) or (op == "=~" and not full) or (op == "!~" and full):
            return False
    return True


def counting_panels(dashboard):
    """(panel title/refId, expression) of every dashboard query that counts calls with one of COUNTERS and is no ratio."""
    def walk(panels):
        for p in panels:
            yield p
            yield from walk(p.get("panels", []))
    found = []
    for p in walk(json.load(open(dashboard))["panels"]):
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            if "/" not in expr and any(re.search(rf"\b{c}\b", expr) for c in COUNTERS):
                found.append((f"{p['title']}/{t.get('refId')}", expr))
    return found


def observability(args):
    start = time.time()
    problems, notes = [], []
    instances = [urllib.parse.urlsplit(u).netloc for u in args.replicas]
    # every replica a target of the job the dashboard selects on ($job, $instance: label_values(faceoff_model_info,
    # job | instance)), up
    up = {m.get("instance"): v for m, v in promql(args.prometheus, 'up{job="faceoff"}')}
    if up != {i: 1.0 for i in instances}:
        problems.append(f"up{{job=\"faceoff\"}} is {up}, not 1 for each of {instances}")
    grouped = {(m.get("job"), m.get("instance")) for m, _ in promql(args.prometheus, "count by (job, instance) (faceoff_model_info)")}
    if grouped != {("faceoff", i) for i in instances}:
        problems.append(f"the dashboard's $job/$instance (faceoff_model_info) give {sorted(grouped)}, not the three replicas")
    lb = {m.get("server"): v for m, v in promql(args.prometheus, 'haproxy_server_status{job="haproxy", proxy="faceoff", state="UP"}')}
    if lb != {f"replica{k}": 1.0 for k in (1, 2, 3)}:
        problems.append(f"HAProxy's servers UP (FaceoffReplicaOutOfLoadBalancer's series) are {lb}")
    with urllib.request.urlopen(f"{args.prometheus}/api/v1/rules", timeout=10) as r:
        rules = [rule for g in json.load(r)["data"]["groups"] for rule in g["rules"]]
    bad = [r["name"] for r in rules if r.get("health") != "ok"]
    if not rules or bad:
        problems.append(f"{len(rules)} rules loaded, not evaluated cleanly: {bad}")

    # the counters, quiet now (the load has ended): each replica read, then a scrape of every replica by Prometheus,
    # then each replica read again. Equal reads mean the counters did not move, so the scraped values are these.
    first = [scrape(u) for u in args.replicas]
    read_at = time.time()
    deadline = read_at + 20
    while True:
        stamps = [v for _, v in promql(args.prometheus, 'timestamp(up{job="faceoff"})')]
        if len(stamps) == 3 and min(stamps) > read_at:
            break
        if time.time() > deadline:
            problems.append(f"Prometheus did not scrape the three replicas within 20 s (last scrapes {stamps})")
            break
        time.sleep(0.2)
    own = [scrape(u) for u in args.replicas]
    moving = {k[0] for f, o in zip(first, own) for k in o if k[0] in COUNTERS and f.get(k) != o.get(k)}
    if moving:
        problems.append(f"counters moved while nothing was sent: {sorted(moving)}")

    calls = last_attempts(load(args.log))
    checked = 0
    for title, expr in counting_panels(args.dashboard):
        query = re.sub(r"\$(\w+)", lambda m: VARIABLES.get(m.group(1), m.group(0)), expr)
        # the panel's aggregation over the counter itself, not its rate: the fleet's total since the replicas started
        total = re.sub(r"\b(?:rate|increase)\((\w+\{[^}]*\})\[\$__\w+\]\)", r"\1", query)
        counter = next(c for c in COUNTERS if re.search(rf"\b{c}\b", expr))
        if total == query or "$" in total:
            problems.append(f"{title}: no rate()/increase() of {counter} to total: {expr}")
            continue
        grouping = re.fullmatch(r"\s*sum\s*(?:by\s*\(([\w, ]*)\)\s*)?\(.*\)\s*", total, re.S)
        if not grouping:
            problems.append(f"{title}: does not sum across replicas (no outer sum): {expr}")
            continue
        by = [g.strip() for g in (grouping.group(1) or "").split(",") if g.strip()]
        if "instance" in by:
            problems.append(f"{title}: sums by instance, not across replicas: {expr}")
        selector = re.search(rf"\b{counter}\{{([^}}]*)\}}", total).group(1)
        matchers = [(n, op, v) for n, op, v in LABEL.findall(selector) if n not in ("job", "instance")]
        fleet = {tuple(m.get(b, "") for b in by): v for m, v in promql(args.prometheus, total)}
        if any("instance" in m for m, _ in promql(args.prometheus, total)):
            problems.append(f"{title}: its series keep the instance label")
        replicas = [collections.defaultdict(float) for _ in own]
        for k, samples in enumerate(own):
            for (name, labels), v in samples.items():
                labels = dict(labels)
                if name == counter and matches(labels, matchers):
                    replicas[k][tuple(labels.get(b, "") for b in by)] += v
        summed = collections.defaultdict(float)
        for r in replicas:
            for g, v in r.items():
                summed[g] += v
        if set(fleet) != set(summed) or any(abs(fleet[g] - summed[g]) > 1e-6 for g in fleet):
            problems.append(f"{title}: Prometheus {dict(fleet)} != the replicas' own counters summed {dict(summed)}")
        # the panel as Grafana sends it (a rate over 1 m): one series per group, none per replica
        live = promql(args.prometheus, query.replace("$__rate_interval", "1m").replace("$__range", "5m"))
        if not live or any("instance" in m for m, _ in live):
            problems.append(f"{title}: as the dashboard sends it: {len(live)} series, per replica: "
                            f"{any('instance' in m for m, _ in live)}")
        for what, labels, ops, counted in COUNTERS[counter]:
            wanted = [g for g in fleet if all(re.fullmatch(v, dict(zip(by, g)).get(n, v)) for n, v in labels.items())]
            if any(n not in by for n in labels):
                continue   # the panel does not split by the label that tells these calls apart
            got = sum(fleet[g] for g in wanted)
            parts = [sum(r[g] for g in wanted) for r in replicas]
            answered = sum(1 for r in calls if r["op"] in ops and counted(r))
            unanswered = sum(1 for r in calls if r["op"] in ops and r.get("status") == 0)
            # a call the client gave up on (no answer) may still have been counted by its replica
            if not answered <= got <= answered + unanswered:
                problems.append(f"{title}: {what}: the dashboard's total {got:.0f}, the load's {answered} "
                                f"(+{unanswered} unanswered)")
            if ops == ("verify",) and not all(p > 0 for p in parts):
                problems.append(f"{title}: {what}: a replica counted none: {parts}")
            notes.append(f"{title}: {what} {got:.0f} = {' + '.join(f'{p:.0f}' for p in parts)} (the 3 replicas) = "
                         f"{answered} answered to the load" + (f" (+{unanswered} unanswered)" if unanswered else ""))
            checked += 1
    if checked < 5:
        problems.append(f"only {checked} counts checked: the dashboard lost a counting panel?")
    for n in notes:
        print(f"fleet: observability: {n}", file=sys.stderr)
    sent = len(calls)
    answered = sum(ok(r) for r in calls)
    refusals = sum(refused(r) for r in calls)
    print(f"| observability | {sent} | {answered} | {refusals} | {sent - answered - refusals} | "
          f"{len(problems)} mismatches, {checked} totals checked | {time.time() - start:.0f} s |")
    for p in problems:
        print(f"fleet: FAILED observability: {p}", file=sys.stderr)
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("row")
    r.add_argument("name")
    r.add_argument("log")
    r.add_argument("--faces", required=True, help="face_id subject_id lines of the database, after the scenario")
    r.add_argument("--before", required=True)
    r.add_argument("--after", required=True)
    r.add_argument("--half-enrolled", type=int, default=0)
    r.add_argument("--killed-at", type=int)
    r.add_argument("--down-at", type=int)
    r.add_argument("--up-at", type=int)
    r.add_argument("--redis-down-at", type=int)
    r.add_argument("--redis-up-at", type=int)
    r.add_argument("--verify-always", action="store_true")
    k = sub.add_parser("consistency")
    k.add_argument("replicas", nargs=3)
    k.add_argument("--lfw", required=True)
    k.add_argument("--admin-key", required=True)
    k.add_argument("--logs", nargs="+", required=True)
    c = sub.add_parser("capacity")
    c.add_argument("log")
    c.add_argument("seconds", type=float)
    o = sub.add_parser("observability")
    o.add_argument("--prometheus", required=True)
    o.add_argument("--replicas", nargs=3, required=True)
    o.add_argument("--dashboard", required=True)
    o.add_argument("--log", required=True, help="the answer log of the load that ran last")
    args = parser.parse_args()
    sys.exit({"row": row, "consistency": consistency, "capacity": capacity,
              "observability": observability}[args.command](args))


if __name__ == "__main__":
    main()
