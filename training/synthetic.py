"""Synthetic 'identities' in the layout of faceoff's align output, for tests and smoke runs.

Each identity is a random colour scheme and geometry (background, face ellipse, eyes, mouth);
its images vary by a small shift, brightness and pixel noise, so classes are learnable but not
trivially identical. Nothing here is a real face; real training uses data/aligned/ (see README).

    /usr/bin/python3 -m training.synthetic --out /tmp/synth --datasets synth-a:20:4-8
"""
import argparse
import csv
import os
import random


def _identity_style(rng):
    def colour():
        return tuple(rng.randrange(256) for _ in range(3))
    return {"bg": colour(), "face": colour(), "eyes": colour(), "mouth": colour(),
            "face_w": rng.randrange(30, 46), "face_h": rng.randrange(40, 54),
            "eye_dx": rng.randrange(10, 20), "eye_y": rng.randrange(-16, -4), "eye_r": rng.randrange(3, 8),
            "mouth_w": rng.randrange(8, 24), "mouth_y": rng.randrange(14, 28)}


def render(style, rng, size=112):
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (size, size), style["bg"])
    draw = ImageDraw.Draw(img)
    cx, cy = size // 2 + rng.randrange(-3, 4), size // 2 + rng.randrange(-3, 4)
    fw, fh = style["face_w"], style["face_h"]
    draw.ellipse([cx - fw, cy - fh, cx + fw, cy + fh], fill=style["face"])
    r, ey = style["eye_r"], cy + style["eye_y"]
    for ex in (cx - style["eye_dx"], cx + style["eye_dx"]):
        draw.ellipse([ex - r, ey - r, ex + r, ey + r], fill=style["eyes"])
    my, mw = cy + style["mouth_y"], style["mouth_w"]
    draw.rectangle([cx - mw, my - 2, cx + mw, my + 2], fill=style["mouth"])
    gain = rng.uniform(0.8, 1.2)
    noise = rng.randbytes(size * size * 3)
    noisy = Image.frombytes("RGB", (size, size), noise)
    img = Image.eval(img, lambda v: min(255, int(v * gain)))
    return Image.blend(img, noisy, 0.12)


def generate_dataset(root, name, identities, min_images, max_images, seed=0, size=112):
    """Write <root>/<name>/<identity>/<n>.png and manifest.csv; returns the number of images."""
    rng = random.Random("%s:%s" % (seed, name))
    ds_dir = os.path.join(root, name)
    rows = []
    for i in range(identities):
        ident = "id%04d" % i
        style = _identity_style(rng)
        os.makedirs(os.path.join(ds_dir, ident), exist_ok=True)
        for j in range(rng.randint(min_images, max_images)):
            rel = "%s/%03d.png" % (ident, j)
            render(style, rng, size).save(os.path.join(ds_dir, rel))
            rows.append([rel, ident, "0.99", "0", "0", str(size), str(size)])
    with open(os.path.join(ds_dir, "manifest.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "identity", "score", "x1", "y1", "x2", "y2"])
        writer.writerows(rows)
    return len(rows)


def parse_spec(spec):
    """'name:identities:min-max' -> (name, identities, min, max)."""
    name, ids, rng = spec.split(":")
    lo, hi = rng.split("-") if "-" in rng else (rng, rng)
    return name, int(ids), int(lo), int(hi)


def main(argv=None):
    p = argparse.ArgumentParser(description="write synthetic aligned identities")
    p.add_argument("--out", required=True, help="root folder (datasets go below it)")
    p.add_argument("--datasets", nargs="+", default=["synth-a:20:4-8"], help="name:identities:min-max")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for spec in args.datasets:
        name, ids, lo, hi = parse_spec(spec)
        n = generate_dataset(args.out, name, ids, lo, hi, args.seed)
        print("%s: %d identities, %d images" % (os.path.join(args.out, name), ids, n))


if __name__ == "__main__":
    main()
