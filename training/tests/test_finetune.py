"""The fine-tuning path: the pretrained embedder as a PyTorch module (checked against ONNX Runtime on real
aligned faces), its weights written back as ONNX, the occluders and degradations, and a short real
fine-tune on synthetic identities with resume and export.

Needs the pretrained models (models/fetch-pretrained.sh) and, for the real faces and the mask templates,
../shared (or $FACEOFF_SHARED). Where they are missing the tests skip with the reason; under CI=true they fail.
"""
import glob
import json
import os
import shutil
import tempfile
import unittest

import torch

from training import config as C
from training import occlusion
from training.degrade import degrade_batch
from training.onnx_graph import OnnxGraph, write_onnx

TEACHER = C.resolve_repo_path("models/mobilefacenet-faceplugin/model.onnx")
LANDMARKS = C.resolve_repo_path("models/landmarks-68/model.onnx")
SHARED = os.environ.get("FACEOFF_SHARED") or os.path.join(os.path.dirname(C.REPO_ROOT), "shared")


def need(path, what):
    if not os.path.exists(path):
        message = "%s missing (%s)" % (path, what)
        if os.environ.get("CI") == "true":
            raise AssertionError(message + ": CI must have it")
        raise unittest.SkipTest(message)


def onnxruntime():
    try:
        import onnxruntime as ort
        return ort
    except ImportError:
        if os.environ.get("CI") == "true":
            raise AssertionError("onnxruntime is not installed for /usr/bin/python3 (bin/setup --test installs it)")
        raise unittest.SkipTest("onnxruntime is not installed for /usr/bin/python3 (bin/setup --test installs it)")


def casia_crops(n):
    """n real aligned faces, 112x112 RGB uint8: CASIA-WebFace's 112x96 SphereFace-aligned crops padded by 8 px
    left and right, which is exactly the ArcFace 112x112 template (the same five points, shifted 8 px)."""
    from PIL import Image
    root = os.path.join(SHARED, "datasets", "casia-14")
    need(root, "../shared data sets")
    files = sorted(glob.glob(os.path.join(root, "*", "*.jpg")))[::7][:n]
    out = torch.zeros(len(files), 3, 112, 112, dtype=torch.uint8)
    for i, f in enumerate(files):
        with Image.open(f) as im:
            im = im.convert("RGB")
            data = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).view(im.size[1], im.size[0], 3)
        out[i, :, :, 8:8 + im.size[0]] = data.permute(2, 0, 1)[:, :112, :96]
    return out


def read(path):
    with open(path) as f:
        return f.read()


def bgr_input(crops):
    return ((crops.float() - 127.5) / 128.0).flip(1).contiguous()


class BackboneTest(unittest.TestCase):
    def test_the_pretrained_embedder_as_pytorch_matches_onnx_runtime_on_real_faces(self):
        need(TEACHER, "models/fetch-pretrained.sh")
        ort = onnxruntime()
        crops = casia_crops(120)
        self.assertGreaterEqual(len(crops), 100)
        x = bgr_input(crops)
        graph = OnnxGraph(TEACHER).eval()
        with torch.no_grad():
            ours = graph(x)
        session = ort.InferenceSession(TEACHER, providers=["CPUExecutionProvider"])
        theirs = torch.from_numpy(session.run(None, {"input": x.numpy()})[0])
        self.assertEqual(tuple(ours.shape), (len(crops), 512))
        self.assertLessEqual(float((ours - theirs).abs().max()), 1e-4)
        # and it is a face embedder: two images of one identity are closer than two of different ones
        self.assertGreater(float(ours.norm(dim=1).min()), 0.1)

    def test_fine_tuned_weights_written_back_run_in_onnx_runtime_as_in_pytorch(self):
        need(TEACHER, "models/fetch-pretrained.sh")
        ort = onnxruntime()
        graph = OnnxGraph(TEACHER).eval()
        with torch.no_grad():
            for p in graph.parameters():
                p.mul_(1.01)
        x = torch.randn(3, 3, 112, 112)
        with torch.no_grad():
            expected = graph(x)
        d = tempfile.mkdtemp()
        try:
            path = write_onnx(graph, TEACHER, os.path.join(d, "m.onnx"))
            got = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"input": x.numpy()})[0]
            original = ort.InferenceSession(TEACHER, providers=["CPUExecutionProvider"]).run(None, {"input": x.numpy()})[0]
        finally:
            shutil.rmtree(d)
        self.assertLessEqual(float((torch.from_numpy(got) - expected).abs().max()), 1e-4)
        self.assertGreater(float((torch.from_numpy(got) - torch.from_numpy(original)).abs().max()), 1e-3)

    def test_unsupported_operators_are_named(self):
        import onnx
        from onnx import helper, TensorProto
        node = helper.make_node("Sigmoid", ["x"], ["y"])
        g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
        with self.assertRaisesRegex(ValueError, "Sigmoid"):
            OnnxGraph(helper.make_model(g))


