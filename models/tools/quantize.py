"""INT8 copy of an embedding model, served as a model of its own: models/<parent>-int8/ (#15).

    python3 -m venv /tmp/qenv && /tmp/qenv/bin/pip install onnxruntime onnx numpy pillow
    /tmp/qenv/bin/python -m models.tools.quantize PARENT [--aligned data/aligned] [--variant dw-fp32]   (repo root)
    then: java -jar target/faceoff.jar evaluate --pairs ../shared/datasets/lfw/pairs.txt \
              --models PARENT,PARENT-int8 --calibrate        (thresholds and metrics; the service needs them)

Static quantization with ONNX Runtime's own tools (QOperator format, per-channel signed 8-bit weights,
unsigned 8-bit activations, MinMax), calibrated on 200 aligned crops of the training data (`faceoff.jar
align` output under data/aligned; never LFW or CFP), each preprocessed as the parent's model.json says
(size, colour order, mean, std). Opset raised to 13 first (the pretrained file is opset 9).
Variants: dw-fp32 (default): the depthwise convolutions stay in float, since ORT's INT8 depthwise kernels
are slower than its FP32 ones on this CPU (bench/int8_probe.py); full: every Conv quantized; prelu: as
dw-fp32, with each PRelu rewritten as (1 - a)·Relu(x) + a·x, which ORT can run in INT8 (it has no
quantized PRelu).
Writes model.onnx, model.json (the parent's contract and provenance, its own name, version 1, sha256, a
"quantization" block; no thresholds or metrics) and golden.json (this file's outputs on the formula inputs
from Python ONNX Runtime, which the Java GoldenOutputsTest must reproduce through the service's runner; per
instruction-set family, this host's: models/tools/golden.py adds another host's).
"""
import argparse
import glob
import hashlib
import json
import math
import os
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper, version_converter
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from PIL import Image

from models.tools.golden import session, write as write_golden

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
METHODS = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
           "entropy": CalibrationMethod.Entropy}


def crops(folder, manifest, count, skip):
    """`count` aligned training crops (every 7th file, from `skip`), as the model's NCHW float input."""
    files = sorted(glob.glob(os.path.join(folder, "**", "*.png"), recursive=True))[::7]
    chosen = files[skip:skip + count]
    if len(chosen) < count:
        sys.exit("quantize: need %d aligned crops under %s (faceoff.jar align)" % ((skip + count) * 7, folder))
    spec = manifest["input"]
    size = spec["shape"][2]
    out = []
    for f in chosen:
        rgb = np.asarray(Image.open(f).convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.float32)
        x = rgb[:, :, ::-1] if spec["color"] == "BGR" else rgb
        out.append(((x - spec["mean"]) / spec["std"]).transpose(2, 0, 1))
    return np.ascontiguousarray(np.stack(out))


class Reader(CalibrationDataReader):
    def __init__(self, name, data):
        self.items = iter([{name: data[i:i + 1]} for i in range(len(data))])

    def get_next(self):
        return next(self.items, None)


def embed(s, data):
    """Unit embeddings, 8 at a time."""
    name = s.get_inputs()[0].name
    out = np.concatenate([s.run(None, {name: data[i:i + 8]})[0] for i in range(0, len(data), 8)])
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def depthwise(model):
    return [n.name for n in model.graph.node
            if n.op_type == "Conv" and any(a.name == "group" and a.i > 1 for a in n.attribute)]


def rewrite_prelu(model, scale_as_conv=False):
    """PRelu(x, a) -> Add(Mul(Relu(x), 1 - a), Mul(x, a)): the same function, in ops ORT quantizes.
    scale_as_conv: each per-channel Mul as a 1x1 depthwise Conv, whose weights ORT quantizes per channel
    (a Mul's constant gets one scale for all channels)."""
    inits = {i.name: i for i in model.graph.initializer}
    nodes = []
    for n in model.graph.node:
        if n.op_type != "PRelu" or n.input[1] not in inits:
            nodes.append(n)
            continue
        a = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
        x, y, base = n.input[0], n.output[0], n.name or n.output[0]
        if scale_as_conv:
            c = a.size
            pos = numpy_helper.from_array((1 - a).reshape(c, 1, 1, 1), base + "_1ma")
            lin = numpy_helper.from_array(a.reshape(c, 1, 1, 1), base + "_a")
            model.graph.initializer.extend([pos, lin])
            nodes += [helper.make_node("Relu", [x], [base + "_relu"], name=base + "_relu"),
                      helper.make_node("Conv", [base + "_relu", pos.name], [base + "_pos"], name=base + "_pos", group=c,
                                       kernel_shape=[1, 1]),
                      helper.make_node("Conv", [x, lin.name], [base + "_lin"], name=base + "_lin", group=c,
                                       kernel_shape=[1, 1]),
                      helper.make_node("Add", [base + "_pos", base + "_lin"], [y], name=base + "_add")]
            continue
        one_minus = numpy_helper.from_array(1 - a, base + "_1ma")
        model.graph.initializer.append(one_minus)
        nodes += [helper.make_node("Relu", [x], [base + "_relu"], name=base + "_relu"),
                  helper.make_node("Mul", [base + "_relu", one_minus.name], [base + "_pos"], name=base + "_pos"),
                  helper.make_node("Mul", [x, n.input[1]], [base + "_lin"], name=base + "_lin"),
                  helper.make_node("Add", [base + "_pos", base + "_lin"], [y], name=base + "_add")]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return model


