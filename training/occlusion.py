"""Occluders users' photos have, drawn on aligned 112x112 crops for fine-tuning (never on evaluation images).

- **Masks**: MaskTheFace's RGBA templates (``../shared/assets/masks``, MIT) and their ``masks.cfg`` anchor
  points ``mask_a`` ... ``mask_f``, mapped onto each crop's 68-point landmarks by a homography (least squares
  over the six points): a/c the jaw at the nose bridge's height (points 1, 15), b the nose bridge (between 28
  and 29), d/f the jaw at the mouth's height (4, 12), e the chin (8). The frontal, ``_left`` or ``_right``
  variant is chosen by yaw (where the nose tip sits between the jaw's ends), and the mask is recoloured
  (a random per-channel gain, sometimes a flat colour).
- **Eye occluders**: dark sunglasses (two ellipses and a bridge, random size, tint and opacity), an eye bar
  across both eyes, or clear spectacle frames; placed by the eye landmarks.

Everything is drawn with torch on float RGB crops (N, 3, H, W) in [0, 255], from a seeded generator.
"""
import configparser
import math
import os

import torch
import torch.nn.functional as F

#: 68-point indices the six mask anchors (a ... f) map onto; b is the mean of two points.
ANCHOR_POINTS = ((1,), (28, 29), (15,), (4,), (8,), (12,))
#: The landmark model's box inside an ArcFace-aligned 112x112 crop (x1, y1, x2, y2).
LANDMARK_BOX = (16, 22, 96, 112)
TEMPLATE_SIZE = (96, 128)  # H, W every template is resampled to (anchors scaled alike)


def masks_dir(shared=None):
    shared = shared or os.environ.get("FACEOFF_SHARED") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "shared")
    return os.path.join(shared, "assets", "masks")


class MaskTemplates:
    """The templates as one tensor (T, 4, 96, 128) in [0, 1], their anchors (T, 6, 2) and their yaw variant."""

    def __init__(self, folder):
        from PIL import Image
        cfg = configparser.ConfigParser()
        with open(os.path.join(folder, "masks.cfg")) as f:
            cfg.read_file(f)
        images, anchors, self.names, self.variant, self.kind = [], [], [], [], []
        h, w = TEMPLATE_SIZE
        for section in cfg.sections():
            if "template" not in cfg[section]:  # "empty" and "inpaint" entries have no picture
                continue
            path = os.path.join(folder, "templates", os.path.basename(cfg[section]["template"]))
            with Image.open(path) as im:
                im = im.convert("RGBA")
                sx, sy = w / im.size[0], h / im.size[1]
                im = im.resize((w, h), Image.BILINEAR)
                data = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8).view(h, w, 4)
            images.append(data.permute(2, 0, 1).float() / 255.0)
            points = []
            for key in "abcdef":
                x, y = (float(v) for v in cfg[section]["mask_" + key].split(","))
                points.append((x * sx, y * sy))
            anchors.append(points)
            self.names.append(section)
            self.variant.append("left" if section.endswith("_left") else "right" if section.endswith("_right") else "front")
            self.kind.append(section.rsplit("_", 1)[0] if self.variant[-1] != "front" else section)
        self.images = torch.stack(images)
        self.anchors = torch.tensor(anchors, dtype=torch.float64)
        kinds = sorted(set(self.kind))
        self.by_kind = {k: {v: i for i, (kk, v) in enumerate(zip(self.kind, self.variant)) if kk == k} for k in kinds}
        self.kinds = [k for k in kinds if len(self.by_kind[k]) == 3]

    def choose(self, landmarks, generator):
        """A template index per face: a random kind, its variant by the face's yaw."""
        out = []
        for lm in landmarks:
            kind = self.kinds[int(torch.randint(len(self.kinds), (1,), generator=generator))]
            out.append(self.by_kind[kind][yaw_variant(lm)])
        return out


def yaw_variant(lm):
    """'left' when the nose tip sits in the left 40% between the jaw's ends (the face turned to the image's
    left), 'right' in the right 40%, else 'front'."""
    span = float(lm[16, 0] - lm[0, 0])
    r = float(lm[30, 0] - lm[0, 0]) / span if abs(span) > 1e-6 else 0.5
    return "left" if r < 0.4 else "right" if r > 0.6 else "front"


def face_anchors(lm):
    """The six 68-point anchor positions (6, 2) of one face."""
    return torch.stack([lm[list(idx)].double().mean(0) for idx in ANCHOR_POINTS])


