"""Export a trained experiment for faceoff's Java service.

    /usr/bin/python3 -m training.export --config training/configs/arcface.json --out models/arcface-mfn64

writes into --out:
  model.onnx   N x 3 x 112 x 112 float32 RGB (x - 127.5) / 128 -> N x <dim> raw embedding
               (input 'input', output 'embedding', dynamic batch axis)
  model.json   the model card the Java service reads (thresholds/metrics of an existing card are
               kept: the Java 'evaluate --calibrate' job owns them)
  golden.json  PyTorch outputs for four formula-generated inputs, for the Java ONNX Runtime test
Before writing, the ONNX graph is executed (ONNX Runtime, else training/onnx_check.py) and compared with PyTorch.
"""
import argparse
import hashlib
import inspect
import io
import json
import os
import sys
import warnings

import onnx
import torch

from . import config as C
from . import onnx_check
from .model import backbone_name, build_model
from .utils import CHECKPOINT, load_checkpoint, write_json

GOLDEN_FORMULA = "sin(0.37*(k+1) + 0.11*h*(c+1) + 0.05*w)"
GOLDEN_CASES = 4
TOLERANCE = 1e-4


def golden_input(k, size=112):
    """x[0,c,h,w] = float32(sin(0.37*(k+1) + 0.11*h*(c+1) + 0.05*w)), computed in float64."""
    c = torch.arange(3, dtype=torch.float64).view(3, 1, 1)
    h = torch.arange(size, dtype=torch.float64).view(1, size, 1)
    w = torch.arange(size, dtype=torch.float64).view(1, 1, size)
    return torch.sin(0.37 * (k + 1) + 0.11 * h * (c + 1) + 0.05 * w).float().unsqueeze(0)


def onnx_bytes(model, input_size, opset):
    """torch.onnx.export with the legacy (TorchScript) exporter, on 1.13 and on 2.x alike."""
    kwargs = dict(input_names=["input"], output_names=["embedding"],
                  dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}},
                  opset_version=opset, do_constant_folding=True, export_params=True)
    accepted = inspect.signature(torch.onnx.export).parameters
    if "dynamo" in accepted:  # 2.9+ defaults to the dynamo exporter; keep the TorchScript one
        kwargs["dynamo"] = False
    if "training" in accepted and hasattr(torch.onnx, "TrainingMode"):  # gone from newer releases
        kwargs["training"] = torch.onnx.TrainingMode.EVAL
    model.eval()
    buf = io.BytesIO()
    with warnings.catch_warnings():  # tracer/shape-inference chatter about the fixed resize
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 3, input_size, input_size), buf, **kwargs)
    proto = onnx.load_from_string(buf.getvalue())
    out_dim = proto.graph.output[0].type.tensor_type.shape.dim[1]
    out_dim.Clear()
    out_dim.dim_value = model.embedding_dim
    proto.producer_name = "faceoff-training"
    onnx.checker.check_model(proto)
    return proto


def verify_onnx(proto, inputs, expected):
    """max |ONNX graph - torch| over the inputs (1 x 3 x H x W each) and their expected outputs (one row each),
    run one at a time and as one batch (which also proves the batch axis dynamic): ONNX Runtime where it is
    installed, else training/onnx_check.py."""
    initializers = {t.name for t in proto.graph.initializer}
    name = next(i.name for i in proto.graph.input if i.name not in initializers)
    try:
        import onnxruntime as ort
        session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])

        def run(x):
            return torch.from_numpy(session.run(None, {name: x.numpy()})[0])
    except ImportError:
        def run(x):
            return next(iter(onnx_check.run(proto, {name: x}).values()))
    expected = torch.stack(list(expected))
    batched = run(torch.cat(inputs))
    singles = torch.cat([run(x) for x in inputs])
    return max(float((batched - expected).abs().max()), float((singles - expected).abs().max()))


def write_golden(out_dir, name, outputs):
    """golden.json: the outputs (one per golden_input k) that Java ONNX Runtime must reproduce within TOLERANCE."""
    write_json(os.path.join(out_dir, "golden.json"), {
        "model": name, "tolerance": TOLERANCE, "generator": GOLDEN_FORMULA,
        "cases": [{"k": k, "output": [float(v) for v in o.tolist()]} for k, o in enumerate(outputs)]})


