"""Loss registry: name -> class. Every class takes (embedding_dim, num_classes, params)."""
from .arcface import ArcFaceLoss
from .center import CenterLoss
from .contrastive import ContrastiveLoss
from .cosface import CosFaceLoss
from .softmax import SoftmaxLoss
from .sphereface import SphereFaceLoss
from .triplet import TripletLoss

LOSSES = {cls.name: cls for cls in (SoftmaxLoss, ContrastiveLoss, TripletLoss, CenterLoss,
                                    SphereFaceLoss, CosFaceLoss, ArcFaceLoss)}


def build_loss(loss_cfg, embedding_dim, num_classes):
    """``loss_cfg`` is the config's ``loss`` object: {"name": ..., hyper-parameters...}."""
    params = dict(loss_cfg)
    name = params.pop("name")
    if name not in LOSSES:
        raise ValueError("unknown loss %r; known: %s" % (name, sorted(LOSSES)))
    return LOSSES[name](embedding_dim, num_classes, params)
