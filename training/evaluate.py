"""Verification accuracy on held-out identities (the per-epoch validation)."""
import torch
import torch.nn.functional as F

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


def best_threshold_accuracy(scores, same):
    """(accuracy, threshold) of the best 'same if score > t' rule on these pairs."""
    order = torch.argsort(scores, descending=True)
    s, y = scores[order], same[order].float()
    # Declaring the top i pairs 'same': correct = positives among them + negatives below them.
    tp = torch.cat([torch.zeros(1), torch.cumsum(y, 0)])
    fp = torch.arange(len(y) + 1, dtype=torch.float32) - tp
    correct = tp + ((1 - y).sum() - fp)
    best = int(torch.argmax(correct))
    if best == 0:
        threshold = float(s[0]) + 1e-6
    elif best == len(s):
        threshold = float(s[-1]) - 1e-6
    else:
        threshold = float(s[best - 1] + s[best]) / 2.0
    return float(correct[best]) / len(y), threshold


def kfold_accuracy(scores, same, folds=10):
    """LFW-style: threshold chosen on 9 folds, accuracy measured on the 10th, averaged."""
    n = len(scores)
    if n == 0:
        return 0.0
    folds = max(1, min(folds, n // 2))
    fold_of = torch.arange(n) % folds
    accs = []
    for f in range(folds):
        test = fold_of == f
        _, t = best_threshold_accuracy(scores[~test], same[~test]) if folds > 1 else \
            best_threshold_accuracy(scores, same)
        accs.append(float(((scores[test] > t) == same[test]).float().mean()))
    return sum(accs) / len(accs)


def verification_accuracy(model, data, device):
    i, j, same = data.pairs
    if not i:
        return 0.0
    emb = F.normalize(embed(model, data.val_images, device), dim=1)
    scores = (emb[torch.tensor(i)] * emb[torch.tensor(j)]).sum(1)
    return kfold_accuracy(scores, torch.tensor(same))