def read_existing_card(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def model_card(cfg, state, name, sha256, existing):
    loss_params = dict(cfg["loss"])
    loss_name = loss_params.pop("name")
    ecfg = cfg["export"]
    history = state["history"]
    data = state["data"]
    return {
        "name": name, "version": existing.get("version", 1), "task": "embedding",
        "loss": loss_name,
        # Numbers only (the Java side reads a map of numbers); switches such as ArcFace's
        # easy_margin or the triplet mining mode are in training.config.loss.
        "lossParams": {k: float(v) for k, v in loss_params.items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)},
        "backbone": backbone_name(cfg["model"]),
        "file": "model.onnx", "sha256": sha256,
        "input": {"name": "input", "shape": [-1, 3, int(cfg["model"]["input_size"]), int(cfg["model"]["input_size"])],
                  "layout": "NCHW", "color": "RGB", "mean": 127.5, "std": 128.0},
        "outputs": [{"name": "embedding", "dim": int(cfg["model"]["embedding_dim"])}],
        "alignment": ecfg["alignment"],
        # an operator's choice after evaluate (served with flip, calibrated with flip): kept on re-export
        "testTimeFlip": bool(existing.get("testTimeFlip", False)),
        "thresholds": existing.get("thresholds", {}),
        "metrics": existing.get("metrics", {}),
        "training": {
            "data": list(data["datasets"]), "images": int(data["images"]), "identities": int(data["identities"]),
            "epochs": int(state["epoch"]), "wallSeconds": int(round(state["wall_seconds"])),
            "device": state["device"], "commit": state["commit"], "config": cfg,
            "validation": {"accuracy": float(history[-1]["val_acc"]) if history else 0.0},
            # the per-epoch log (training/curves.py draws it): held-out verification accuracy and loss
            "curve": [curve_point(h) for h in history],
            "terms": ecfg["terms"],
        },
        "provenance": {"source": ecfg["source"], "license": ecfg["license"]},
    }


def curve_point(h):
    return {"epoch": int(h["epoch"]), "loss": round(float(h["loss"]), 5), "valAcc": round(float(h["val_acc"]), 5),
            "lr": round(float(h["lr"]), 6), "marginFactor": round(float(h["margin_factor"]), 5),
            "seconds": round(float(h["epoch_seconds"]), 1)}


def export(cfg, out_dir, checkpoint=None, work_dir=None, allow_unfinished=False):
    """Export a checkpoint to out_dir; returns a summary dict (max_abs_diff, paths)."""
    checkpoint = checkpoint or os.path.join(C.experiment_dir(cfg, work_dir), CHECKPOINT)
    if not os.path.exists(checkpoint):
        raise FileNotFoundError("no checkpoint at %s; train first (python -m training.train)" % checkpoint)
    state = load_checkpoint(checkpoint)
    if not state["finished"] and not allow_unfinished:
        raise SystemExit("%s is not a finished run (epoch %d/%d); pass --allow-unfinished to export it anyway"
                         % (checkpoint, state["epoch"], int(state["config"]["train"]["epochs"])))
    cfg = state["config"]  # the config the weights were trained with
    model = build_model(cfg["model"])
    model.load_state_dict(state["model"])
    model.eval()
    proto = onnx_bytes(model, int(cfg["model"]["input_size"]), int(cfg["export"]["opset"]))
    inputs = [golden_input(k, int(cfg["model"]["input_size"])) for k in range(GOLDEN_CASES)]
    with torch.no_grad():
        outputs = [model(x)[0] for x in inputs]
    diff, scale = verify_onnx(proto, inputs, outputs), max(float(o.abs().max()) for o in outputs)
    # Two float32 implementations of the same graph agree to ~1e-6 relative; more means a wrong graph.
    if not diff <= 1e-5 * max(1.0, scale):
        raise RuntimeError("exported ONNX graph differs from PyTorch by %g (outputs up to %g)" % (diff, scale))
    if scale > 100:
        raise RuntimeError("embeddings up to %g: BatchNorm running statistics look broken (the golden "
                           "test's absolute tolerance %g would be meaningless)" % (scale, TOLERANCE))
    if not all(bool(torch.isfinite(o).all()) for o in outputs):
        raise RuntimeError("model produces non-finite embeddings")

    os.makedirs(out_dir, exist_ok=True)
    name = cfg["name"]
    blob = proto.SerializeToString()
    sha256 = hashlib.sha256(blob).hexdigest()
    with open(os.path.join(out_dir, "model.onnx"), "wb") as f:
        f.write(blob)
    card_path = os.path.join(out_dir, "model.json")
    card = model_card(cfg, state, name, sha256, read_existing_card(card_path))
    write_json(card_path, card)
    write_golden(out_dir, name, outputs)
    return {"out": out_dir, "max_abs_diff": diff, "max_abs_output": scale, "sha256": sha256,
            "embedding_norm": sum(float(o.norm()) for o in outputs) / len(outputs)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True)
    p.add_argument("--checkpoint", help="default: <work>/checkpoint.pt of the experiment")
    p.add_argument("--work", help="experiment dir, as for training.train")
    p.add_argument("--out", required=True, help="e.g. models/arcface-mfn64")
    p.add_argument("--allow-unfinished", action="store_true")
    args = p.parse_args(argv)
    cfg = C.load_config(args.config)
    result = export(cfg, os.path.abspath(args.out), args.checkpoint, args.work, args.allow_unfinished)
    print("exported %s: sha256 %s, max |output| %.3g, max |onnx - torch| %.2e" % (
        result["out"], result["sha256"], result["max_abs_output"], result["max_abs_diff"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
