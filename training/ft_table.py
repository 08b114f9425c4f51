"""The one table of the fine-tuned zoo: per loss, the fine-tune beside the same loss trained from scratch.

    /usr/bin/python3 -m training.ft_table --evaluation target/evaluation --robustness target/robustness

Reads what training/evaluate_ft.sh writes: evaluate's report.json of LFW, CFP-dev FF and FP
(``<evaluation>/{lfw,cfp-ff,cfp-fp}-{ft,scratch}``) and the robustness suite's (``<robustness>/{ft,scratch}``).
Every accuracy is the 10-fold accuracy of the model as served (test-time flip where its card says so); FRR
and FAR are the official pairs decided at the model's served threshold (its LFW calibration at FAR 1e-3).
Differences are paired on the same pairs (each pair decided under the 10-fold protocol): a 95% paired
bootstrap interval and the exact McNemar p (training/significance.py); significant means p < 0.05.

Then the default-model check of docs/accuracy.md: does the best fine-tune beat the baseline significantly on
the mask and sunglasses sets, lose at most 0.1 point on LFW and 0.3 on CFP-FP, and refuse fewer genuine LFW
pairs at its served threshold?
"""
import argparse
import json
import math
import os
import sys

import numpy as np

from .metrics import fold_decisions
from .significance import paired

LOSSES = ("softmax", "contrastive", "triplet", "center", "sphereface", "cosface", "arcface")
SCRATCH = {"softmax": "softmax-mfn64-aug", "contrastive": "contrastive-mfn64-aug", "triplet": "triplet-mfn64-aug",
           "center": "center-mfn64-aug", "sphereface": "sphereface-mfn64-aug", "cosface": "cosface-m20-mfn64-aug",
           "arcface": "arcface-m30-mfn64-aug"}
BASELINE = "mobilefacenet-faceplugin"
SETS = ("lfw", "cfp-ff", "cfp-fp")
TRANSFORMS = ("mask", "sunglasses", "down48")


def load(path):
    with open(path) as f:
        return json.load(f)


def served_flip(model, models_dir):
    card = os.path.join(models_dir, model, "model.json")
    return bool(load(card).get("testTimeFlip")) if os.path.exists(card) else False


class Results:
    """Per (set, model): the served result's accuracy, per-pair decisions and the served FRR/FAR."""

    def __init__(self, evaluation, robustness, models_dir):
        self.acc, self.right, self.served = {}, {}, {}
        for s in SETS:
            for kind in ("ft", "scratch"):
                path = os.path.join(evaluation, "%s-%s" % (s, kind), "report.json")
                if not os.path.exists(path):
                    continue
                report = load(path)
                same, fold = np.array(report["pairSame"], dtype=bool), np.array(report["pairFold"])
                for r in report["results"]:
                    if bool(r["flip"]) != served_flip(r["model"], models_dir):
                        continue
                    self.acc[s, r["model"]] = r["acc10"]
                    self.right[s, r["model"]] = fold_decisions(np.array(r["pairScores"], dtype=float), same, fold)[0]
                for d in report.get("servedDecisions", []):
                    if bool(d["flip"]) == served_flip(d["model"], models_dir):
                        self.served[s, d["model"]] = d
        for kind in ("ft", "scratch"):
            path = os.path.join(robustness, kind, "report.json")
            if not os.path.exists(path):
                continue
            report = load(path)
            same, fold = np.array(report["pairSame"], dtype=bool), np.array(report["pairFold"])
            for r in report["rows"]:
                self.acc[r["transform"], r["model"]] = r["acc10"]
                self.right[r["transform"], r["model"]] = fold_decisions(np.array(r["pairScores"], dtype=float), same, fold)[0]

    def pct(self, s, m):
        v = self.acc.get((s, m))
        return "—" if v is None else "%.2f" % (100 * v)

    def vs_untouched(self, t, m):
        v, none = self.acc.get((t, m)), self.acc.get(("none", m))
        return "—" if v is None or none is None else "%.2f (%+.2f)" % (100 * v, 100 * (v - none))

    def compare(self, s, a, b):
        if (s, a) not in self.right or (s, b) not in self.right:
            return None
        return paired(self.right[s, a], self.right[s, b])


def fmt(r):
    if r is None:
        return "—"
    p = "p < 1e-4" if r["p"] < 1e-4 else "p %.2g" % r["p"]
    return "%+.2f [%+.2f, %+.2f], %s%s" % (100 * r["difference"], 100 * r["low"], 100 * r["high"], p,
                                          "" if r["significant"] else " (n.s.)")


def served(res, s, m):
    d = res.served.get((s, m))
    return "—" if d is None else "%.2f / %.3f" % (100 * d["frr"], 100 * d["far"])


