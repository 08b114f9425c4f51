"""Did a change to the pipeline move accuracy? Two robustness reports of the same pairs, two builds, paired.

    /usr/bin/python3 -m training.builds BEFORE/report.json AFTER/report.json

Each report is ``java -jar JAR robustness ... --out DIR`` of one build, on the same pairs (the same
``--pairs``, ``--per-fold`` and ``--transforms``) and the same generated images. For every transform and model in
both: the k-fold accuracy of each (training/metrics.py, as the report's), the paired difference with its 95%
bootstrap interval and the exact McNemar test (training/significance.py), the pairs missing a face in each, and
the largest change of a pair's similarity.
"""
import argparse
import json
import sys

import numpy as np

from . import metrics
from .significance import paired


def rows(report):
    return {(r["transform"], r["model"], bool(r.get("flip", False))): r for r in report["rows"]}


def compare(before, after):
    if before["pairSame"] != after["pairSame"] or before["pairFold"] != after["pairFold"]:
        raise SystemExit("builds: the two reports are not of the same pairs")
    same = np.array(before["pairSame"], dtype=bool)
    fold = np.array(before["pairFold"])
    out = []
    b_rows, a_rows = rows(before), rows(after)
    for key in [k for k in b_rows if k in a_rows]:
        b, a = b_rows[key], a_rows[key]
        sb, sa = np.array(b["pairScores"], dtype=float), np.array(a["pairScores"], dtype=float)
        right_b, acc_b, _ = metrics.fold_decisions(sb, same, fold)
        right_a, acc_a, _ = metrics.fold_decisions(sa, same, fold)
        both = (sb > -1) & (sa > -1)
        out.append({"transform": key[0], "model": key[1], "before": acc_b, "after": acc_a,
                    "missing_before": int((sb == -1).sum()), "missing_after": int((sa == -1).sum()),
                    "max_similarity_change": float(np.abs(sa[both] - sb[both]).max()) if both.any() else 0.0,
                    **paired(right_a, right_b)})
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    args = parser.parse_args(argv)
    with open(args.before) as f:
        before = json.load(f)
    with open(args.after) as f:
        after = json.load(f)
    print("%d pairs (%s); after − before, 95%% paired-bootstrap interval, exact McNemar." % (
        len(before["pairSame"]), before.get("pairList", "?")))
    print()
    print("| transform | model | before | after | after − before [95% CI] | only after right / only before right "
          "| McNemar p | pairs missing a face, before / after | largest similarity change |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in compare(before, after):
        print("| %s | %s | %.2f%% | %.2f%% | %+.2f [%+.2f, %+.2f] points | %d / %d | %s | %d / %d | %.4f |" % (
            r["transform"], r["model"], 100 * r["before"], 100 * r["after"], 100 * r["difference"], 100 * r["low"],
            100 * r["high"], r["b"], r["c"], "%.2g" % r["p"] if r["p"] >= 1e-4 else "< 1e-4", r["missing_before"],
            r["missing_after"], r["max_similarity_change"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
