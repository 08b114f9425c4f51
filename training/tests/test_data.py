import os
import unittest

import torch

from training.data import (AlignedData, augment_batch, list_samples, make_batch, make_pairs, split_identities,
                           to_input)
from training.samplers import epoch_batches, pk_batches, random_batches

from training.tests.helpers import TinyDataTestCase


class DataTest(TinyDataTestCase):
    def test_manifest_and_directory_scan_agree(self):
        with_manifest = list_samples(self.tiny.root, ["synth-a"])
        manifest = os.path.join(self.tiny.root, "synth-a", "manifest.csv")
        os.rename(manifest, manifest + ".off")
        try:
            scanned = list_samples(self.tiny.root, ["synth-a"])
        finally:
            os.rename(manifest + ".off", manifest)
        self.assertEqual(with_manifest, scanned)
        self.assertTrue(all(ident.startswith("synth-a/") for _, ident in scanned))

    def test_missing_dataset_names_the_align_command(self):
        with self.assertRaises(FileNotFoundError) as ctx:
            list_samples(self.tiny.root, ["nope"])
        self.assertIn("align", str(ctx.exception))

    def test_split_is_by_identity_per_dataset_and_deterministic(self):
        samples = list_samples(self.tiny.root, ["synth-a", "synth-b"])
        train, val = split_identities(samples, 0.25, seed=7)
        self.assertEqual((train, val), split_identities(samples, 0.25, seed=7))
        train_ids, val_ids = {i for _, i in train}, {i for _, i in val}
        self.assertFalse(train_ids & val_ids)
        self.assertEqual(len(train) + len(val), len(samples))
        self.assertEqual(sum(i.startswith("synth-a/") for i in val_ids), 2)  # round(0.25 * 8)
        self.assertEqual(sum(i.startswith("synth-b/") for i in val_ids), 1)  # round(0.25 * 5)

    def test_pairs_are_fixed_and_labelled_correctly(self):
        labels = [0, 0, 0, 1, 1, 2, 2, 2, 3]
        i, j, same = make_pairs(labels, 12, seed=1)
        self.assertEqual((i, j, same), make_pairs(labels, 12, seed=1))
        self.assertEqual(sum(same), 6)
        self.assertEqual(len(same), 12)
        for a, b, s in zip(i, j, same):
            self.assertNotEqual(a, b)
            self.assertEqual(labels[a] == labels[b], s)

    def test_aligned_data_builds_and_reuses_the_cache(self):
        cfg = self.tiny.config()
        data = AlignedData(cfg["data"], 112, cfg["seed"], log=lambda *_: None)
        self.assertEqual(data.train_images.dtype, torch.uint8)
        self.assertEqual(tuple(data.train_images.shape[1:]), (3, 112, 112))
        self.assertEqual(len(data.train_images), len(data.train_labels))
        self.assertEqual(data.num_classes, 13 - 3)
        cache_files = os.listdir(os.path.join(self.tiny.dir, "cache"))
        self.assertEqual(len(cache_files), 1)
        again = AlignedData(cfg["data"], 112, cfg["seed"], log=self.fail)
        self.assertTrue(torch.equal(again.train_images, data.train_images))
        s = data.summary()
        self.assertEqual(s["identities"], 10)
        self.assertGreater(s["val_pairs"], 0)

    def test_input_normalisation_and_flip(self):
        img = torch.zeros(2, 3, 112, 112, dtype=torch.uint8)
        img[:, :, :, 0] = 255
        x = to_input(img)
        self.assertAlmostEqual(float(x[0, 0, 0, 0]), (255 - 127.5) / 128)
        self.assertAlmostEqual(float(x[0, 0, 0, 1]), -127.5 / 128)
        g = torch.Generator().manual_seed(0)
        flipped = make_batch(img, torch.tensor([0, 1] * 8), True, g)
        right = flipped[:, 0, 0, -1] > 0
        self.assertTrue(bool(right.any()) and not bool(right.all()))
        self.assertTrue(torch.equal(img, torch.zeros_like(img).index_fill_(3, torch.tensor([0]), 255)))