def table(res):
    ft = {loss: loss + "-ft" for loss in LOSSES}
    ranked = sorted((m for m in ft.values() if ("lfw", m) in res.acc), key=lambda m: -res.acc["lfw", m])
    best = ranked[0] if ranked else None
    out = ["| loss | model | LFW | CFP-FF | CFP-FP | mask (vs untouched) | sunglasses | down48 | FRR / FAR % at the served "
           "threshold, LFW | CFP-FP FRR / FAR % | LFW: this − best fine-tune [95% CI], McNemar | LFW: this − baseline |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for loss in LOSSES:
        for m, kind in ((ft[loss], "fine-tune"), (SCRATCH[loss], "from scratch")):
            if ("lfw", m) not in res.acc:
                continue
            to_best = "(best)" if m == best else fmt(res.compare("lfw", m, best)) if kind == "fine-tune" else ""
            out.append("| %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                loss if kind == "fine-tune" else "", m, kind, res.pct("lfw", m), res.pct("cfp-ff", m), res.pct("cfp-fp", m),
                res.vs_untouched("mask", m), res.vs_untouched("sunglasses", m), res.vs_untouched("down48", m),
                served(res, "lfw", m), served(res, "cfp-fp", m), to_best, fmt(res.compare("lfw", m, BASELINE))))
    out.append("| baseline | %s (pretrained) | %s | %s | %s | %s | %s | %s | %s | %s | | |" % (
        BASELINE, res.pct("lfw", BASELINE), res.pct("cfp-ff", BASELINE), res.pct("cfp-fp", BASELINE),
        res.vs_untouched("mask", BASELINE), res.vs_untouched("sunglasses", BASELINE),
        res.vs_untouched("down48", BASELINE), served(res, "lfw", BASELINE), served(res, "cfp-fp", BASELINE)))
    return best, "\n".join(out)


def default_check(res, best):
    """The rule of docs/accuracy.md for making the best fine-tune the default embedding model."""
    rows, ok = [], True
    out = ["| set | %s | baseline | difference [95%% CI], McNemar |" % best, "|---|---|---|---|"]
    for s in SETS + TRANSFORMS:
        r = res.compare(s, best, BASELINE)
        out.append("| %s | %s | %s | %s |" % (s, res.pct(s, best), res.pct(s, BASELINE), fmt(r)))
        rows.append((s, r))
    get = dict(rows)
    checks = []
    for s in ("mask", "sunglasses"):
        r = get.get(s)
        passed = bool(r and r["difference"] > 0 and r["significant"])
        checks.append("%s: significantly better than the baseline — %s" % (s, "yes" if passed else "no"))
        ok &= passed
    for s, limit in (("lfw", 0.001), ("cfp-fp", 0.003)):
        r = get.get(s)
        passed = bool(r and r["difference"] >= -limit)
        checks.append("%s: loses at most %.1f point — %s (%s)" % (s, 100 * limit, "yes" if passed else "no", fmt(r)))
        ok &= passed
    a, b = res.served.get(("lfw", best)), res.served.get(("lfw", BASELINE))
    passed = bool(a and b and a["frr"] < b["frr"])
    checks.append("LFW: refuses fewer genuine pairs at its served threshold — %s (FRR %s against %s)" % (
        "yes" if passed else "no", "%.2f%%" % (100 * a["frr"]) if a else "—", "%.2f%%" % (100 * b["frr"]) if b else "—"))
    ok &= passed
    return ok, "\n".join(out) + "\n\n" + "\n".join("- " + c for c in checks)


def ablation(evaluation, robustness):
    """CosFace fine-tuned three ways (<evaluation>/lfw-ablation, <robustness>/ablation): LFW, mask, sunglasses."""
    paths = [os.path.join(evaluation, "lfw-ablation", "report.json"), os.path.join(robustness, "ablation", "report.json")]
    if not all(os.path.exists(p) for p in paths):
        return None
    lfw, rob = load(paths[0]), load(paths[1])
    acc = {r["model"]: r["acc10"] for r in lfw["results"] if not r["flip"]}
    tar = {r["model"]: r["tarAtFar"].get("1e-3") for r in lfw["results"] if not r["flip"]}
    rows = {(r["transform"], r["model"]): r["acc10"] for r in rob["rows"]}
    fp_path = os.path.join(evaluation, "cfp-fp-ablation", "report.json")
    fp = {r["model"]: r["acc10"] for r in load(fp_path)["results"] if not r["flip"]} if os.path.exists(fp_path) else {}
    labels = {"cosface-ft": "both (the recipe)", "cosface-identity-only": "identity only (distillation weight 0)",
              "distill-only": "distillation only (identity weight 0)"}
    out = ["| CosFace fine-tune | LFW | LFW TAR@FAR=1e-3 (official pairs) | CFP-FP | untouched (robustness sample) | mask | sunglasses | down48 |",
           "|---|---|---|---|---|---|---|---|"]
    for m, label in labels.items():
        if m not in acc:
            continue
        none = rows.get(("none", m))
        cells = ["%.2f (%+.2f)" % (100 * rows[t, m], 100 * (rows[t, m] - none)) if (t, m) in rows and none else "—"
                 for t in TRANSFORMS]
        out.append("| %s | %.2f | %s | %s | %s | %s |" % (label, 100 * acc[m], "—" if tar.get(m) is None else "%.2f" % (100 * tar[m]),
                                                        "—" if m not in fp else "%.2f" % (100 * fp[m]),
                                                        "—" if none is None else "%.2f" % (100 * none), " | ".join(cells)))
    return "\n".join(out)


