"""Aligned face crops: discovery, identity-level split, a uint8 tensor cache, batches.

Layout written by faceoff's Java ``align`` command (repo-relative by default)::

    data/aligned/<dataset>/<identity>/<image>.png    112 x 112 RGB crops
    data/aligned/<dataset>/manifest.csv              file,identity,score,x1,y1,...

Identities of different datasets are different classes ("<dataset>/<identity>"). The whole set is
decoded once into one uint8 tensor (N x 3 x 112 x 112, ~446 MB for ~11.8k crops) cached under the
work root, keyed by the file list, sizes and modification times.
"""
import csv
import hashlib
import os
import random

import torch

from .config import resolve_repo_path, work_root

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")


def _manifest_samples(dataset_dir):
    path = os.path.join(dataset_dir, "manifest.csv")
    if not os.path.exists(path):
        return None
    samples = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            file, identity = row.get("file"), row.get("identity")
            if not file or identity is None:
                raise ValueError("%s: every row needs 'file' and 'identity'" % path)
            candidates = [file] if os.path.isabs(file) else [os.path.join(dataset_dir, file),
                                                            resolve_repo_path(file)]
            found = next((c for c in candidates if os.path.exists(c)), None)
            if found is None:
                raise FileNotFoundError("%s: listed image %s does not exist" % (path, file))
            samples.append((os.path.abspath(found), identity))
    return samples


def _scanned_samples(dataset_dir):
    samples = []
    for identity in sorted(os.listdir(dataset_dir)):
        folder = os.path.join(dataset_dir, identity)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith(IMAGE_EXTENSIONS):
                samples.append((os.path.join(folder, name), identity))
    return samples


def list_samples(root, datasets):
    """[(path, "dataset/identity")] over the datasets, in a stable order."""
    samples = []
    for ds in datasets:
        dataset_dir = os.path.join(root, ds)
        if not os.path.isdir(dataset_dir):
            raise FileNotFoundError(
                "aligned dataset %s not found; produce it with faceoff's align command, e.g. "
                "java -jar target/faceoff.jar align --input ../shared/datasets/%s --output "
                "data/aligned/%s" % (dataset_dir, ds, ds))
        found = _manifest_samples(dataset_dir)
        if found is None:
            found = _scanned_samples(dataset_dir)
        if not found:
            raise ValueError("aligned dataset %s holds no images" % dataset_dir)
        samples.extend((path, "%s/%s" % (ds, identity)) for path, identity in sorted(found))
    return samples


def split_identities(samples, val_fraction, seed):
    """Hold out round(val_fraction * identities) identities of every dataset (only identities
    with at least two images qualify, as validation needs same-identity pairs)."""
    by_dataset = {}
    for _, ident in samples:
        counts = by_dataset.setdefault(ident.split("/", 1)[0], {})
        counts[ident] = counts.get(ident, 0) + 1
    held = set()
    for ds in sorted(by_dataset):
        counts = by_dataset[ds]
        eligible = sorted(i for i, n in counts.items() if n >= 2)
        random.Random("%s:%s" % (seed, ds)).shuffle(eligible)
        held.update(eligible[:min(len(eligible), round(val_fraction * len(counts)))])
    train = [s for s in samples if s[1] not in held]
    val = [s for s in samples if s[1] in held]
    return train, val


def _fingerprint(paths, size):
    h = hashlib.sha256(("v1:%d\n" % size).encode())
    for p in paths:
        st = os.stat(p)
        h.update(("%s\t%d\t%d\n" % (p, st.st_size, st.st_mtime_ns)).encode())
    return h.hexdigest()[:20]


def decode_image(path, size):
    from PIL import Image
    with Image.open(path) as im:
        im = im.convert("RGB")
        if im.size != (size, size):
            raise ValueError("%s is %dx%d; aligned crops must be %dx%d" % (path, im.size[0], im.size[1], size, size))
        data = torch.frombuffer(bytearray(im.tobytes()), dtype=torch.uint8)
    return data.view(size, size, 3).permute(2, 0, 1)


def load_images(paths, size, cache_dir, log=print):
    """uint8 tensor (N, 3, size, size) of the images, decoded once and cached on disk."""
    os.makedirs(cache_dir, exist_ok=True)
    cache = os.path.join(cache_dir, "aligned-%s.pt" % _fingerprint(paths, size))
    if os.path.exists(cache):
        return torch.load(cache)
    log("decoding %d images into %s" % (len(paths), cache))
    images = torch.empty(len(paths), 3, size, size, dtype=torch.uint8)
    for i, p in enumerate(paths):
        images[i] = decode_image(p, size)
    tmp = cache + ".tmp%d" % os.getpid()
    torch.save(images, tmp)
    os.replace(tmp, cache)
    return images


