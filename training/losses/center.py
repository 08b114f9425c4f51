"""Center loss jointly with softmax (Wen et al., ECCV 2016).

L = L_softmax + lambda/2 * mean_i |x_i - c_{y_i}|^2      (the paper sums over the mini-batch;
                                                          both terms here are batch means, so
                                                          lambda keeps the paper's ratio)
The centres c_j are not trained by the optimizer but by the paper's own rule (Algorithm 1),
applied after each optimizer step with the batch's features:
    delta c_j = sum_i [y_i = j] (c_j - x_i) / (1 + sum_i [y_i = j])
    c_j <- c_j - alpha * delta c_j
"""
import torch

from .base import FaceLoss
from .softmax import SoftmaxLoss


def center_update(centers, features, labels, alpha):
    """The paper's update rule, in place on ``centers``."""
    with torch.no_grad():
        diff_sum = torch.zeros_like(centers).index_add_(0, labels, centers[labels] - features)
        counts = torch.zeros(len(centers), device=centers.device, dtype=centers.dtype)
        counts.index_add_(0, labels, torch.ones_like(labels, dtype=centers.dtype))
        centers.sub_(alpha * diff_sum / (1.0 + counts).unsqueeze(1))


class CenterLoss(FaceLoss):
    name = "center"
    defaults = {"lambda": 0.003, "alpha": 0.5}

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__(embedding_dim, num_classes, params)
        self.softmax = SoftmaxLoss(embedding_dim, num_classes)
        self.register_buffer("centers", torch.zeros(num_classes, embedding_dim))
        self._pending = None

    def forward(self, embeddings, labels):
        center_term = 0.5 * (embeddings - self.centers[labels]).pow(2).sum(1).mean()
        if self.training:
            self._pending = (embeddings.detach(), labels)
        return self.softmax(embeddings, labels) + float(self.params["lambda"]) * center_term

    def post_step(self):
        if self._pending is not None:
            features, labels = self._pending
            center_update(self.centers, features, labels, float(self.params["alpha"]))
            self._pending = None
