"""Verification accuracy on held-out identities (the per-epoch validation)."""
import numpy as np
import torch
import torch.nn.functional as F

from . import metrics
from .data import to_input


@torch.no_grad()
def embed(model, images_u8, device, batch_size=256):
    was_training = model.training
    model.eval()
    out = []
    for start in range(0, len(images_u8), batch_size):
        x = to_input(images_u8[start:start + batch_size]).to(device)
        out.append(model(x).float().cpu())
    model.train(was_training)
    return torch.cat(out) if out else torch.empty(0)


def kfold_accuracy(scores, same, folds=10):
    """LFW-style: threshold chosen on 9 folds, accuracy measured on the 10th, averaged (training/metrics.py:
    "same" when score >= threshold). Pair i is in fold i mod folds; with fewer than 4 pairs, one fold
    decided at its own best threshold."""
    n = len(scores)
    if n == 0:
        return 0.0
    scores, same = scores.double().numpy(), same.numpy()
    folds = max(1, min(folds, n // 2))
    if folds == 1:
        return metrics.accuracy_at(scores, same, metrics.best_threshold(scores, same))
    return metrics.fold_decisions(scores, same, np.arange(n) % folds)[1]


def verification_accuracy(model, data, device):
    i, j, same = data.pairs
    if not i:
        return 0.0
    emb = F.normalize(embed(model, data.val_images, device), dim=1)
    scores = (emb[torch.tensor(i)] * emb[torch.tensor(j)]).sum(1)
    return kfold_accuracy(scores, torch.tensor(same))
