"""Contrastive loss jointly with softmax, as in DeepID2 (Sun et al., 2014).

L = Ident + weight * Verif, with Ident the softmax cross-entropy and, for every pair (i, j) of
the batch at distance d = |f_i - f_j|,
    Verif = 1/2 d^2                    if i and j are the same identity,
    Verif = 1/2 max(0, margin - d)^2   otherwise.
All pairs of the P x K batch are used; positive and negative pairs are averaged separately and
added, so the many negative pairs do not drown the few positive ones. DeepID2 measures d on its
raw (ReLU) features; our embedding is a BatchNorm output, so by default d is measured between
L2-normalised embeddings (``normalize``), which gives ``margin`` a scale-free meaning (d <= 2).
"""
import torch

from .base import FaceLoss, pairwise_squared_distances
from .softmax import SoftmaxLoss


def contrastive_verification(features, labels, margin):
    """The DeepID2 verification term over all pairs of the batch: (loss, n_pos, n_neg)."""
    d2 = pairwise_squared_distances(features)
    n = len(labels)
    upper = torch.ones(n, n, dtype=torch.bool, device=labels.device).triu(1)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    pos, neg = same & upper, ~same & upper
    loss = features.new_zeros(())
    if pos.any():
        loss = loss + 0.5 * d2[pos].mean()
    if neg.any():
        d = d2[neg].clamp(min=1e-12).sqrt()
        loss = loss + 0.5 * (margin - d).clamp(min=0.0).pow(2).mean()
    return loss, int(pos.sum()), int(neg.sum())


class ContrastiveLoss(FaceLoss):
    name = "contrastive"
    min_per_identity = 2
    defaults = {"weight": 1.0, "margin": 1.0, "normalize": True}

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__(embedding_dim, num_classes, params)
        self.softmax = SoftmaxLoss(embedding_dim, num_classes)

    def forward(self, embeddings, labels):
        features = torch.nn.functional.normalize(embeddings, dim=1) if self.params["normalize"] else embeddings
        verif, _, _ = contrastive_verification(features, labels, float(self.params["margin"]))
        return self.softmax(embeddings, labels) + float(self.params["weight"]) * verif