class OcclusionTest(unittest.TestCase):
    def test_homography_recovers_a_known_perspective_map(self):
        h = torch.tensor([[1.2, 0.1, 5.0], [-0.05, 0.9, 3.0], [0.001, -0.0005, 1.0]], dtype=torch.float64)
        src = torch.tensor([[0, 0], [100, 5], [200, 0], [0, 150], [100, 200], [200, 150]], dtype=torch.float64)
        p = torch.cat([src, torch.ones(6, 1, dtype=torch.float64)], 1) @ h.t()
        dst = p[:, :2] / p[:, 2:]
        self.assertLess(float((occlusion.homography(src, dst) - h).abs().max()), 1e-6)

    def test_yaw_variant_follows_the_nose(self):
        lm = torch.zeros(68, 2)
        lm[0, 0], lm[16, 0] = 20, 90
        for nose, want in ((30, "left"), (55, "front"), (80, "right")):
            lm[30, 0] = nose
            self.assertEqual(occlusion.yaw_variant(lm), want)

    def _faces(self):
        need(LANDMARKS, "models/fetch-pretrained.sh")
        crops = casia_crops(8)
        return crops, occlusion.landmarks68(OnnxGraph(LANDMARKS).eval(), crops)

    def test_masks_cover_the_mouth_and_leave_the_eyes(self):
        masks = os.path.join(SHARED, "assets", "masks")
        need(masks, "../shared mask templates")
        crops, lm = self._faces()
        templates = occlusion.MaskTemplates(masks)
        self.assertEqual(len(templates.kinds), 7)
        out = occlusion.draw_masks(crops.float(), lm, templates, torch.Generator().manual_seed(0))
        changed = (out - crops.float()).abs().sum(1) > 30  # (n, H, W)
        for i in range(len(crops)):
            mouth = lm[i, 48:68].round().long().clamp(0, 111)
            eyes = lm[i, 36:48].round().long().clamp(0, 111)
            self.assertGreater(float(changed[i, mouth[:, 1], mouth[:, 0]].float().mean()), 0.8, "mouth of face %d" % i)
            self.assertLess(float(changed[i, eyes[:, 1], eyes[:, 0]].float().mean()), 0.2, "eyes of face %d" % i)

    def test_eye_occluders_cover_the_eyes_and_leave_the_mouth(self):
        crops, lm = self._faces()
        out = occlusion.draw_eye_occluders(crops.float(), lm, torch.Generator().manual_seed(3))
        changed = (out - crops.float()).abs().sum(1) > 30
        for i in range(len(crops)):
            mouth = lm[i, 48:68].round().long().clamp(0, 111)
            self.assertEqual(float(changed[i, mouth[:, 1], mouth[:, 0]].float().mean()), 0.0)
        self.assertGreater(float(changed[:, 40:65, :].float().mean()), float(changed[:, 90:, :].float().mean()))


