"""A-Softmax / SphereFace (Liu et al., CVPR 2017): multiplicative angular margin.

Class weights are unit-norm and bias-free; features keep their norm. With cos(theta_j) =
W_j . x / |x| and integer margin m (paper: 4),
    psi(theta) = (-1)^k cos(m theta) - 2k,   theta in [k pi / m, (k + 1) pi / m], k in 0..m-1,
which is monotonically decreasing on [0, pi] (1 at 0, 1 - 2m at pi). cos(m theta) is computed
as the Chebyshev polynomial T_m(cos theta), like the authors' Caffe layer, so no acos sits on the
gradient path. As in the paper's training, the target logit is annealed from plain softmax:
    f_y = |x| (lambda cos(theta_y) + psi(theta_y)) / (1 + lambda),   f_j = |x| cos(theta_j),
    lambda = max(lambda_min, lambda_base * (1 + gamma * iteration) ^ -power)
(the paper's prototxt: base 1000, gamma 0.12, power 1, min 5). ``lambda_gamma: null`` derives
gamma so that lambda reaches lambda_min at the end of the shared margin warm-up, which keeps the
schedule comparable with the other margin losses; a number is used as given.
"""
import math

import torch

from .base import CosineClassifierLoss, replace_target, target_of


def chebyshev_cos(m, c):
    """cos(m * theta) as the Chebyshev polynomial T_m evaluated at c = cos(theta)."""
    prev, cur = torch.ones_like(c), c
    if m == 0:
        return prev
    for _ in range(m - 1):
        prev, cur = cur, 2.0 * c * cur - prev
    return cur


def psi(cos_theta, m):
    """SphereFace's psi(theta) given cos(theta); differentiable with respect to cos_theta."""
    with torch.no_grad():
        theta = torch.acos(cos_theta.clamp(-1.0, 1.0))
        k = torch.floor(m * theta / math.pi).clamp(0, m - 1)
    sign = 1.0 - 2.0 * torch.remainder(k, 2)
    return sign * chebyshev_cos(m, cos_theta) - 2.0 * k


class SphereFaceLoss(CosineClassifierLoss):
    name = "sphereface"
    defaults = {"m": 4, "lambda_base": 1000.0, "lambda_gamma": None, "lambda_power": 1.0,
                "lambda_min": 5.0}

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__(embedding_dim, num_classes, params)
        self.m = int(self.params["m"])
        if self.m < 1 or self.m != self.params["m"]:
            raise ValueError("sphereface m must be a positive integer")
        self.lam = float(self.params["lambda_base"])

    def gamma(self, warmup_steps):
        if self.params["lambda_gamma"] is not None:
            return float(self.params["lambda_gamma"])
        base, floor, power = (float(self.params[k]) for k in ("lambda_base", "lambda_min", "lambda_power"))
        if warmup_steps <= 0:
            return 0.12
        return ((base / floor) ** (1.0 / power) - 1.0) / warmup_steps

    def set_progress(self, step, warmup_steps):
        base, floor, power = (float(self.params[k]) for k in ("lambda_base", "lambda_min", "lambda_power"))
        self.lam = max(floor, base * (1.0 + self.gamma(warmup_steps) * step) ** (-power))

    def schedule_factor(self):
        """Weight of psi in the target logit, 1 / (1 + lambda)."""
        return 1.0 / (1.0 + self.lam)

    def logits(self, embeddings, labels):
        norm = embeddings.norm(dim=1)
        cos = self.cosine(embeddings)
        cos_t = target_of(cos, labels)
        target = norm * (self.lam * cos_t + psi(cos_t, self.m)) / (1.0 + self.lam)
        return replace_target(cos * norm.unsqueeze(1), labels, target)
