import json
import math
import os
import unittest

import numpy as np

from training import metrics, metrics_fixture

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class MetricsTest(unittest.TestCase):

    def test_the_committed_fixture_is_what_the_generator_writes_now(self):
        # the Java VerificationMetricsTest reads this file: it must hold training/metrics.py's current answers
        with open(os.path.join(ROOT, metrics_fixture.PATH)) as f:
            committed = json.load(f)
        self.assertEqual(committed, json.loads(json.dumps(metrics_fixture.fixture())))
        self.assertGreater(len(committed["accuracyAt"]), 0, "the fixture must have ties across the classes")

    def test_best_threshold_cuts_between_distinct_scores(self):
        scores = np.array([0.9, 0.8, 0.8, 0.3, 0.1])
        same = np.array([True, True, False, False, False])
        # cut after 0.9 (4 right) is the first best from the top; the tie at 0.8 cannot be split
        self.assertAlmostEqual(metrics.best_threshold(scores, same), (0.9 + 0.8) / 2)

    def test_a_score_equal_to_the_threshold_is_same(self):
        scores, same = np.array([0.5, 0.5, 0.2]), np.array([True, False, False])
        self.assertEqual(metrics.accuracy_at(scores, same, 0.5), 2 / 3)      # both 0.5 decided "same"
        self.assertEqual(metrics.accuracy_at(scores, same, 0.6), 2 / 3)
        self.assertEqual(metrics.accuracy_at(scores, same, 0.2), 1 / 3)

    def test_tied_negatives_at_the_far_cut_are_all_rejected(self):
        negatives = [0.9, 0.9, 0.9] + [0.1] * 7
        t = metrics.threshold_at_far(negatives, 0.2)   # 2 allowed, but 3 tie at 0.9
        self.assertGreater(t, 0.9)
        self.assertEqual(metrics.tar_at_far([0.95, 0.9, 0.5], negatives, 0.2), 1 / 3)
        self.assertTrue(math.isnan(metrics.threshold_at_far(negatives, 0.01)))   # 10 negatives cannot measure 1%

    def test_float32_scores_give_the_thresholds_of_their_float64_values(self):
        scores32 = np.array([0.7, 0.3, 0.6, 0.1], dtype=np.float32)
        same = np.array([True, False, True, False])
        self.assertEqual(metrics.best_threshold(scores32, same), (float(scores32[2]) + float(scores32[1])) / 2)


if __name__ == "__main__":
    unittest.main()
