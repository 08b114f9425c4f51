"""Summary table of bin/evaluate-wild: one row per detector x model (x flip), from each run's report.json."""
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])


def load(path):
    return json.loads(path.read_text()) if path.exists() else None


def no_face(report):
    return 100.0 * len(report["imagesWithoutFace"]) / report["images"]


def served(rep, key):
    """FRR / FAR of the official pairs at the served threshold (evaluate's servedDecisions)."""
    d = next((x for x in rep.get("servedDecisions", []) if (x["model"], x["flip"]) == key), None) if rep else None
    return f"{100 * d['frr']:.2f}% / {100 * d['far']:.2f}%" if d else "—"


print("| detector | model | flip | LFW | CFP-FF | CFP-FP | no face LFW / FF / FP | FAR at the LFW FAR=1e-3 threshold on FF / FP: official pairs (all cross-identity pairs) | FRR / FAR at the served threshold: LFW; FF; FP |")
print("|---|---|---|---|---|---|---|---|---|")
for det in sorted(p.name for p in out.iterdir() if p.is_dir()):
    runs = {s: load(out / det / s / "report.json") for s in ("lfw", "cfp-ff", "cfp-fp")}
    if not runs["lfw"]:
        continue
    for r in runs["lfw"]["results"]:
        key = (r["model"], r["flip"])
        cells, far = [], []
        for s in ("lfw", "cfp-ff", "cfp-fp"):
            rep = runs[s]
            m = next((x for x in rep["results"] if (x["model"], x["flip"]) == key), None) if rep else None
            cells.append(f"{100 * m['acc10']:.2f}% ± {100 * m['sd']:.2f}" if m else "—")
            if s != "lfw":
                sw = next((x for x in rep.get("qualitySweeps", []) if (x["model"], x["flip"]) == key), None) if rep else None
                far.append(f"{sw['rows'][0]['farKept']:.1e} ({sw['allFalseAccepts'] / max(1, sw['allNegatives']):.1e})" if sw else "—")
        nf = " / ".join(f"{no_face(runs[s]):.2f}%" if runs[s] else "—" for s in ("lfw", "cfp-ff", "cfp-fp"))
        at = "; ".join(served(runs[s], key) for s in ("lfw", "cfp-ff", "cfp-fp"))
        print(f"| {det} | {key[0]} | {'yes' if key[1] else 'no'} | {' | '.join(cells)} | {nf} | {' / '.join(far)} | {at} |")
