"""The cross-language fixture of the verification metrics: scored pairs with ties, and training/metrics.py's
answers on them, which faceoff's Java VerificationMetricsTest must reproduce exactly.

    /usr/bin/python3 -m training.metrics_fixture        # writes src/test/resources/accuracy/scores.json

Deterministic (fixed seed); training/tests/test_metrics.py checks that the file is what this writes now.
"""
import json
import os
import sys

import numpy as np

from . import metrics

PATH = os.path.join("src", "test", "resources", "accuracy", "scores.json")
FARS = (0.1, 0.05, 0.02, 0.01)


def fixture(pairs=240, folds=10, seed=20270115):
    """Scores rounded to 0.02 (many ties, some across the classes at the cuts), the labels, the folds, and
    every answer of training/metrics.py on them."""
    rng = np.random.default_rng(seed)
    same = np.array([i % 2 == 0 for i in range(pairs)])
    raw = np.where(same, rng.normal(0.55, 0.15, pairs), rng.normal(0.35, 0.15, pairs))
    scores = np.round(np.clip(raw, -1, 1) * 50) / 50
    fold = np.arange(pairs) % folds
    right, mean, thresholds = metrics.fold_decisions(scores, same, fold)
    fold_accuracy = [float(right[fold == k].mean()) for k in range(folds)]
    best = metrics.best_threshold(scores, same)
    tied = sorted({float(s) for s in scores if (scores == s).sum() > 1 and len(set(same[scores == s])) == 2})
    positives, negatives = scores[same], scores[~same]
    return {
        "about": "written by python3 -m training.metrics_fixture (training/metrics.py); pairs are 'same' when "
                 "score >= threshold; Java VerificationMetricsTest and training/tests/test_metrics.py reproduce it",
        "scores": [float(s) for s in scores], "same": [bool(s) for s in same], "fold": [int(f) for f in fold],
        "bestThreshold": best, "accuracyAtBest": metrics.accuracy_at(scores, same, best),
        # thresholds equal to tied scores of both classes: where ">=" and ">" decide differently
        "accuracyAt": [{"threshold": t, "accuracy": metrics.accuracy_at(scores, same, t)} for t in tied],
        "kFold": {"folds": folds, "mean": mean, "accuracies": fold_accuracy, "thresholds": thresholds},
        "atFar": [{"far": far, "threshold": metrics.threshold_at_far(negatives, far),
                   "tar": metrics.tar_at_far(positives, negatives, far)} for far in FARS],
    }


def main(argv=None):
    path = (argv or sys.argv[1:] or [PATH])[0]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(fixture(), f, indent=1)
        f.write("\n")
    print("wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
