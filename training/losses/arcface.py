"""ArcFace (Deng et al., CVPR 2019): additive angular margin.

Features and class weights are L2-normalised; f_y = s cos(theta_y + m), f_j = s cos(theta_j).
cos(theta + m) = cos(theta) cos(m) - sin(theta) sin(m). theta + m must stay within [0, pi] for
the target logit to keep decreasing in theta, so, as in insightface:
  * default: where cos(theta) <= cos(pi - m) (theta > pi - m) use cos(theta) - m sin(m) instead;
  * ``easy_margin``: apply the margin only where cos(theta) > 0.
During the shared margin warm-up m grows linearly from 0 (the thresholds follow m).
"""
import math

import torch

from .base import CosineClassifierLoss, replace_target, target_of


def arc_margin_target(cos_t, m, easy_margin=False):
    sin_t = (1.0 - cos_t * cos_t).clamp(min=1e-12).sqrt()
    phi = cos_t * math.cos(m) - sin_t * math.sin(m)
    if easy_margin:
        return torch.where(cos_t > 0, phi, cos_t)
    threshold = math.cos(math.pi - m)
    return torch.where(cos_t > threshold, phi, cos_t - math.sin(math.pi - m) * m)


class ArcFaceLoss(CosineClassifierLoss):
    name = "arcface"
    defaults = {"s": 32.0, "m": 0.5, "easy_margin": False}

    def logits(self, embeddings, labels):
        cos = self.cosine(embeddings)
        m = float(self.params["m"]) * self.schedule_factor()
        target = arc_margin_target(target_of(cos, labels), m, bool(self.params["easy_margin"]))
        return float(self.params["s"]) * replace_target(cos, labels, target)
