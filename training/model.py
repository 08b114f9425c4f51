"""MobileFaceNet (Chen et al., 2018) that takes the 112x112 aligned crop and downsamples inside.

The exported graph's input is always the N x 3 x 112 x 112 crop normalised as (x - 127.5) / 128
(RGB). ``forward`` resizes it to the training resolution (default 64x64) with bilinear
interpolation (align_corners=False, no antialias: ONNX Resize linear/half_pixel computes exactly
the same), so the Java service never resizes and training and serving share one preprocessing.
"""

import torch
from torch import nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    """Conv -> BatchNorm -> optional PReLU."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0, groups=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.PReLU(cout) if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    """Inverted residual: 1x1 expand (PReLU), 3x3 depthwise (PReLU), 1x1 linear projection."""

    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = cin * expansion
        self.residual = stride == 1 and cin == cout
        self.body = nn.Sequential(
            ConvBlock(cin, hidden, 1),
            ConvBlock(hidden, hidden, 3, stride, 1, groups=hidden),
            ConvBlock(hidden, cout, 1, act=False),
        )

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


# (expansion t, output channels c, repeats n, first stride s) as in Table 1 of the paper.
MOBILEFACENET_STAGES = [(2, 64, 5, 2), (4, 128, 1, 2), (2, 128, 6, 1), (4, 128, 1, 2), (2, 128, 2, 1)]


def _after_strided_conv(size):
    """Spatial size after a 3x3 conv with stride 2 and padding 1."""
    return (size - 1) // 2 + 1


class MobileFaceNet(nn.Module):
    def __init__(self, embedding_dim=128, input_size=112, train_size=64):
        super().__init__()
        self.input_size = int(input_size)
        self.train_size = int(train_size)
        self.embedding_dim = int(embedding_dim)
        layers = [ConvBlock(3, 64, 3, 2, 1), ConvBlock(64, 64, 3, 1, 1, groups=64)]
        spatial = _after_strided_conv(self.train_size)
        cin = 64
        for t, c, n, s in MOBILEFACENET_STAGES:
            for i in range(n):
                stride = s if i == 0 else 1
                layers.append(Bottleneck(cin, c, stride, t))
                if stride == 2:
                    spatial = _after_strided_conv(spatial)
                cin = c
        layers.append(ConvBlock(cin, 512, 1))
        # Global depthwise convolution (GDConv): a linear depthwise conv over the whole map.
        layers.append(ConvBlock(512, 512, spatial, groups=512, act=False))
        layers.append(nn.Conv2d(512, self.embedding_dim, 1, bias=False))
        self.features = nn.Sequential(*layers)
        self.bn = nn.BatchNorm1d(self.embedding_dim)
        self.final_spatial = spatial
        self._init_weights()

    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def downsample(self, x):
        if self.train_size == self.input_size:
            return x
        return F.interpolate(x, size=(self.train_size, self.train_size), mode="bilinear",
                             align_corners=False)

    def forward(self, x):
        x = self.features(self.downsample(x))
        return self.bn(torch.flatten(x, 1))


def build_model(model_cfg):
    if model_cfg.get("backbone", "mobilefacenet") != "mobilefacenet":
        raise ValueError("only backbone 'mobilefacenet' is implemented, got %r" % model_cfg["backbone"])
    return MobileFaceNet(model_cfg["embedding_dim"], model_cfg["input_size"], model_cfg["train_size"])


def backbone_name(model_cfg):
    return "mobilefacenet-%d" % int(model_cfg["train_size"])


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def flops_estimate(model):
    """Rough multiply-accumulate count of the convolutions at the training resolution."""
    total = 0
    hooks = []

    def hook(module, inputs, output):
        nonlocal total
        k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        total += k * output.numel() // output.shape[0] * 1

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, model.input_size, model.input_size))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return total
