import json
import math
import os
import unittest

import onnx
import torch

from training import export as E
from training.train import train
from training.utils import learning_rate, load_checkpoint

from training.tests.helpers import TinyDataTestCase


class ScheduleTest(unittest.TestCase):
    def test_warmup_then_cosine(self):
        sched = {"type": "cosine", "warmup_epochs": 1, "min_lr": 0.0}
        lrs = [learning_rate(sched, 0.1, s, 40, 10) for s in range(40)]
        self.assertAlmostEqual(lrs[0], 0.01)
        self.assertAlmostEqual(lrs[9], 0.1)
        self.assertAlmostEqual(lrs[10], 0.1)
        self.assertAlmostEqual(lrs[25], 0.05, places=2)
        self.assertLess(lrs[39], 0.001)

    def test_step(self):
        sched = {"type": "step", "warmup_epochs": 0, "milestones": [2, 3], "gamma": 0.1}
        self.assertAlmostEqual(learning_rate(sched, 0.1, 19, 40, 10), 0.1)
        self.assertAlmostEqual(learning_rate(sched, 0.1, 20, 40, 10), 0.01)
        self.assertAlmostEqual(learning_rate(sched, 0.1, 35, 40, 10), 0.001)


class TrainResumeExportTest(TinyDataTestCase):
    def test_interrupted_run_resumes_to_the_same_weights(self):
        # with augmentation, whose random draws must also continue where they stopped
        cfg = self.tiny.config("center", 'data.augment={"shift": 0.04, "rotate": 8, "brightness": 0.25, '
                                         '"contrast": 0.25, "grayscale": 0.1, "scale": 0.08}')
        whole = train(cfg, os.path.join(self.tiny.dir, "whole"), quiet=True)
        self.assertEqual(whole["status"], "finished")
        steps = whole["steps"]
        part = os.path.join(self.tiny.dir, "part")
        first = train(cfg, part, max_steps=steps // 2 + 1, quiet=True)  # stops inside epoch 2
        self.assertEqual(first["status"], "stopped")
        second = train(cfg, part, quiet=True)
        self.assertEqual(second["status"], "finished")
        self.assertEqual(first["steps"] + second["steps"], steps)
        a = load_checkpoint(whole["checkpoint"])
        b = load_checkpoint(second["checkpoint"])
        for k in a["model"]:
            self.assertTrue(torch.allclose(a["model"][k].float(), b["model"][k].float(), atol=1e-4), k)
        self.assertTrue(torch.allclose(a["loss"]["centers"], b["loss"]["centers"], atol=1e-4))
        again = train(cfg, part, quiet=True)
        self.assertEqual((again["status"], again["steps"]), ("finished", 0))
        with open(os.path.join(part, "log.jsonl")) as f:
            rows = [json.loads(line) for line in f]
        self.assertEqual([r["epoch"] for r in rows], [1, 2])
        for key in ("loss", "lr", "margin_factor", "val_acc", "wall_seconds", "epoch_seconds"):
            self.assertIn(key, rows[0])

    def test_changed_config_is_not_silently_resumed(self):
        cfg = self.tiny.config("softmax")
        work = os.path.join(self.tiny.dir, "changed")
        train(cfg, work, max_steps=1, quiet=True)
        other = self.tiny.config("softmax", "train.optimizer.lr=0.05")
        with self.assertRaises(SystemExit):
            train(other, work, quiet=True)

    def test_export_contract_golden_and_preserved_calibration(self):
        cfg = self.tiny.config("arcface")
        result = train(cfg, os.path.join(self.tiny.dir, "arc"), quiet=True)
        out = os.path.join(self.tiny.dir, "export", "arcface-mfn64")
        os.makedirs(out)
        with open(os.path.join(out, "model.json"), "w") as f:
            json.dump({"thresholds": {"far1e-3": 0.42}, "metrics": {"lfw": 0.9}, "testTimeFlip": True}, f)
        summary = E.export(cfg, out, checkpoint=result["checkpoint"])
        self.assertLess(summary["max_abs_diff"], 1e-4)
        with open(os.path.join(out, "model.json")) as f:
            card = json.load(f)
        self.assertEqual(set(card), {"name", "version", "task", "loss", "lossParams", "backbone", "file", "sha256",
                                     "input", "outputs", "alignment", "testTimeFlip", "thresholds", "metrics",
                                     "training", "provenance"})
        self.assertIs(card["testTimeFlip"], True)
        self.assertEqual(card["name"], "arcface-mfn64")
        self.assertEqual(card["version"], 1)
        self.assertEqual(card["lossParams"], {"s": 32.0, "m": 0.5})
        self.assertEqual(card["backbone"], "mobilefacenet-64")
        self.assertEqual(card["input"], {"name": "input", "shape": [-1, 3, 112, 112], "layout": "NCHW",
                                         "color": "RGB", "mean": 127.5, "std": 128.0})
        self.assertEqual(card["outputs"], [{"name": "embedding", "dim": 128}])
        self.assertEqual(card["thresholds"], {"far1e-3": 0.42})
        self.assertEqual(card["metrics"], {"lfw": 0.9})
        t = card["training"]
        self.assertEqual(t["data"], ["synth-a", "synth-b"])
        self.assertEqual(t["epochs"], 2)
        self.assertIsInstance(t["images"], int)
        self.assertIsInstance(t["wallSeconds"], int)
        self.assertEqual(t["config"]["loss"]["name"], "arcface")
        self.assertIn("accuracy", t["validation"])
        self.assertEqual([c["epoch"] for c in t["curve"]], [1, 2])
        self.assertEqual(t["curve"][-1]["valAcc"], round(t["validation"]["accuracy"], 5))
        import hashlib
        with open(os.path.join(out, "model.onnx"), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), card["sha256"])

        proto = onnx.load(os.path.join(out, "model.onnx"))
        onnx.checker.check_model(proto)
        self.assertEqual([i.name for i in proto.graph.input], ["input"])
        self.assertEqual([o.name for o in proto.graph.output], ["embedding"])
        dims = proto.graph.input[0].type.tensor_type.shape.dim
        self.assertTrue(dims[0].dim_param)
        self.assertEqual([d.dim_value for d in dims[1:]], [3, 112, 112])
        self.assertEqual(proto.graph.output[0].type.tensor_type.shape.dim[1].dim_value, 128)
        self.assertTrue(13 <= proto.opset_import[0].version <= 17)

        with open(os.path.join(out, "golden.json")) as f:
            golden = json.load(f)
        self.assertEqual(golden["tolerance"], 1e-4)
        self.assertEqual(golden["generator"], "sin(0.37*(k+1) + 0.11*h*(c+1) + 0.05*w)")
        self.assertEqual([c["k"] for c in golden["cases"]], [0, 1, 2, 3])
        x = E.golden_input(2)
        self.assertAlmostEqual(float(x[0, 1, 5, 7]), math.sin(0.37 * 3 + 0.11 * 5 * 2 + 0.05 * 7), places=6)
        model = E.build_model(cfg["model"])
        model.load_state_dict(load_checkpoint(result["checkpoint"])["model"])
        model.eval()
        with torch.no_grad():
            expected = model(x)[0]
        self.assertEqual(len(golden["cases"][2]["output"]), 128)
        self.assertLess(float((torch.tensor(golden["cases"][2]["output"]) - expected).abs().max()), 1e-6)
        from training import onnx_check
        onnx_out = onnx_check.run(proto, {"input": x})["embedding"][0]
        self.assertLess(float((onnx_out - expected).abs().max()), 1e-4)

        # Re-export keeps the calibration and bumps nothing.
        E.export(cfg, out, checkpoint=result["checkpoint"])
        with open(os.path.join(out, "model.json")) as f:
            self.assertEqual(json.load(f)["thresholds"], {"far1e-3": 0.42})

    def test_unfinished_run_is_not_exported_by_default(self):
        cfg = self.tiny.config("cosface")
        result = train(cfg, os.path.join(self.tiny.dir, "cos"), max_steps=1, quiet=True)
        with self.assertRaises(SystemExit):
            E.export(cfg, os.path.join(self.tiny.dir, "cos-out"), checkpoint=result["checkpoint"])


if __name__ == "__main__":
    unittest.main()
