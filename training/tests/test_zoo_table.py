import json
import os
import tempfile
import unittest

from training import zoo_table


def result(model, loss, flip, acc, dprime=2.0, threshold=0.5):
    return {"model": model, "loss": loss, "flip": flip, "acc10": acc, "sd": 0.01, "auc": 0.9, "eer": 0.1,
            "tarAtFar": {"1e-3": 0.3}, "separation": {"dPrime": dprime},
            "calibration": {"thresholds": {"1e-3": {"cosine": threshold, "tar": 0.3}}}}


class ZooTableTest(unittest.TestCase):

    def test_rows_best_first_baseline_last_later_reports_win(self):
        with tempfile.TemporaryDirectory() as root:
            models = os.path.join(root, "models")
            for name, loss, card_training in [
                    ("arcface-x", "arcface", {"epochs": 16, "wallSeconds": 4500,
                                              "curve": [{"epoch": e, "valAcc": e / 20} for e in range(1, 17)]}),
                    ("center-x", "center", {"epochs": 20, "wallSeconds": 4980,
                                            "config": {"data": {"augment": {"shift": 0.04}}},
                                            "curve": [{"epoch": e, "valAcc": e / 40} for e in range(1, 21)]}),
                    ("vendor", "arcface", {})]:
                os.makedirs(os.path.join(models, name))
                with open(os.path.join(models, name, "model.json"), "w") as f:
                    json.dump({"name": name, "loss": loss, "lossParams": {"s": 32.0, "m": 0.5, "lambda": 0.003,
                                                                         "alpha": 0.5},
                               "training": card_training}, f)
            first = os.path.join(root, "a.json")
            second = os.path.join(root, "b.json")
            with open(first, "w") as f:
                json.dump({"results": [result("vendor", "arcface", False, 0.99), result("arcface-x", "arcface", False, 0.5)]}, f)
            with open(second, "w") as f:
                json.dump({"results": [result("arcface-x", "arcface", False, 0.84), result("arcface-x", "arcface", True, 0.85),
                                       result("center-x", "center", False, 0.86)]}, f)
            rows = zoo_table.rows(zoo_table.load_results([first, second]), models)
            self.assertEqual([r.split(" | ")[0] for r in rows], ["| center-x", "| arcface-x", "| vendor"])
            self.assertIn("| ArcFace (s 32, m 0.5) | 84.00% ± 1.00 | 85.00% ± 1.00 |", rows[1])
            self.assertIn("0.200 / 0.400 / 0.600 / 0.800 | 16 epochs, 75 min |", rows[1])
            self.assertIn("center loss + CE (λ 0.003, α 0.5)", rows[0])
            self.assertIn("0.100 / 0.200 / 0.300 / 0.500 | 20 epochs + aug, 83 min |", rows[0])
            self.assertIn("| pretrained baseline | 99.00% ± 1.00 | — |", rows[2])
            self.assertTrue(rows[2].endswith("| vendor |"))


    def test_the_latest_report_wins_whatever_the_argument_order_and_a_flipped_model_shows_its_flipped_threshold(self):
        with tempfile.TemporaryDirectory() as root:
            models = os.path.join(root, "models")
            os.makedirs(os.path.join(models, "center-x"))
            with open(os.path.join(models, "center-x", "model.json"), "w") as f:
                json.dump({"name": "center-x", "loss": "center", "testTimeFlip": True,
                           "lossParams": {"lambda": 0.003, "alpha": 0.5},
                           "training": {"epochs": 20, "wallSeconds": 600}}, f)
            newer = os.path.join(root, "newer.json")
            older = os.path.join(root, "older.json")
            with open(newer, "w") as f:
                json.dump({"generated": "2026-12-04T00:10:00Z",
                           "results": [result("center-x", "center", False, 0.87, threshold=0.60),
                                       result("center-x", "center", True, 0.88, threshold=0.62)]}, f)
            with open(older, "w") as f:   # written last, but older by its content
                json.dump({"generated": "2026-11-30T09:00:00Z",
                           "results": [result("center-x", "center", False, 0.80, threshold=0.50)]}, f)
            for order in ([newer, older], [older, newer]):
                rows = zoo_table.rows(zoo_table.load_results(order), models)
                self.assertIn("| 87.00% ± 1.00 | 88.00% ± 1.00 |", rows[0])
                self.assertIn("| 0.6200 |", rows[0])


if __name__ == "__main__":
    unittest.main()
