import unittest

import numpy as np

from training import metrics, significance


class SignificanceTest(unittest.TestCase):

    def test_mcnemar_exact_matches_the_binomial(self):
        self.assertEqual(significance.mcnemar_exact(0, 0), 1.0)
        # b=0, c=6: 2 * (1/2)^6
        self.assertAlmostEqual(significance.mcnemar_exact(0, 6), 2 / 64)
        self.assertAlmostEqual(significance.mcnemar_exact(5, 5), 1.0)
        self.assertLess(significance.mcnemar_exact(40, 10), 1e-4)

    def test_a_clearly_better_model_is_significant_and_an_equal_one_is_not(self):
        rng = np.random.default_rng(1)
        n = 600
        same = np.array([i % 2 == 0 for i in range(n)])
        fold = np.array([i % 10 for i in range(n)])
        good = np.where(same, rng.normal(0.7, 0.1, n), rng.normal(0.2, 0.1, n))
        bad = np.where(same, rng.normal(0.5, 0.2, n), rng.normal(0.3, 0.2, n))
        twin = good + rng.normal(0, 1e-3, n)
        results = []
        for name, s in [("good", good), ("bad", bad), ("twin", twin)]:
            _, acc, _ = metrics.fold_decisions(s, same, fold)
            results.append({"model": name, "flip": False, "acc10": acc, "pairScores": s.tolist()})
        report = {"pairSame": same.tolist(), "pairFold": fold.tolist(), "results": results}
        best, rows = significance.analyse(report, ["good", "bad", "twin"], models_dir="/nonexistent", rounds=500)
        by = {r["model"]: r for r in rows}
        self.assertIn(best, ("good", "twin"))
        self.assertTrue(by["bad"]["significant"])
        self.assertGreater(by["bad"]["low"], 0)
        other = "twin" if best == "good" else "good"
        self.assertFalse(by[other]["significant"])
        self.assertLessEqual(by[other]["low"], 0)


if __name__ == "__main__":
    unittest.main()
