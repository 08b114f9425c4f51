"""Photo degradations for fine-tuning, on float RGB crops (N, 3, H, W) in [0, 255], from a seeded generator.

- ``tight``: everything outside a random box around the face is black, as faceoff's aligner fills what lies
  outside a tightly cropped photo;
- ``downscale``: down to a random side in ``downscale_px`` (area) and back up (bilinear), as a small face;
- ``blur``: a Gaussian of a random sigma in ``blur_sigma``;
- ``jpeg``: encoded and decoded at a random quality in ``jpeg_quality`` (Pillow).
Each is applied to an image with its probability (the key's value).
"""
import io

import torch
import torch.nn.functional as F

DEGRADE_KEYS = ("tight", "downscale", "downscale_px", "blur", "blur_sigma", "jpeg", "jpeg_quality")


def _pick(p, n, generator):
    return torch.nonzero(torch.rand(n, generator=generator) < float(p)).flatten().tolist() if p else []


def _between(lo, hi, generator):
    return lo + (hi - lo) * float(torch.rand(1, generator=generator))


def degrade_batch(x, cfg, generator):
    unknown = sorted(set(cfg) - set(DEGRADE_KEYS))
    if unknown:
        raise ValueError("unknown degrade keys %s; known: %s" % (unknown, ", ".join(DEGRADE_KEYS)))
    n, _, height, width = x.shape
    x = x.clone()
    for i in _pick(cfg.get("tight", 0), n, generator):
        # the aligned face spans about x 16-96, y 22-112: keep a box at most 12 px beyond it
        x1, y1 = int(_between(4, 18, generator)), int(_between(8, 24, generator))
        x2, y2 = int(_between(94, 108, generator)), int(_between(100, 112, generator))
        keep = torch.zeros(height, width)
        keep[y1:y2, x1:x2] = 1
        x[i] *= keep
    lo, hi = cfg.get("downscale_px", (32, 64))
    for i in _pick(cfg.get("downscale", 0), n, generator):
        side = int(round(_between(lo, hi, generator)))
        small = F.interpolate(x[i:i + 1], size=(side, side), mode="area")
        x[i:i + 1] = F.interpolate(small, size=(height, width), mode="bilinear", align_corners=False)
    lo, hi = cfg.get("blur_sigma", (0.5, 1.5))
    for i in _pick(cfg.get("blur", 0), n, generator):
        sigma = _between(lo, hi, generator)
        radius = max(1, int(3 * sigma + 0.5))
        t = torch.arange(-radius, radius + 1, dtype=torch.float32)
        k = torch.exp(-t * t / (2 * sigma * sigma))
        k = k / k.sum()
        img = F.pad(x[i:i + 1], (radius, radius, radius, radius), mode="replicate")
        img = F.conv2d(img, k.view(1, 1, 1, -1).repeat(3, 1, 1, 1), groups=3)
        x[i:i + 1] = F.conv2d(img, k.view(1, 1, -1, 1).repeat(3, 1, 1, 1), groups=3)
    lo, hi = cfg.get("jpeg_quality", (20, 90))
    picked = _pick(cfg.get("jpeg", 0), n, generator)
    if picked:
        from PIL import Image
        for i in picked:
            quality = int(round(_between(lo, hi, generator)))
            pixels = x[i].clamp(0, 255).round().byte().permute(1, 2, 0).contiguous().numpy()
            buf = io.BytesIO()
            Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
            buf.seek(0)
            with Image.open(buf) as im:
                data = torch.frombuffer(bytearray(im.convert("RGB").tobytes()), dtype=torch.uint8)
            x[i] = data.view(height, width, 3).permute(2, 0, 1).float()
    return x
