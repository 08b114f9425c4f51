"""Softmax: cross-entropy on a linear classifier (the DeepFace/DeepID baseline).

L = -log( exp(W_y . x + b_y) / sum_j exp(W_j . x + b_j) )
"""
from torch import nn
import torch.nn.functional as F

from .base import FaceLoss


class SoftmaxLoss(FaceLoss):
    name = "softmax"
    defaults = {"bias": True}

    def __init__(self, embedding_dim, num_classes, params=None):
        super().__init__(embedding_dim, num_classes, params)
        self.fc = nn.Linear(embedding_dim, num_classes, bias=bool(self.params["bias"]))

    def logits(self, embeddings):
        return self.fc(embeddings)

    def forward(self, embeddings, labels):
        return F.cross_entropy(self.fc(embeddings), labels)