def make_pairs(labels, n_pairs, seed):
    """Fixed-seed verification pairs over ``labels``: about n_pairs/2 same-identity and as many
    different-identity pairs. Returns (i, j, same) lists."""
    rng = random.Random(seed)
    by_id = {}
    for idx, lab in enumerate(labels):
        by_id.setdefault(lab, []).append(idx)
    multi = sorted(k for k, v in by_id.items() if len(v) >= 2)
    ids = sorted(by_id)
    if not multi or len(ids) < 2:
        return [], [], []
    max_pos = sum(len(by_id[k]) * (len(by_id[k]) - 1) // 2 for k in multi)
    want = min(n_pairs // 2, max_pos)
    pos = set()
    while len(pos) < want:
        a, b = rng.sample(by_id[rng.choice(multi)], 2)
        pos.add((min(a, b), max(a, b)))
    neg = set()
    while len(neg) < want:
        ia, ib = rng.sample(ids, 2)
        a, b = rng.choice(by_id[ia]), rng.choice(by_id[ib])
        neg.add((min(a, b), max(a, b)))
    pairs = [(a, b, True) for a, b in sorted(pos)] + [(a, b, False) for a, b in sorted(neg)]
    return [p[0] for p in pairs], [p[1] for p in pairs], [p[2] for p in pairs]


class AlignedData:
    """Train/validation tensors of one experiment."""

    def __init__(self, data_cfg, input_size, seed, log=print):
        root = resolve_repo_path(data_cfg["root"])
        self.datasets = list(data_cfg["datasets"])
        samples = list_samples(root, self.datasets)
        train, val = split_identities(samples, float(data_cfg["val_fraction"]), seed)
        cache_dir = data_cfg.get("cache_dir") or os.path.join(work_root(), "cache")
        images = load_images([p for p, _ in train + val], input_size, resolve_repo_path(cache_dir), log)
        self.class_names = sorted({ident for _, ident in train})
        index = {name: i for i, name in enumerate(self.class_names)}
        self.train_images = images[:len(train)]
        self.train_labels = torch.tensor([index[ident] for _, ident in train], dtype=torch.long)
        self.val_images = images[len(train):]
        val_ids = sorted({ident for _, ident in val})
        self.val_labels = [val_ids.index(ident) for _, ident in val]
        self.val_identities = len(val_ids)
        self.pairs = make_pairs(self.val_labels, int(data_cfg["val_pairs"]), seed)
        self.flip = bool(data_cfg.get("flip", True))
        self.augment = dict(data_cfg.get("augment") or {})

    @property
    def num_classes(self):
        return len(self.class_names)

    def summary(self):
        return {"datasets": self.datasets, "images": len(self.train_labels),
                "identities": self.num_classes, "val_images": len(self.val_labels),
                "val_identities": self.val_identities, "val_pairs": len(self.pairs[0])}


def to_input(images_u8):
    """uint8 RGB crops -> the network input: float32 (x - 127.5) / 128, as faceoff's Java does."""
    return (images_u8.float() - 127.5) / 128.0


def make_batch(images_u8, indices, flip, generator=None, augment=None):
    x = images_u8[indices]
    if flip:
        mask = torch.rand(len(indices), generator=generator) < 0.5
        x[mask] = x[mask].flip(3)
    if augment:
        return to_input(augment_batch(x.float(), augment, generator))
    return to_input(x)


AUGMENT_KEYS = ("shift", "scale", "rotate", "brightness", "contrast", "grayscale")


def augment_batch(x, aug, generator=None):
    """Random per-image jitter of float RGB crops in [0, 255] (N, 3, H, W), for ``data.augment``:

    - ``shift``: translation up to this fraction of the side, ``scale``: zoom by 1 +/- this,
      ``rotate``: rotation up to this many degrees; one bilinear warp (border pixels repeat). They
      stand in for the landmark and detector jitter of real photos, which 5-point alignment leaves.
    - ``brightness`` / ``contrast``: gain 1 +/- this on the pixels / around each image's mean.
    - ``grayscale``: probability of replacing the colours by their luma.
    All draws come from ``generator``, so a resumed run sees the same batches.
    """
    import math
    import torch.nn.functional as F
    unknown = sorted(set(aug) - set(AUGMENT_KEYS))
    if unknown:
        raise ValueError("unknown data.augment keys %s; known: %s" % (unknown, ", ".join(AUGMENT_KEYS)))
    n = x.shape[0]

    def uniform(limit):
        return (torch.rand(n, generator=generator) * 2 - 1) * float(limit)

    shift, scale, rotate = float(aug.get("shift", 0)), float(aug.get("scale", 0)), float(aug.get("rotate", 0))
    if shift or scale or rotate:
        angle = uniform(rotate) * (math.pi / 180.0)
        zoom = 1.0 + uniform(scale)
        # affine_grid maps output to input coordinates in [-1, 1]: dividing by the zoom enlarges the face.
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        theta = torch.stack([torch.stack([cos, -sin, uniform(shift) * 2], 1),
                             torch.stack([sin, cos, uniform(shift) * 2], 1)], 1)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    brightness, contrast = float(aug.get("brightness", 0)), float(aug.get("contrast", 0))
    if contrast:
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        x = (x - mean) * (1.0 + uniform(contrast)).view(n, 1, 1, 1) + mean
    if brightness:
        x = x * (1.0 + uniform(brightness)).view(n, 1, 1, 1)
    grayscale = float(aug.get("grayscale", 0))
    if grayscale:
        mask = torch.rand(n, generator=generator) < grayscale
        if mask.any():
            luma = (0.299 * x[mask, 0] + 0.587 * x[mask, 1] + 0.114 * x[mask, 2]).unsqueeze(1)
            x[mask] = luma.expand(-1, 3, -1, -1)
    return x.clamp(0.0, 255.0)
