"""Verification metrics: the one definition of best-threshold accuracy and of TAR at FAR in Python.

A pair is decided "same" when score >= threshold, the service's rule (match = similarity >= threshold).
The same definitions as faceoff's Java ``evaluation.VerificationMetrics``; ``training/metrics_fixture.py``
writes scored pairs with ties and these functions' answers to ``src/test/resources/accuracy/scores.json``,
which the Java and the Python tests must both reproduce exactly.

Scores are taken as float64 (float32 scores convert exactly), so thresholds are computed as in Java.
"""
import math

import numpy as np


def best_threshold(scores, same):
    """The cut with the most correct decisions: between two distinct observed scores (their midpoint), or
    1e-6 above the highest / below the lowest; ties are never split. Among equals, the first from the top."""
    scores = np.asarray(scores, dtype=np.float64)
    same = np.asarray(same, dtype=bool)
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], same[order]
    negatives = int((~y).sum())
    best_correct, best = negatives, (float(s[0]) + 1e-6 if len(s) else 0.0)
    correct = np.cumsum(y) + (negatives - np.cumsum(~y))
    for i in range(len(s)):
        if i + 1 < len(s) and s[i + 1] == s[i]:
            continue   # a cut only after the last of a tie
        if correct[i] > best_correct:
            best_correct = int(correct[i])
            best = float((s[i] + s[i + 1]) / 2) if i + 1 < len(s) else float(s[i]) - 1e-6
    return best


def decisions(scores, same, threshold):
    """Per pair: decided right at this threshold ("same" when score >= threshold)?"""
    return (np.asarray(scores, dtype=np.float64) >= threshold) == np.asarray(same, dtype=bool)


def accuracy_at(scores, same, threshold):
    """The share of pairs decided right at this threshold (NaN without pairs)."""
    right = decisions(scores, same, threshold)
    return float(right.mean()) if len(right) else math.nan


def fold_decisions(scores, same, fold):
    """The LFW protocol: each fold decided at the best threshold of the other folds. Returns (per pair:
    decided right?, the mean of the fold accuracies, the folds' thresholds in fold order)."""
    scores = np.asarray(scores, dtype=np.float64)
    same = np.asarray(same, dtype=bool)
    fold = np.asarray(fold)
    right = np.zeros(len(scores), dtype=bool)
    accuracies, thresholds = [], []
    for k in sorted(set(fold.tolist())):
        test = fold == k
        t = best_threshold(scores[~test], same[~test])
        right[test] = decisions(scores[test], same[test], t)
        accuracies.append(right[test].mean())
        thresholds.append(t)
    return right, float(np.mean(accuracies)), thresholds


def threshold_at_far(negatives, far):
    """The lowest threshold accepting at most far x n of the negatives (tied negatives at the cut are all
    rejected), or NaN when there are fewer than 1 / far of them."""
    negatives = np.sort(np.asarray(negatives, dtype=np.float64))
    n = len(negatives)
    if n == 0 or n * far < 1 - 1e-9:
        return math.nan
    allowed = int(math.floor(far * n + 1e-9))
    if allowed >= n:
        return float(negatives[0])
    # the (allowed + 1)-th highest negative must be rejected
    return float(np.nextafter(negatives[n - 1 - allowed], math.inf))


def tar_at_far(positives, negatives, far):
    """The share of positives accepted at threshold_at_far(negatives, far); NaN where that is NaN."""
    t = threshold_at_far(negatives, far)
    positives = np.asarray(positives, dtype=np.float64)
    if math.isnan(t) or len(positives) == 0:
        return math.nan
    return float((positives >= t).mean())
