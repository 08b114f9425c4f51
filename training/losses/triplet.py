"""Triplet loss, FaceNet (Schroff et al., 2015), with online mining inside a P x K batch.

Embeddings are L2-normalised; for a triplet (anchor a, positive p, negative n)
    L = max(0, |f_a - f_p|^2 - |f_a - f_n|^2 + margin).
Mining (``mining``):
  * ``semihard`` (FaceNet): every anchor-positive pair of the batch, with the closest negative
    that is still farther than the positive (d_an > d_ap); when an anchor has no such negative,
    its farthest negative (as TensorFlow's triplet_semihard_loss does).
  * ``batchhard`` (Hermans et al., 2017): for every anchor, its farthest positive and its
    closest negative (kept on squared distances, like FaceNet).
The loss is the mean over the mined triplets.
"""
import torch
import torch.nn.functional as F

from .base import FaceLoss, pairwise_squared_distances


def _masks(labels):
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    return same & ~eye, ~same


@torch.no_grad()
def semihard_triplets(d2, labels):
    """Index tensors (a, p, n) of the FaceNet semi-hard triplets of a batch."""
    pos_mask, neg_mask = _masks(labels)
    a, p = pos_mask.nonzero(as_tuple=True)
    d_ap = d2[a, p].unsqueeze(1)
    d_an = d2[a]                                   # (T, N): distances from each anchor
    candidates = neg_mask[a] & (d_an > d_ap)
    inf = torch.finfo(d2.dtype).max
    semihard = torch.where(candidates, d_an, torch.full_like(d_an, inf)).argmin(1)
    farthest = torch.where(neg_mask[a], d_an, torch.full_like(d_an, -inf)).argmax(1)
    n = torch.where(candidates.any(1), semihard, farthest)
    keep = neg_mask[a].any(1)
    return a[keep], p[keep], n[keep]


@torch.no_grad()
def batch_hard_triplets(d2, labels):
    """Index tensors (a, p, n): per anchor its hardest positive and hardest negative."""
    pos_mask, neg_mask = _masks(labels)
    inf = torch.finfo(d2.dtype).max
    p = torch.where(pos_mask, d2, torch.full_like(d2, -inf)).argmax(1)
    n = torch.where(neg_mask, d2, torch.full_like(d2, inf)).argmin(1)
    a = torch.arange(len(labels), device=labels.device)
    keep = pos_mask.any(1) & neg_mask.any(1)
    return a[keep], p[keep], n[keep]


MINERS = {"semihard": semihard_triplets, "batchhard": batch_hard_triplets}


class TripletLoss(FaceLoss):
    name = "triplet"
    uses_classes = False
    min_per_identity = 2
    defaults = {"margin": 0.2, "mining": "semihard"}

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__(embedding_dim, num_classes, params)
        if self.params["mining"] not in MINERS:
            raise ValueError("triplet mining must be one of %s" % sorted(MINERS))

    def forward(self, embeddings, labels):
        f = F.normalize(embeddings, dim=1)
        d2 = pairwise_squared_distances(f)
        a, p, n = MINERS[self.params["mining"]](d2, labels)
        if len(a) == 0:
            return (f * 0.0).sum()
        return (d2[a, p] - d2[a, n] + float(self.params["margin"])).clamp(min=0.0).mean()
