import json
import math
import os
import unittest

import torch
import torch.nn.functional as F

from training import config as C
from training.losses import LOSSES, build_loss
from training.losses.arcface import arc_margin_target
from training.losses.base import target_of
from training.losses.center import center_update
from training.losses.contrastive import contrastive_verification
from training.losses.sphereface import chebyshev_cos, psi
from training.losses.triplet import batch_hard_triplets, semihard_triplets
from training.losses.base import pairwise_squared_distances


def batch(n_ids=4, k=4, dim=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n_ids).repeat_interleave(k)
    return torch.randn(n_ids * k, dim, generator=g), labels


class RegistryTest(unittest.TestCase):
    def test_every_loss_has_a_config_that_builds(self):
        self.assertEqual(set(LOSSES), {"softmax", "contrastive", "triplet", "center", "sphereface", "cosface", "arcface"})
        for name in LOSSES:
            cfg = C.load_config(C.loss_config_path(name))
            self.assertEqual(cfg["loss"]["name"], name)
            self.assertEqual(cfg["name"], name + "-mfn64")
            loss = build_loss(cfg["loss"], 16, 5)
            self.assertIsInstance(loss, LOSSES[name])

    def test_configs_differ_only_in_loss_and_name(self):
        base = C.load_config(os.path.join(C.CONFIG_DIR, "base.json"))
        for name in LOSSES:
            cfg = C.load_config(C.loss_config_path(name))
            self.assertEqual({k: v for k, v in cfg.items() if k not in ("loss", "name")},
                             {k: v for k, v in base.items() if k != "name"})

    def test_augmented_schedule_is_each_loss_config_plus_one_schedule(self):
        aug_dir = os.path.join(C.CONFIG_DIR, "aug")
        with open(os.path.join(aug_dir, "schedule.json")) as f:
            schedule = json.load(f)
        self.assertIn("augment", schedule["data"])
        for name in LOSSES:
            cfg = C.load_config(os.path.join(aug_dir, name + ".json"))
            expected = C.deep_merge(C.load_config(C.loss_config_path(name)), schedule)
            expected["name"] = name + "-mfn64-aug"
            self.assertEqual(cfg, expected)

    def test_unknown_hyper_parameter_is_rejected(self):
        with self.assertRaises(ValueError):
            build_loss({"name": "arcface", "margin": 0.5}, 16, 5)


class ShapesAndGradientsTest(unittest.TestCase):
    def test_scalar_finite_loss_and_gradients_for_every_loss(self):
        for name in LOSSES:
            with self.subTest(loss=name):
                torch.manual_seed(0)
                x, y = batch()
                x.requires_grad_(True)
                loss_fn = build_loss({"name": name}, x.shape[1], 4)
                loss_fn.set_progress(10, 10)
                loss = loss_fn(x, y)
                self.assertEqual(loss.dim(), 0)
                self.assertTrue(torch.isfinite(loss))
                loss.backward()
                self.assertIsNotNone(x.grad)
                self.assertGreater(float(x.grad.abs().sum()), 0.0)
                for pname, p in loss_fn.named_parameters():
                    self.assertIsNotNone(p.grad, pname)
                    self.assertTrue(torch.isfinite(p.grad).all(), pname)

    def test_classifier_losses_have_class_weights_and_triplet_has_none(self):
        self.assertEqual(len(list(build_loss({"name": "triplet"}, 16, 5).parameters())), 0)
        for name in ("softmax", "contrastive", "center", "sphereface", "cosface", "arcface"):
            params = sum(p.numel() for p in build_loss({"name": name}, 16, 5).parameters())
            self.assertGreaterEqual(params, 16 * 5, name)


class MarginTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(1)
        self.x, self.y = batch(n_ids=6, k=2, dim=32)

    def plain_cos_target(self, loss_fn):
        return target_of(loss_fn.cosine(self.x), self.y)

    def test_cosface_and_arcface_targets_are_below_plain_normalised_softmax(self):
        for name in ("cosface", "arcface"):
            loss_fn = build_loss({"name": name}, 32, 6)
            loss_fn.set_progress(100, 10)
            s = loss_fn.params["s"]
            with torch.no_grad():
                margin_t = target_of(loss_fn.logits(self.x, self.y), self.y)
                plain_t = s * self.plain_cos_target(loss_fn)
            self.assertTrue(bool((margin_t < plain_t).all()), name)
            # other classes' logits are untouched
            with torch.no_grad():
                logits = loss_fn.logits(self.x, self.y)
                mask = F.one_hot(self.y, 6).bool()
                self.assertTrue(torch.allclose(logits[~mask], s * loss_fn.cosine(self.x)[~mask]))

    def test_margin_warm_up_starts_at_plain_softmax(self):
        for name in ("cosface", "arcface"):
            loss_fn = build_loss({"name": name}, 32, 6)
            loss_fn.set_progress(0, 10)
            self.assertEqual(loss_fn.schedule_factor(), 0.0)
            with torch.no_grad():
                self.assertTrue(torch.allclose(loss_fn.logits(self.x, self.y),
                                               loss_fn.params["s"] * loss_fn.cosine(self.x), atol=1e-5))
            loss_fn.set_progress(5, 10)
            self.assertAlmostEqual(loss_fn.schedule_factor(), 0.5)

    def test_sphereface_target_is_below_plain_when_lambda_is_small(self):
        loss_fn = build_loss({"name": "sphereface"}, 32, 6)
        loss_fn.set_progress(10 ** 6, 100)
        self.assertEqual(loss_fn.lam, 5.0)
        with torch.no_grad():
            t = target_of(loss_fn.logits(self.x, self.y), self.y)
            plain = self.x.norm(dim=1) * self.plain_cos_target(loss_fn)
        self.assertTrue(bool((t <= plain + 1e-6).all()))
        self.assertTrue(bool((t < plain).any()))

    def test_sphereface_lambda_anneals_from_base_to_floor_over_the_warm_up(self):
        loss_fn = build_loss({"name": "sphereface"}, 8, 3)
        loss_fn.set_progress(0, 300)
        self.assertEqual(loss_fn.lam, 1000.0)
        loss_fn.set_progress(150, 300)
        self.assertTrue(5.0 < loss_fn.lam < 1000.0)
        loss_fn.set_progress(300, 300)
        self.assertAlmostEqual(loss_fn.lam, 5.0, places=6)
        paper = build_loss({"name": "sphereface", "lambda_gamma": 0.12}, 8, 3)
        paper.set_progress(100, 300)
        self.assertAlmostEqual(paper.lam, 1000.0 / (1 + 0.12 * 100))

    def test_arcface_target_is_monotonic_and_uses_the_insightface_fallback(self):
        m = 0.5
        theta = torch.linspace(0, math.pi, 2001, dtype=torch.float64)
        t = arc_margin_target(torch.cos(theta), m)
        self.assertTrue(bool((t[1:] <= t[:-1] + 1e-12).all()))
        past = theta > math.pi - m
        expected = torch.cos(theta[past]) - m * math.sin(m)
        self.assertTrue(torch.allclose(t[past], expected))
        inside = theta < math.pi - m - 1e-3
        self.assertTrue(torch.allclose(t[inside], torch.cos(theta[inside] + m)))
        easy = arc_margin_target(torch.cos(theta), m, easy_margin=True)
        self.assertTrue(torch.allclose(easy[theta > math.pi / 2], torch.cos(theta[theta > math.pi / 2])))


class SphereFacePsiTest(unittest.TestCase):
    def test_chebyshev_equals_cos_m_theta(self):
        theta = torch.linspace(0, math.pi, 101, dtype=torch.float64)
        for m in range(1, 6):
            self.assertTrue(torch.allclose(chebyshev_cos(m, torch.cos(theta)), torch.cos(m * theta), atol=1e-9))

    def test_psi_is_monotonically_decreasing_on_0_pi(self):
        theta = torch.linspace(0, math.pi, 4001, dtype=torch.float64)
        for m in (2, 3, 4):
            p = psi(torch.cos(theta), m)
            self.assertTrue(bool((p[1:] <= p[:-1] + 1e-9).all()), m)
            self.assertAlmostEqual(float(p[0]), 1.0, places=9)
            self.assertAlmostEqual(float(p[-1]), 1.0 - 2.0 * m, places=6)
            # continuous: no jumps at k*pi/m
            self.assertLess(float((p[1:] - p[:-1]).abs().max()), 0.05)

    def test_psi_below_cos(self):
        theta = torch.linspace(0, math.pi, 1001, dtype=torch.float64)
        self.assertTrue(bool((psi(torch.cos(theta), 4) <= torch.cos(theta) + 1e-12).all()))


