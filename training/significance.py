"""Are the differences between losses real? Paired tests on the same pairs, from evaluate's report.json.

    /usr/bin/python3 -m training.significance REPORT.json [--models a,b,...] [--bootstrap 5000]

For each model, every pair of the report is decided as in the 10-fold protocol (the best-accuracy threshold
of the nine other folds, "same" when score >= threshold: training/metrics.py, the definition faceoff's Java
``VerificationMetrics`` shares; the script checks that it reproduces the report's accuracy), with test-time flip where the model's card sets ``testTimeFlip``
(as served). The most accurate model is then compared with each other one on the same pairs:

* the accuracy difference with a 95% paired-bootstrap interval (pairs resampled with replacement, the
  decisions kept; fixed seed);
* McNemar's exact test on the discordant pairs (b: only the best is right, c: only the other is right).

A difference is called significant when the exact McNemar p < 0.05 (the bootstrap interval then excludes 0
as well, up to resampling noise). Needs reports written with ``pairScores`` (evaluate since 2026-12-04).
"""
import argparse
import json
import math
import os
import sys

import numpy as np

from . import metrics


def mcnemar_exact(b, c):
    """Two-sided exact McNemar p-value: binomial(b + c, 1/2) on the discordant pairs."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def paired(a, o, rounds=5000, seed=20261204):
    """a - o on the same pairs (boolean 'decided right' arrays): mean difference, 95% paired-bootstrap interval,
    discordant counts and the exact McNemar p."""
    diff = a.astype(float) - o.astype(float)
    draws = np.random.default_rng(seed).integers(0, len(diff), size=(rounds, len(diff)))
    boot = diff[draws].mean(axis=1)
    b, c = int((a & ~o).sum()), int((~a & o).sum())
    p = mcnemar_exact(b, c)
    return {"difference": float(diff.mean()), "low": float(np.percentile(boot, 2.5)),
            "high": float(np.percentile(boot, 97.5)), "b": b, "c": c, "p": p, "significant": p < 0.05}


def served_result(report, model, models_dir):
    flip = False
    card = os.path.join(models_dir, model, "model.json")
    if os.path.exists(card):
        with open(card) as f:
            flip = bool(json.load(f).get("testTimeFlip"))
    candidates = [r for r in report["results"] if r["model"] == model]
    chosen = [r for r in candidates if bool(r["flip"]) == flip] or [r for r in candidates if not r["flip"]]
    if not chosen:
        raise SystemExit("significance: %s is not in the report" % model)
    return chosen[0]


def analyse(report, models, models_dir="models", rounds=5000, seed=20261204):
    same = np.array(report["pairSame"], dtype=bool)
    fold = np.array(report["pairFold"])
    decided = {}
    for m in models:
        r = served_result(report, m, models_dir)
        if "pairScores" not in r:
            raise SystemExit("significance: the report has no pairScores (re-run evaluate)")
        right, acc, _ = metrics.fold_decisions(np.array(r["pairScores"], dtype=float), same, fold)
        if abs(acc - r["acc10"]) > 1e-3:   # scores are stored to 1e-6: a pair on a threshold may flip
            raise SystemExit("significance: %s: reproduced accuracy %.6f differs from the report's %.6f" % (m, acc, r["acc10"]))
        decided[m] = (right, acc, bool(r["flip"]))
    best = max(models, key=lambda m: decided[m][1])
    rows = []
    for m in sorted(models, key=lambda m: -decided[m][1]):
        right, acc, flip = decided[m]
        row = {"model": m, "flip": flip, "accuracy": acc}
        if m != best:
            row.update(paired(decided[best][0], right, rounds, seed))
        rows.append(row)
    return best, rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report")
    parser.add_argument("--models", help="comma-separated (default: every model in the report)")
    parser.add_argument("--models-dir", default="models")
    parser.add_argument("--bootstrap", type=int, default=5000)
    args = parser.parse_args(argv)
    with open(args.report) as f:
        report = json.load(f)
    models = args.models.split(",") if args.models else sorted({r["model"] for r in report["results"]})
    best, rows = analyse(report, models, args.models_dir, args.bootstrap)
    print("Paired on the %d pairs of %s; best: %s; 95%% paired-bootstrap interval (%d resamples), exact McNemar."
          % (len(report["pairSame"]), report.get("pairList", "?"), best, args.bootstrap))
    print()
    print("| model | accuracy (k-fold) | best − this [95% CI] | only best right / only this right | McNemar p | significant |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        name = r["model"] + (" + flip" if r["flip"] else "")
        if "difference" not in r:
            print("| %s | %.2f%% | (best) | | | |" % (name, 100 * r["accuracy"]))
            continue
        print("| %s | %.2f%% | %+.2f [%+.2f, %+.2f] points | %d / %d | %s | %s |" % (
            name, 100 * r["accuracy"], 100 * r["difference"], 100 * r["low"], 100 * r["high"], r["b"], r["c"],
            "%.2g" % r["p"] if r["p"] >= 1e-4 else "< 1e-4", "yes" if r["significant"] else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
