#!/usr/bin/env python3
"""The fleet's verdicts (bench/fleet.sh): reads bench/FleetLoad.java's answer log of one scenario, prints its
table row and asserts the scenario's expected result; exit 1 when one fails.

  fleet.py row NAME LOG.jsonl --faces FACES.txt --before REPORT.json --after REPORT.json
               [--killed-at MS] [--down-at MS --up-at MS] [--verify-always]
  fleet.py consistency URL_A URL_B URL_C --lfw DIR --admin-key KEY --logs LOG.jsonl...
                                               the consistency scenario, through the replicas themselves
  fleet.py capacity LOG.jsonl SECONDS          answers per second of a closed-loop run

A request is one client call: its last attempt decides it. 200/201/204/404 of a feedback are answered; a 503
with Retry-After is refused; anything else (no answer, 5xx, a 503 without Retry-After) failed.
"""
import argparse
import base64
import collections
import json
import os
import sys
import time
import urllib.error
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
    args = parser.parse_args()
    sys.exit({"row": row, "consistency": consistency, "capacity": capacity}[args.command](args))


if __name__ == "__main__":
    main()
