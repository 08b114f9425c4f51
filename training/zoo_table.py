"""The README's loss-zoo table, from evaluate's report.json files and the model cards.

    /usr/bin/python3 -m training.zoo_table target/evaluation/lfw/report.json [more.json ...]

One row per model, best 10-fold accuracy first, the pretrained
baseline last: accuracy ± sd without and with test-time flip, AUC, EER, TAR@FAR=1e-3 on the official
pairs, d' (separation of same/different cosines), the calibrated threshold at FAR 1e-3, the held-out
validation accuracy at epochs 4/8/12 and the last (from the card's training curve) and the training time
(with "+ aug" for a run with ``data.augment``).

A model found in several reports takes its result from the latest report by its ``generated`` time
(reports written before that field existed count as older than any that has it, then by file time), never
by the order of the arguments. The threshold column is the one the model is served at: from the flipped
scores where its card sets ``testTimeFlip``.
"""
import json
import os
import sys

LABELS = {
    "softmax": "softmax (CE + bias)",
    "center": "center loss + CE (λ {lambda:g}, α {alpha:g})",
    "contrastive": "contrastive + CE (DeepID2, m {margin:g})",
    "triplet": "triplet (FaceNet, α {margin:g})",
    "sphereface": "A-Softmax (SphereFace, m {m:g})",
    "cosface": "CosFace (s {s:g}, m {m:g})",
    "arcface": "ArcFace (s {s:g}, m {m:g})",
}


def load_results(paths):
    reports = []
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        # oldest first: ("" < any ISO time) for reports without "generated", then the file's time
        reports.append(((report.get("generated") or ""), os.path.getmtime(path), report))
    results = {}
    for _, _, report in sorted(reports, key=lambda r: (r[0], r[1])):
        for r in report["results"]:
            results[(r["model"], bool(r["flip"]))] = r
    return results


def loss_label(card):
    template = LABELS.get(card.get("loss"), card.get("loss", "?"))
    try:
        return template.format(**card.get("lossParams", {}))
    except KeyError:
        return template.split(" (")[0]


def rows(results, models_dir):
    names = sorted({m for m, _ in results if (m, False) in results})
    cards = {}
    for m in names:
        with open(os.path.join(models_dir, m, "model.json")) as f:
            cards[m] = json.load(f)
    trained = [m for m in names if cards[m].get("training", {}).get("wallSeconds")]
    names = sorted(trained, key=lambda m: -results[(m, False)]["acc10"]) + [m for m in names if m not in trained]
    out = []
    for m in names:
        plain, flip = results[(m, False)], results.get((m, True))
        card = cards[m]
        tr = card.get("training", {})
        curve = {c["epoch"]: c["valAcc"] for c in tr.get("curve", [])}
        val = " / ".join("%.3f" % curve[e] if e in curve else "—" for e in (4, 8, 12, max(curve))) if curve else "—"
        aug = " + aug" if tr.get("config", {}).get("data", {}).get("augment") else ""
        wall = tr.get("wallSeconds")
        sep = (plain.get("separation") or {}).get("dPrime")
        served = flip if card.get("testTimeFlip") and flip else plain
        t3 = served["calibration"]["thresholds"].get("1e-3", {}).get("cosine")
        tar = plain["tarAtFar"].get("1e-3")
        out.append("| %s | %s | %.2f%% ± %.2f | %s | %.4f | %.2f%% | %s | %s | %s | %s | %s |" % (
            m, loss_label(card) if wall else "pretrained baseline", 100 * plain["acc10"], 100 * plain["sd"],
            "%.2f%% ± %.2f" % (100 * flip["acc10"], 100 * flip["sd"]) if flip else "—",
            plain["auc"], 100 * plain["eer"], "—" if tar is None else "%.2f%%" % (100 * tar),
            "—" if sep is None else "%.2f" % sep, "—" if t3 is None else "%.4f" % t3, val,
            "%d epochs%s, %.0f min" % (tr["epochs"], aug, wall / 60) if wall else "vendor"))
    return out


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    print("| model | loss | LFW 10-fold acc ± sd | + flip | AUC | EER | TAR@FAR=1e-3 | d' | threshold @1e-3 | "
          "held-out val (ep 4 / 8 / 12 / last) | training |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for line in rows(load_results(args), "models"):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