def quantize(fp32_path, out_path, calibration, variant, float_tail=0, method="minmax", float_head=0):
    """Writes the INT8 file; returns the names of the nodes left in float (and the first `float_head` and last
    `float_tail` Convs)."""
    model = onnx.load(fp32_path)
    name = model.graph.input[0].name
    source = fp32_path
    if variant.startswith("prelu"):
        source = fp32_path.replace(".onnx", "-prelu.onnx")
        onnx.save(rewrite_prelu(onnx.load(fp32_path), scale_as_conv=variant.startswith("prelu-conv")), source)
    exclude = [] if variant in ("full", "prelu-conv-full") else depthwise(model)
    convs = [n.name for n in model.graph.node if n.op_type == "Conv"]
    edges = convs[:float_head] + (convs[len(convs) - float_tail:] if float_tail else [])
    exclude += [c for c in edges if c not in exclude]
    quantize_static(source, out_path, Reader(name, calibration), quant_format=QuantFormat.QOperator,
                    per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    nodes_to_exclude=exclude, calibrate_method=METHODS[method])
    return exclude


def opset13(parent_file, work):
    model = onnx.load(parent_file)
    opset = model.opset_import[0].version
    if opset < 13:
        model = version_converter.convert_version(model, 13)
    path = os.path.join(work, "fp32.onnx")
    onnx.save(model, path)
    return path, opset


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description="INT8 copy of an embedding model")
    parser.add_argument("parent")
    parser.add_argument("--aligned", default=os.path.join(ROOT, "data", "aligned"))
    parser.add_argument("--variant", choices=["dw-fp32", "full", "prelu", "prelu-conv", "prelu-conv-full"],
                        default="prelu-conv-full")
    parser.add_argument("--float-tail", type=int, default=0, help="the last K convolutions stay in float")
    parser.add_argument("--float-head", type=int, default=0, help="the first K convolutions stay in float")
    parser.add_argument("--crops", type=int, default=200, help="calibration crops")
    parser.add_argument("--method", choices=sorted(METHODS), default="minmax", help="activation ranges from")
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    parser.add_argument("--out", help="output folder (default: <models>/<parent>-int8)")
    args = parser.parse_args()
    parent_dir = os.path.join(args.models, args.parent)
    with open(os.path.join(parent_dir, "model.json")) as f:
        parent = json.load(f)
    if parent["task"] != "embedding":
        sys.exit("quantize: %s is not an embedding model" % args.parent)
    work = tempfile.mkdtemp(prefix="quantize-")
    fp32, opset = opset13(os.path.join(parent_dir, parent["file"]), work)
    calibration = crops(args.aligned, parent, args.crops, 0)
    held = crops(args.aligned, parent, 200, args.crops)
    name = args.parent + "-int8"
    out_dir = args.out or os.path.join(args.models, name)
    os.makedirs(out_dir, exist_ok=True)
    out_file = os.path.join(out_dir, "model.onnx")
    in_float = quantize(fp32, out_file, calibration, args.variant, args.float_tail, args.method, args.float_head)
    int8 = session(out_file)
    cos = (embed(session(fp32), held) * embed(int8, held)).sum(axis=1)

    manifest = {k: v for k, v in parent.items() if k not in ("thresholds", "metrics")}
    manifest.update({"name": name, "version": 1, "file": "model.onnx", "sha256": sha256(out_file)})
    manifest["backbone"] = parent.get("backbone", "") + ", INT8"
    manifest["quantization"] = {
        "parent": args.parent, "parentSha256": parent["sha256"], "variant": args.variant,
        "tool": "onnxruntime.quantization %s quantize_static: QOperator, per-channel s8 weights, u8 activations, "
                "%s calibration" % (ort.__version__, args.method),
        "opset": "%d -> 13" % opset,
        "calibration": "%d aligned training crops (every 7th file under data/aligned), never LFW or CFP" % args.crops,
        "floatHead": args.float_head,
        "floatTail": args.float_tail,
        "nodesInFloat": len(in_float),
        "cosineToParent": {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4),
                           "crops": int(len(cos))},
    }
    source = parent.get("provenance", {}).get("source", "")
    manifest["provenance"] = dict(parent.get("provenance", {}),
                                  source="models/tools/quantize.py from %s (sha256 %s...): %s"
                                         % (args.parent, parent["sha256"][:12], source))
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    write_golden(out_dir, name, parent["input"]["shape"][2], keep_other_families=False)
    print("quantize: %s -> %s (%s, %d nodes in float): cosine to the parent on 200 held-out training crops "
          "mean %.4f, min %.4f; now calibrate it (evaluate --calibrate)" % (
              args.parent, out_dir, args.variant, len(in_float), cos.mean(), cos.min()))
    if not math.isfinite(cos.mean()):
        sys.exit(1)


if __name__ == "__main__":
    main()