class TripletMiningTest(unittest.TestCase):
    # 1-D embeddings on a line; squared distances are easy to check by hand.
    #  index:   0     1     2     3     4
    #  value:  0.0   0.3   0.5   0.9   2.0
    #  label:   A     A     B     B     B
    def setUp(self):
        self.f = torch.tensor([[0.0], [0.3], [0.5], [0.9], [2.0]])
        self.y = torch.tensor([0, 0, 1, 1, 1])
        self.d2 = pairwise_squared_distances(self.f)

    def test_pairwise_distances(self):
        self.assertAlmostEqual(float(self.d2[0, 4]), 4.0, places=5)
        self.assertEqual(float(self.d2[2, 2]), 0.0)

    def test_semihard_picks_closest_negative_farther_than_the_positive(self):
        a, p, n = semihard_triplets(self.d2, self.y)
        got = {(int(i), int(j)): int(k) for i, j, k in zip(a, p, n)}
        # anchor 0, positive 1 (d=0.09): negatives 2 (0.25), 3 (0.81), 4 (4.0) -> 2
        self.assertEqual(got[(0, 1)], 2)
        # anchor 1, positive 0 (d=0.09): negatives 2 (0.04), 3 (0.36), 4 (2.89) -> 3
        self.assertEqual(got[(1, 0)], 3)
        # anchor 4, positive 2 (d=2.25): negatives 0 (4.0), 1 (2.89) -> 1
        self.assertEqual(got[(4, 2)], 1)
        # anchor 2, positive 4 (d=2.25): negatives 0 (0.25), 1 (0.04) all closer -> farthest, 0
        self.assertEqual(got[(2, 4)], 0)
        self.assertEqual(len(got), 2 + 6)  # every ordered positive pair

    def test_batch_hard_picks_farthest_positive_and_closest_negative(self):
        a, p, n = batch_hard_triplets(self.d2, self.y)
        got = {int(i): (int(j), int(k)) for i, j, k in zip(a, p, n)}
        self.assertEqual(got[0], (1, 2))
        self.assertEqual(got[2], (4, 1))
        self.assertEqual(got[4], (2, 1))
        self.assertEqual(got[3], (4, 1))

    def test_triplet_loss_value(self):
        loss_fn = build_loss({"name": "triplet", "margin": 0.2, "mining": "batchhard"}, 2, 2)
        f = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
        y = torch.tensor([0, 0, 1, 1])
        # every anchor: farthest positive at d2=2, closest negative at d2=0 -> 2 - 0 + 0.2
        self.assertAlmostEqual(float(loss_fn(f, y)), 2.2, places=5)


class ContrastiveTest(unittest.TestCase):
    def test_verification_term_by_hand(self):
        f = torch.tensor([[0.0, 0.0], [0.6, 0.0], [0.0, 0.8], [3.0, 0.0]])
        y = torch.tensor([0, 0, 1, 2])
        loss, n_pos, n_neg = contrastive_verification(f, y, margin=1.0)
        self.assertEqual((n_pos, n_neg), (1, 5))
        pos = 0.5 * 0.36
        # negative distances: (0,2)=0.8, (0,3)=3, (1,2)=1.0, (1,3)=2.4, (2,3)=sqrt(9.64)
        neg = 0.5 * (0.2 ** 2) / 5
        self.assertAlmostEqual(float(loss), pos + neg, places=5)

    def test_joint_with_softmax(self):
        x, y = batch()
        loss_fn = build_loss({"name": "contrastive", "weight": 0.0}, 16, 4)
        self.assertAlmostEqual(float(loss_fn(x, y)), float(loss_fn.softmax(x, y)), places=6)


class CenterLossTest(unittest.TestCase):
    def test_update_rule_of_the_paper(self):
        centers = torch.tensor([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]])
        feats = torch.tensor([[2.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
        labels = torch.tensor([0, 0, 1])
        center_update(centers, feats, labels, alpha=0.5)
        # c0: delta = ((0-2)+(0-0), (0-0)+(0-2)) / (1+2) = (-2/3, -2/3) -> c0 = (1/3, 1/3)
        # c1: delta = (1-3, 1-1) / 2 = (-1, 0) -> c1 = (1.5, 1)
        # c2: no sample -> unchanged
        self.assertTrue(torch.allclose(centers, torch.tensor([[1 / 3, 1 / 3], [1.5, 1.0], [5.0, 5.0]])))

    def test_centres_are_updated_after_the_step_and_not_by_the_optimizer(self):
        loss_fn = build_loss({"name": "center", "lambda": 0.5, "alpha": 1.0}, 4, 3)
        self.assertNotIn("centers", dict(loss_fn.named_parameters()))
        x = torch.ones(2, 4)
        y = torch.tensor([1, 1])
        loss = loss_fn(x, y)
        expected = float(loss_fn.softmax(x, y)) + 0.5 * 0.5 * 4.0
        self.assertAlmostEqual(float(loss), expected, places=5)
        self.assertEqual(float(loss_fn.centers.abs().sum()), 0.0)
        loss_fn.post_step()
        self.assertTrue(torch.allclose(loss_fn.centers[1], torch.full((4,), 2.0 / 3.0)))
        self.assertEqual(float(loss_fn.centers[0].abs().sum()), 0.0)


if __name__ == "__main__":
    unittest.main()
