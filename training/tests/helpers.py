"""Shared fixtures: a tiny synthetic aligned set and a config pointing at it."""
import os
import shutil
import tempfile
import unittest

from training import config as C
from training.synthetic import generate_dataset


class TinyData:
    """Context manager: a temp dir with data/aligned-like synthetic datasets."""

    def __init__(self, datasets=(("synth-a", 8, 4, 6), ("synth-b", 5, 3, 4))):
        self.datasets = datasets

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="faceoff-test-")
        self.root = os.path.join(self.dir, "aligned")
        for name, ids, lo, hi in self.datasets:
            generate_dataset(self.root, name, ids, lo, hi, seed=3)
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)

    def config(self, loss="softmax", *extra):
        return C.load_config(C.loss_config_path(loss), [
            "data.root=" + self.root,
            "data.datasets=" + '["%s"]' % '", "'.join(d[0] for d in self.datasets),
            "data.cache_dir=" + os.path.join(self.dir, "cache"),
            "data.val_fraction=0.25", "data.val_pairs=60",
            "train.epochs=2", "train.batch.P=3", "train.batch.K=4", "train.threads=1",
            "train.margin_warmup_epochs=1", "train.log_every_steps=1000",
            "train.checkpoint_every_steps=0", "train.bn_recalibration_batches=4",
        ] + list(extra))


class TinyDataTestCase(unittest.TestCase):
    """A test case class with ``cls.tiny``: one TinyData shared by its tests."""

    @classmethod
    def setUpClass(cls):
        cls.tiny = TinyData().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.tiny.__exit__(None, None, None)