def whole_suite(robustness):
    """Every transform of the robustness suite, the best fine-tune (<robustness>/best-all) against the baseline
    (<robustness>/baseline-all): accuracy, change from untouched, and the paired difference."""
    paths = [os.path.join(robustness, d, "report.json") for d in ("best-all", "baseline-all")]
    if not all(os.path.exists(p) for p in paths):
        return None
    reports = [load(p) for p in paths]
    same, fold = np.array(reports[0]["pairSame"], dtype=bool), np.array(reports[0]["pairFold"])
    rows = {}
    for report in reports:
        for r in report["rows"]:
            rows[r["transform"], r["model"]] = (r["acc10"], fold_decisions(np.array(r["pairScores"], dtype=float), same, fold)[0])
    best = reports[0]["rows"][0]["model"]
    out = ["| transform | %s | vs untouched | %s | vs untouched | difference [95%% CI], McNemar |" % (best, BASELINE),
           "|---|---|---|---|---|---|"]
    for t in [r["transform"] for r in reports[0]["rows"]]:
        a, b = rows.get((t, best)), rows.get((t, BASELINE))
        if not a or not b:
            continue
        na, nb = rows[("none", best)][0], rows[("none", BASELINE)][0]
        out.append("| %s | %.2f | %+.2f | %.2f | %+.2f | %s |" % (t, 100 * a[0], 100 * (a[0] - na), 100 * b[0],
                                                               100 * (b[0] - nb), fmt(paired(a[1], b[1]))))
    return "\n".join(out)


Z95, Z_POWER80 = 1.959963984540054, 0.8416212335729143


def pairs_needed(p1, p2):
    """Labelled pairs per variant for a two-sided 5% test to see p1 against p2 with 80% power (the formula of the
    experiment report's labelled_pairs_needed, experiment.Proportions.sampleSizePerGroup); None when equal."""
    delta = abs(p1 - p2)
    if delta == 0:
        return None
    mean = (p1 + p2) / 2
    a = Z95 * math.sqrt(2 * mean * (1 - mean))
    b = Z_POWER80 * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil((a + b) ** 2 / delta ** 2)


def ab_plan(res, a, b):
    """What an A/B test of a against b must label to see their offline FRR difference at the served threshold."""
    out = ["| set | %s FRR | %s FRR | genuine labelled pairs per variant to see it (5%%, 80%% power) |" % (a, b),
           "|---|---|---|---|"]
    for s in SETS:
        da, db = res.served.get((s, a)), res.served.get((s, b))
        if not da or not db:
            continue
        n = pairs_needed(da["frr"], db["frr"])
        out.append("| %s | %.2f%% | %.2f%% | %s |" % (s, 100 * da["frr"], 100 * db["frr"], "no difference" if n is None else "{:,}".format(n)))
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--evaluation", default="target/evaluation")
    p.add_argument("--robustness", default="target/robustness")
    p.add_argument("--models-dir", default="models")
    args = p.parse_args(argv)
    res = Results(args.evaluation, args.robustness, args.models_dir)
    best, text = table(res)
    print(text)
    if best:
        ok, check = default_check(res, best)
        print("\nThe best fine-tune by LFW, %s, against the baseline (paired on the same pairs):\n" % best)
        print(check)
        print("\nDefault embedding model: %s" % (best if ok else BASELINE + " (the rule is not met)"))
        abl = ablation(args.evaluation, args.robustness)
        if abl:
            print("\nThe ablation:\n")
            print(abl)
        whole = whole_suite(args.robustness)
        if whole:
            print("\nThe whole robustness suite, %s against the baseline:\n" % best)
            print(whole)
        ranked = sorted((loss + "-ft" for loss in LOSSES if ("lfw", loss + "-ft") in res.acc), key=lambda m: -res.acc["lfw", m])
        if len(ranked) >= 2:
            print("\nA/B planning: the two best fine-tunes, %s against %s, at their served thresholds:\n" % tuple(ranked[:2]))
            print(ab_plan(res, ranked[0], ranked[1]))
            print("\nand %s against the baseline:\n" % ranked[0])
            print(ab_plan(res, ranked[0], BASELINE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
