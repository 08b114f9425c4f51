"""training.ft_table on small hand-made reports: served results, paired tests and the default-model rule."""
import json
import os
import shutil
import tempfile
import unittest

from training import ft_table


def _report(models, same, fold, scores, served=None):
    return {"pairSame": same, "pairFold": fold,
            "results": [{"model": m, "flip": False, "acc10": acc, "pairScores": s} for m, (acc, s) in zip(models, scores)],
            "servedDecisions": served or []}


class FtTableTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, path, obj):
        os.makedirs(os.path.join(self.dir, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(self.dir, path), "w") as f:
            json.dump(obj, f)

    def test_the_table_pairs_each_fine_tune_with_its_scratch_row_and_checks_the_default_rule(self):
        n = 200
        same = [i % 2 == 0 for i in range(n)]
        fold = [i % 10 for i in range(n)]
        perfect = [0.9 if s else 0.1 for s in same]
        # the baseline gets 20 pairs wrong on 'mask' and 'lfw'; the fine-tune none
        flawed = [(0.1 if s else 0.9) if i < 20 else v for i, (s, v) in enumerate(zip(same, perfect))]
        acc = lambda scores: sum((v >= 0.5) == s for v, s in zip(scores, same)) / n
        ft, base = "arcface-ft", ft_table.BASELINE
        served = [{"model": ft, "flip": False, "frr": 0.01, "far": 0.001},
                  {"model": base, "flip": False, "frr": 0.02, "far": 0.001}]
        for s in ft_table.SETS:
            self.write("ev/%s-ft/report.json" % s, _report([ft], same, fold, [(acc(perfect), perfect)], served))
            self.write("ev/%s-scratch/report.json" % s, _report([base], same, fold, [(acc(flawed), flawed)], served))
        rows = [{"transform": t, "model": m, "flip": False, "acc10": acc(sc), "pairScores": sc}
                for t in ("none",) + ft_table.TRANSFORMS for m, sc in ((ft, perfect), (base, flawed))]
        self.write("rob/ft/report.json", {"pairSame": same, "pairFold": fold, "rows": rows})
        res = ft_table.Results(os.path.join(self.dir, "ev"), os.path.join(self.dir, "rob"), os.path.join(self.dir, "none"))
        best, text = ft_table.table(res)
        self.assertEqual(best, ft)
        self.assertIn("| arcface | arcface-ft (fine-tune) | 100.00 |", text)
        self.assertIn("(best)", text)
        self.assertIn("1.00 / 0.100", text)  # FRR / FAR in percent at the served threshold
        ok, check = ft_table.default_check(res, best)
        self.assertTrue(ok, check)
        self.assertIn("+10.00 [", check)
        # the same fine-tune with a worse FRR than the baseline fails the rule
        res.served["lfw", ft] = {"frr": 0.05, "far": 0.001}
        self.assertFalse(ft_table.default_check(res, best)[0])


    def test_pairs_needed_matches_the_experiment_reports_formula(self):
        # the values of experiment.ProportionsTest for sampleSizePerGroup
        self.assertEqual(ft_table.pairs_needed(0.03, 0.01), 769)
        self.assertEqual(ft_table.pairs_needed(0.05, 0.10), 435)
        self.assertIsNone(ft_table.pairs_needed(0.2, 0.2))


if __name__ == "__main__":
    unittest.main()
