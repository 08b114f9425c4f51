"""CI smoke test: a real, tiny training run of every loss, each exported and checked.

    /usr/bin/python3 -m training.smoke --out /tmp/faceoff-smoke

Generates a small synthetic set (training/synthetic.py), trains every registered loss for two
short epochs (P x K batches as in real training), exports each to <out>/<loss>-mfn64/
(model.onnx, model.json, golden.json) and prints one line per loss. Exits 1 if any loss fails.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback

from . import config as C
from .export import export
from .losses import LOSSES
from .synthetic import generate_dataset
from .train import train

SMOKE_DATASETS = [("synth-a", 12, 4, 7), ("synth-b", 6, 3, 5)]


def smoke_overrides(tmp, threads):
    return [
        "data.root=" + os.path.join(tmp, "aligned"),
        'data.datasets=["synth-a", "synth-b"]',
        "data.cache_dir=" + os.path.join(tmp, "cache"),
        "data.val_fraction=0.2",
        "data.val_pairs=200",
        "train.epochs=2",
        "train.batch.P=4",
        "train.batch.K=4",
        "train.margin_warmup_epochs=1",
        "train.threads=%d" % threads,
        "train.log_every_steps=1000",
        "train.checkpoint_every_steps=0",
        "train.bn_recalibration_batches=8",
    ]


def run_one(loss, tmp, out, threads):
    cfg = C.load_config(C.loss_config_path(loss), smoke_overrides(tmp, threads))
    t0 = time.time()
    result = train(cfg, os.path.join(tmp, "work", cfg["name"]), resume=False, quiet=True)
    t1 = time.time()
    exported = export(cfg, os.path.join(out, cfg["name"]), checkpoint=result["checkpoint"])
    t2 = time.time()
    hist = result["history"]
    images = result["steps"] * int(cfg["train"]["batch"]["P"]) * int(cfg["train"]["batch"]["K"])
    return ("smoke %-11s ok  train %.1fs (%d steps, %.0f img/s, loss %.3f -> %.3f, val_acc %.3f)  "
            "export %.1fs (max |out| %.2f, max |onnx-torch| %.1e)" % (
                loss, t1 - t0, result["steps"], images / max(1e-9, t1 - t0), hist[0]["loss"], hist[-1]["loss"],
                hist[-1]["val_acc"], t2 - t1, exported["max_abs_output"], exported["max_abs_diff"]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="exports go to <out>/<loss>-mfn64/")
    p.add_argument("--losses", default=",".join(LOSSES), help="comma-separated (default: all)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1, see README)")
    p.add_argument("--keep", action="store_true", help="keep the temporary data and work dirs")
    args = p.parse_args(argv)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="faceoff-smoke-")
    start = time.time()
    failures = 0
    try:
        for name, ids, lo, hi in SMOKE_DATASETS:
            generate_dataset(os.path.join(tmp, "aligned"), name, ids, lo, hi, seed=1)
        for loss in args.losses.split(","):
            try:
                print(run_one(loss, tmp, out, args.threads), flush=True)
            except Exception:  # report every loss, then fail
                failures += 1
                print("smoke %-11s FAILED" % loss, flush=True)
                traceback.print_exc()
    finally:
        if args.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("smoke: %d losses, %d failed, %.1fs total" % (len(args.losses.split(",")), failures, time.time() - start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
