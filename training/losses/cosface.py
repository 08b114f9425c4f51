"""CosFace / AM-Softmax (Wang et al., 2018): additive cosine margin.

Features and class weights are L2-normalised; with cos(theta_j) = W_j . x / (|W_j| |x|),
    f_y = s (cos(theta_y) - m),   f_j = s cos(theta_j)   (j != y),
followed by softmax cross-entropy. During the shared margin warm-up m grows linearly from 0.
"""
from .base import CosineClassifierLoss, replace_target, target_of


class CosFaceLoss(CosineClassifierLoss):
    name = "cosface"
    defaults = {"s": 32.0, "m": 0.35}

    def logits(self, embeddings, labels):
        cos = self.cosine(embeddings)
        m = float(self.params["m"]) * self.schedule_factor()
        return float(self.params["s"]) * replace_target(cos, labels, target_of(cos, labels) - m)
