import unittest

import numpy as np

from training import builds


def report(scores, same, fold, transform="canvas12mp"):
    return {"pairSame": same.tolist(), "pairFold": fold.tolist(),
            "rows": [{"transform": transform, "model": "m", "flip": False, "pairScores": scores.tolist()}]}


class BuildsTest(unittest.TestCase):

    def setUp(self):
        rng = np.random.default_rng(3)
        n = 400
        self.same = np.array([i % 2 == 0 for i in range(n)])
        self.fold = np.array([i % 10 for i in range(n)])
        self.good = np.where(self.same, rng.normal(0.7, 0.1, n), rng.normal(0.2, 0.1, n))

    def test_a_worse_build_is_significant_and_its_missing_faces_counted(self):
        worse = self.good.copy()
        worse[self.same & (np.arange(len(worse)) % 4 == 0)] = 0.1   # half the same pairs decided wrongly
        worse[0] = -1   # a face missing
        [row] = builds.compare(report(self.good, self.same, self.fold), report(worse, self.same, self.fold))
        self.assertLess(row["after"], row["before"])
        self.assertTrue(row["significant"])
        self.assertEqual((row["missing_before"], row["missing_after"]), (0, 1))
        self.assertAlmostEqual(row["max_similarity_change"], float(np.max(np.abs(worse - self.good)[1:])))

    def test_the_same_scores_are_no_change_and_other_pairs_are_refused(self):
        [row] = builds.compare(report(self.good, self.same, self.fold), report(self.good, self.same, self.fold))
        self.assertEqual(row["difference"], 0.0)
        self.assertFalse(row["significant"])
        self.assertEqual(row["max_similarity_change"], 0.0)
        with self.assertRaises(SystemExit):
            builds.compare(report(self.good, self.same, self.fold), report(self.good, ~self.same, self.fold))


if __name__ == "__main__":
    unittest.main()
