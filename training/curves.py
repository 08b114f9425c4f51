"""Training curves of the loss zoo, from the model cards (models/<name>/model.json, training.curve).

    /usr/bin/python3 -m training.curves                       # markdown table on stdout
    /usr/bin/python3 -m training.curves --svg docs/loss-zoo-curves.svg

The table has the held-out verification accuracy per epoch for every trained model; the SVG draws
the same numbers (no plotting library: Debian's torch does not bring one).
"""
import argparse
import glob
import json
import os
import sys

COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def load_curves(models_dir):
    """[(name, loss, [curve points])] of every card that has a training curve, by name."""
    curves = []
    for path in sorted(glob.glob(os.path.join(models_dir, "*", "model.json"))):
        with open(path) as f:
            card = json.load(f)
        curve = (card.get("training") or {}).get("curve")
        if curve:
            curves.append((card["name"], card.get("loss", "?"), curve))
    return curves


def markdown(curves, every=1):
    epochs = sorted({p["epoch"] for _, _, c in curves for p in c if p["epoch"] % every == 0 or p is c[-1]})
    lines = ["| model | " + " | ".join("ep %d" % e for e in epochs) + " |",
             "|---|" + "---|" * len(epochs)]
    for name, _, curve in curves:
        by_epoch = {p["epoch"]: p["valAcc"] for p in curve}
        lines.append("| %s | %s |" % (name, " | ".join(
            "%.3f" % by_epoch[e] if e in by_epoch else "" for e in epochs)))
    return "\n".join(lines)


def svg(curves, width=720, height=420):
    left, right, top, bottom = 60, 170, 20, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    max_epoch = max(p["epoch"] for _, _, c in curves for p in c)
    lo = min(0.5, min(p["valAcc"] for _, _, c in curves for p in c))
    hi = 1.0

    def x(e):
        return left + plot_w * (e - 1) / max(1, max_epoch - 1)

    def y(v):
        return top + plot_h * (hi - v) / (hi - lo)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="12">' % (width, height),
           '<rect width="100%" height="100%" fill="white"/>']
    tick = 0.05
    v = round(lo / tick) * tick
    while v <= hi + 1e-9:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (left, y(v), left + plot_w, y(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.2f</text>' % (left - 6, y(v) + 4, v))
        v += tick
    for e in range(1, max_epoch + 1):
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (x(e), top + plot_h + 16, e))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">epoch</text>' % (left + plot_w / 2, height - 10))
    out.append('<text transform="translate(14,%.1f) rotate(-90)" text-anchor="middle">held-out verification '
               'accuracy</text>' % (top + plot_h / 2))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>' % (left, top, plot_w, plot_h))
    for i, (name, _, curve) in enumerate(curves):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join("%.1f,%.1f" % (x(p["epoch"]), y(p["valAcc"])) for p in curve)
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (colour, points))
        ly = top + 14 + 18 * i
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>'
                   % (left + plot_w + 10, ly - 4, left + plot_w + 30, ly - 4, colour))
        out.append('<text x="%d" y="%d">%s (%.3f)</text>' % (left + plot_w + 35, ly, name, curve[-1]["valAcc"]))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="models", help="model repository (default: models)")
    ap.add_argument("--svg", help="also write the curves as an SVG chart to this file")
    ap.add_argument("--every", type=int, default=1, help="table columns every N epochs (and the last)")
    args = ap.parse_args(argv)
    curves = load_curves(args.models)
    if not curves:
        print("no model card under %s has a training curve (train and export first)" % args.models, file=sys.stderr)
        return 1
    print(markdown(curves, args.every))
    if args.svg:
        with open(args.svg, "w") as f:
            f.write(svg(curves))
        print("wrote %s" % args.svg, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
