"""Shared pieces of the loss modules.

Every loss is an ``nn.Module`` called as ``loss_fn(embeddings, labels) -> scalar``. Its own
parameters (classifier weights) are trained by the same optimizer as the backbone; anything else
(SphereFace's lambda, margin warm-up, centre-loss centres) is driven by the hooks below, which the
training loop calls for every loss alike.
"""
import torch
from torch import nn
import torch.nn.functional as F


class FaceLoss(nn.Module):
    name = None
    #: False for losses that need no classifier (triplet).
    uses_classes = True
    #: Smallest number of images of one identity a batch must hold (P x K sampler: K >= this).
    min_per_identity = 1
    #: Default hyper-parameters; configs may override exactly these keys.
    defaults = {}

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__()
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise ValueError("%s: unknown hyper-parameter(s) %s; known: %s"
                             % (self.name, unknown, sorted(self.defaults)))
        self.params = {**self.defaults, **params}
        self.embedding_dim = embedding_dim
        self.num_classes = num_classes

    def set_progress(self, step, warmup_steps):
        """Called before every optimizer step with the global step count (0-based)."""

    def schedule_factor(self):
        """How much of the final margin is in force now (1.0 when the loss has no warm-up)."""
        return 1.0

    def post_step(self):
        """Called after every optimizer step (centre loss updates its centres here)."""


def replace_target(logits, labels, target_values):
    """Logits with the ground-truth column of each row replaced by ``target_values`` (N,)."""
    mask = F.one_hot(labels, logits.shape[1]).bool()
    return torch.where(mask, target_values.unsqueeze(1), logits)


def target_of(logits, labels):
    return logits.gather(1, labels.unsqueeze(1)).squeeze(1)


class CosineClassifierLoss(FaceLoss):
    """Base of the angular-margin losses: unit-norm class weights, cos(theta_j) = W_j . x / |x|,
    and a linear margin warm-up (``schedule_factor`` grows 0 -> 1 over ``warmup_steps``)."""

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__(embedding_dim, num_classes, params)
        self.weight = nn.Parameter(torch.empty(num_classes, embedding_dim))
        nn.init.normal_(self.weight, std=0.01)
        self._factor = 1.0

    def cosine(self, embeddings):
        return F.linear(F.normalize(embeddings, dim=1), F.normalize(self.weight, dim=1)).clamp(-1.0, 1.0)

    def set_progress(self, step, warmup_steps):
        self._factor = 1.0 if warmup_steps <= 0 else min(1.0, step / float(warmup_steps))

    def schedule_factor(self):
        return self._factor

    def logits(self, embeddings, labels):
        raise NotImplementedError

    def forward(self, embeddings, labels):
        return F.cross_entropy(self.logits(embeddings, labels), labels)


def pairwise_squared_distances(features):
    """(N, N) squared Euclidean distances, exactly zero on the diagonal and never negative."""
    sq = features.pow(2).sum(1)
    d2 = sq.unsqueeze(1) + sq.unsqueeze(0) - 2.0 * features @ features.t()
    d2 = d2.clamp(min=0.0)
    return d2 * (1.0 - torch.eye(len(features), device=features.device, dtype=features.dtype))