class AugmentTest(unittest.TestCase):
    def stripes(self):
        """Four grey crops, each with a bright vertical stripe at columns 54..57."""
        x = torch.full((4, 3, 112, 112), 60.0)
        x[:, :, :, 54:58] = 250.0
        return x

    @staticmethod
    def stripe_column(x):
        profile = (x[:, 0].mean(dim=1) - 60.0).clamp(min=0)  # (N, W), the stripe above the grey
        return (profile * torch.arange(112.0)).sum(1) / profile.sum(1)

    def test_zero_jitter_is_the_identity(self):
        x = self.stripes()
        out = augment_batch(x.clone(), {"shift": 0, "scale": 0, "rotate": 0, "brightness": 0})
        self.assertTrue(torch.equal(out, x))

    def test_shift_moves_the_face_within_its_bound(self):
        x = self.stripes()
        before = self.stripe_column(x)
        after = self.stripe_column(augment_batch(x.clone(), {"shift": 0.05}, torch.Generator().manual_seed(1)))
        moved = (after - before).abs()
        self.assertGreater(float(moved.max()), 0.5)
        self.assertLessEqual(float(moved.max()), 0.05 * 112 + 0.5)

    def test_draws_follow_the_generator(self):
        aug = {"shift": 0.04, "scale": 0.08, "rotate": 8, "brightness": 0.25, "contrast": 0.25, "grayscale": 0.5}
        a = augment_batch(self.stripes(), aug, torch.Generator().manual_seed(7))
        b = augment_batch(self.stripes(), aug, torch.Generator().manual_seed(7))
        c = augment_batch(self.stripes(), aug, torch.Generator().manual_seed(8))
        self.assertTrue(torch.equal(a, b))
        self.assertFalse(torch.equal(a, c))
        self.assertGreaterEqual(float(a.min()), 0.0)
        self.assertLessEqual(float(a.max()), 255.0)

    def test_grayscale_and_photometric_gains(self):
        x = self.stripes()
        x[:, 1] = 100.0
        grey = augment_batch(x.clone(), {"grayscale": 1.0})
        self.assertTrue(torch.equal(grey[:, 0], grey[:, 1]) and torch.equal(grey[:, 1], grey[:, 2]))
        lit = augment_batch(x.clone(), {"brightness": 0.3}, torch.Generator().manual_seed(2))
        gain = lit[:, 1, 0, 0] / 100.0
        self.assertTrue(bool(((gain >= 0.7) & (gain <= 1.3)).all()))
        self.assertGreater(float(gain.std()), 0.0)  # one gain per image

    def test_make_batch_applies_it_and_unknown_keys_fail(self):
        img = torch.full((2, 3, 112, 112), 128, dtype=torch.uint8)
        out = make_batch(img, torch.tensor([0, 1]), False, torch.Generator().manual_seed(0), {"grayscale": 1.0})
        self.assertTrue(torch.allclose(out, to_input(img)))
        with self.assertRaises(ValueError):
            augment_batch(self.stripes(), {"blur": 1})


class SamplerTest(unittest.TestCase):
    def test_pk_batches_hold_k_images_of_p_identities(self):
        labels = [0] * 9 + [1] * 3 + [2] * 5 + [3] * 4 + [4] * 1 + [5] * 8
        batches = pk_batches(labels, P=2, K=4, seed=1, epoch=0)
        self.assertEqual(batches, pk_batches(labels, P=2, K=4, seed=1, epoch=0))
        self.assertNotEqual(batches, pk_batches(labels, P=2, K=4, seed=1, epoch=1))
        chunks = 3 + 1 + 2 + 1 + 1 + 2
        self.assertEqual(len(batches), chunks // 2)
        for b in batches:
            self.assertEqual(len(b), 8)
            for half in (b[:4], b[4:]):
                self.assertEqual(len({labels[i] for i in half}), 1)
        seen = {i for b in batches for i in b}
        self.assertGreaterEqual(len(seen), len(labels) - 4 * 1 - 4)  # at most one chunk is dropped

    def test_random_batches_and_dispatch(self):
        labels = list(range(20))
        b = random_batches(labels, 8, seed=0, epoch=0)
        self.assertEqual([len(x) for x in b], [8, 8])
        self.assertEqual(len({i for x in b for i in x}), 16)
        self.assertEqual(epoch_batches({"sampler": "random", "P": 2, "K": 4}, labels, 0, 0), b)
        with self.assertRaises(ValueError):
            epoch_batches({"sampler": "nope", "P": 2, "K": 4}, labels, 0, 0)


if __name__ == "__main__":
    unittest.main()