def homography(src, dst):
    """3x3 H with dst ~ H src, least squares over >= 4 point pairs (DLT with h33 = 1)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src.tolist(), dst.tolist()):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    a, b = torch.tensor(rows, dtype=torch.float64), torch.tensor(rhs, dtype=torch.float64).unsqueeze(1)
    h = torch.linalg.lstsq(a, b).solution.squeeze(1)
    return torch.cat([h, torch.ones(1, dtype=torch.float64)]).view(3, 3)


def affine(src, dst):
    """3x3 affine A with dst ~ A src, least squares."""
    a = torch.cat([src.double(), torch.ones(len(src), 1, dtype=torch.float64)], 1)
    m = torch.linalg.lstsq(a, dst.double()).solution.t()
    return torch.cat([m, torch.tensor([[0.0, 0.0, 1.0]], dtype=torch.float64)])


def template_to_face(src, dst, size):
    """The homography, or the affine fit where the homography's perspective terms would change the scale by
    more than 30% across the template (six noisy landmarks can make it fold)."""
    h = homography(src, dst)
    if float(h[2, :2].abs().sum()) * size > 0.3:
        return affine(src, dst)
    return h


def _uniform(generator, lo, hi):
    return lo + (hi - lo) * float(torch.rand(1, generator=generator))


def draw_masks(x, landmarks, templates, generator):
    """Masks drawn on every crop of x (n, 3, H, W) float [0, 255], faces' landmarks (n, 68, 2)."""
    n, _, height, width = x.shape
    if n == 0:
        return x
    chosen = templates.choose(landmarks, generator)
    th, tw = templates.images.shape[2:]
    ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float64) + 0.5,
                            torch.arange(width, dtype=torch.float64) + 0.5, indexing="ij")
    pixels = torch.stack([xs.reshape(-1), ys.reshape(-1), torch.ones(height * width, dtype=torch.float64)])
    grids = []
    for lm, t in zip(landmarks, chosen):
        h_inv = torch.linalg.inv(template_to_face(templates.anchors[t], face_anchors(lm), max(th, tw)))
        p = h_inv @ pixels
        u, v = p[0] / p[2], p[1] / p[2]
        grids.append(torch.stack([u / tw * 2 - 1, v / th * 2 - 1], -1).view(height, width, 2))
    grid = torch.stack(grids).float()
    warped = F.grid_sample(templates.images[chosen], grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    rgb, alpha = warped[:, :3] * 255.0, warped[:, 3:4]
    gain = 0.55 + 0.6 * torch.rand(n, 3, 1, 1, generator=generator)
    flat = torch.rand(n, generator=generator) < 0.25
    colour = 40 + 200 * torch.rand(n, 3, 1, 1, generator=generator)
    shade = rgb.mean(1, keepdim=True) / 255.0
    rgb = torch.where(flat.view(n, 1, 1, 1), colour * (0.6 + 0.4 * shade), rgb * gain)
    return x * (1 - alpha) + rgb.clamp(0, 255) * alpha


def _rotated(xs, ys, centre, ca, sa):
    """Pixel coordinates along (u) and across (v) the eye line, from ``centre``."""
    cx, cy = centre
    return (xs - cx) * ca + (ys - cy) * sa, -(xs - cx) * sa + (ys - cy) * ca


def draw_eye_occluders(x, landmarks, generator):
    """Sunglasses (60%), clear spectacle frames (20%) or an eye bar (20%) on every crop of x."""
    n, _, height, width = x.shape
    ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float32) + 0.5,
                            torch.arange(width, dtype=torch.float32) + 0.5, indexing="ij")
    out = x.clone()
    for i in range(n):
        lm = landmarks[i].float()
        left, right = lm[36:42].mean(0), lm[42:48].mean(0)
        mid = (float((left[0] + right[0]) / 2), float((left[1] + right[1]) / 2))
        d = float((right - left).norm())
        angle = math.atan2(float(right[1] - left[1]), float(right[0] - left[0]))
        ca, sa = math.cos(angle), math.sin(angle)
        draw = float(torch.rand(1, generator=generator))
        kind = "sunglasses" if draw < 0.6 else "frames" if draw < 0.8 else "bar"
        if kind == "bar":
            u, v = _rotated(xs, ys, mid, ca, sa)
            half_w, half_h = d * _uniform(generator, 0.85, 1.2), d * _uniform(generator, 0.18, 0.3)
            cover = ((u.abs() <= half_w) & (v.abs() <= half_h)).float()
        else:
            rx = d * _uniform(generator, 0.38, 0.55)
            ry = rx * _uniform(generator, 0.6, 0.9)
            lift = d * _uniform(generator, -0.05, 0.1)
            cover = torch.zeros(height, width)
            for c in (left, right):
                u, v = _rotated(xs, ys, (float(c[0]) + sa * lift, float(c[1]) - ca * lift), ca, sa)
                r = (u / rx) ** 2 + (v / ry) ** 2
                lens = (r <= 1) if kind == "sunglasses" else (r <= 1.0) & (r >= 0.78)   # frames: a ring only
                cover = torch.maximum(cover, lens.float())
            u, v = _rotated(xs, ys, mid, ca, sa)
            bridge = (u.abs() <= d * 0.25) & ((v + lift).abs() <= max(1.0, 0.04 * d))
            cover = torch.maximum(cover, bridge.float())
        if kind == "frames":
            colour, opacity = 60 * torch.rand(3, 1, 1, generator=generator), 1.0
        else:
            colour = 10 + 50 * torch.rand(1, generator=generator) + 15 * torch.rand(3, 1, 1, generator=generator)
            opacity = _uniform(generator, 0.8, 1.0)
        a = (cover * opacity).unsqueeze(0)
        out[i] = out[i] * (1 - a) + colour * a
    return out


@torch.no_grad()
def landmarks68(model, images_u8, batch=256):
    """68 (x, y) points per aligned crop (N, 68, 2), from the 68-point model (models/landmarks-68) run on
    LANDMARK_BOX of each crop, grey, 64x64, x / 256 (as faceoff's Java LandmarkModel feeds it)."""
    x1, y1, x2, y2 = LANDMARK_BOX
    out = []
    for start in range(0, len(images_u8), batch):
        x = images_u8[start:start + batch, :, y1:y2, x1:x2].float()
        grey = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)
        grey = F.interpolate(grey, size=(64, 64), mode="bilinear", align_corners=False).round()
        p = model(grey / 256.0).view(-1, 68, 2)
        out.append(torch.stack([x1 + p[..., 0] * (x2 - x1), y1 + p[..., 1] * (y2 - y1)], -1))
    return torch.cat(out)