class DegradeTest(unittest.TestCase):
    def test_each_degradation_changes_what_it_should(self):
        torch.manual_seed(0)
        x = torch.rand(4, 3, 112, 112) * 255
        tight = degrade_batch(x, {"tight": 1.0}, torch.Generator().manual_seed(0))
        self.assertEqual(float(tight[:, :, :, :3].abs().max()), 0.0)
        self.assertTrue(torch.equal(tight[:, :, 50, 50], x[:, :, 50, 50]))
        small = degrade_batch(x, {"downscale": 1.0, "downscale_px": [32, 32]}, torch.Generator().manual_seed(0))
        self.assertLess(float(small.std()), float(x.std()) * 0.6)  # the noise is averaged away
        jpeg = degrade_batch(x, {"jpeg": 1.0, "jpeg_quality": [20, 20]}, torch.Generator().manual_seed(0))
        self.assertEqual(tuple(jpeg.shape), tuple(x.shape))
        self.assertGreater(float((jpeg - x).abs().mean()), 5)
        same = degrade_batch(x, {"blur": 0.0, "jpeg": 0.0}, torch.Generator().manual_seed(0))
        self.assertTrue(torch.equal(same, x))
        with self.assertRaisesRegex(ValueError, "unknown degrade keys"):
            degrade_batch(x, {"jpg": 1.0}, torch.Generator())


class FineTuneSmokeTest(unittest.TestCase):
    """A few real steps of the recipe on synthetic identities: warm-up, resume, export, golden outputs."""

    def test_fine_tune_resumes_and_exports_a_graph_onnx_runtime_runs(self):
        need(TEACHER, "models/fetch-pretrained.sh")
        need(os.path.join(SHARED, "assets", "masks"), "../shared mask templates")
        ort = onnxruntime()
        from training.finetune import export, finetune
        from training.synthetic import generate_dataset
        d = tempfile.mkdtemp(prefix="faceoff-ft-")
        try:
            root = os.path.join(d, "aligned")
            generate_dataset(root, "synth", 6, 4, 6, seed=5)
            cfg = C.load_config(os.path.join(C.CONFIG_DIR, "ft", "arcface.json"), [
                "data.root=" + root, 'data.datasets=["synth"]', "data.cache_dir=" + os.path.join(d, "cache"),
                "data.val_fraction=0.34", "data.val_pairs=20", "data.shared=" + SHARED,
                "finetune.epochs=1", "finetune.batch.P=2", "finetune.batch.K=2", "finetune.threads=1",
                "finetune.head_warmup.epochs=2", "finetune.head_warmup.batch.P=2", "finetune.log_every_steps=1000",
                "finetune.checkpoint_every_steps=0"])
            work = os.path.join(d, "work")
            first = finetune(cfg, work, max_steps=2, quiet=True)
            self.assertEqual(first["status"], "stopped")
            done = finetune(cfg, work, quiet=True)
            self.assertEqual(done["status"], "finished")
            self.assertEqual(len(done["history"]), 1)
            log = read(os.path.join(work, "train.log"))
            self.assertIn("resuming at epoch 1 step 2", log)
            self.assertIn("head warm-up epoch 2/2", log)
            self.assertIn("img/s", log)
            out = os.path.join(d, "arcface-ft")
            result = export(cfg, out, work)
            card = json.loads(read(os.path.join(out, "model.json")))
            golden = json.loads(read(os.path.join(out, "golden.json")))
            self.assertEqual(card["loss"], "arcface")
            self.assertEqual(card["input"]["color"], "BGR")
            self.assertEqual(card["outputs"][0]["dim"], 512)
            self.assertIn("research use only", card["provenance"]["license"])
            self.assertLess(result["max_abs_diff"], 1e-5)
            session = ort.InferenceSession(os.path.join(out, "model.onnx"), providers=["CPUExecutionProvider"])
            from training.export import golden_input
            got = session.run(None, {"input": golden_input(0).numpy()})[0][0]
            self.assertLess(max(abs(a - b) for a, b in zip(got, golden["cases"][0]["output"])), 1e-4)
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
