"""INT8 probe of an embedding model: which quantization pays on this CPU, and what it costs in agreement.

    python -m venv /tmp/qenv && /tmp/qenv/bin/pip install onnxruntime onnx numpy pillow
    /tmp/qenv/bin/python bench/int8_probe.py [MODEL_DIR] [ALIGNED_DIR]
        defaults: models/mobilefacenet-faceplugin, data/aligned (training crops from `faceoff.jar align`)

Static quantization calibrated on 200 aligned training crops (never LFW), evaluated on 200 others:
QDQ and QOperator formats, per-channel or per-tensor weights, with and without the depthwise convolutions
quantized; for each, single-thread latency at batch 1 and 8 (ORT_ENABLE_ALL, median of interleaved
runs), the ratio to FP32 in the same run, the mean and minimum cosine between INT8 and FP32 embeddings,
and the op types left in float. A probe, not the served models: accuracy on LFW is for the harness.
"""
import glob
import os
import statistics
import sys
import tempfile
import time
from collections import Counter

import numpy as np
import onnx
import onnxruntime as ort
from onnx import version_converter
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_static)
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def crops(folder, count, skip):
    files = sorted(glob.glob(os.path.join(folder, "**", "*.png"), recursive=True))[::7]
    chosen = files[skip:skip + count]
    if len(chosen) < count:
        sys.exit("int8_probe: need %d aligned crops under %s" % (skip + count, folder))
    out = []
    for f in chosen:
        x = np.asarray(Image.open(f).convert("RGB").resize((112, 112)), dtype=np.float32)
        out.append(((x - 127.5) / 128.0).transpose(2, 0, 1))
    return np.stack(out)


class Reader(CalibrationDataReader):
    def __init__(self, name, data):
        self.items = iter([{name: data[i:i + 1]} for i in range(len(data))])

    def get_next(self):
        return next(self.items, None)


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def embed(s, data):
    name = s.get_inputs()[0].name
    out = np.concatenate([s.run(None, {name: data[i:i + 8]})[0] for i in range(0, len(data), 8)])
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "mobilefacenet-faceplugin")
    aligned = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "data", "aligned")
    work = tempfile.mkdtemp(prefix="int8-")
    model = onnx.load(os.path.join(model_dir, "model.onnx"))
    opset = model.opset_import[0].version
    if opset < 13:
        model = version_converter.convert_version(model, 13)
    fp32 = os.path.join(work, "fp32.onnx")
    onnx.save(model, fp32)
    name = model.graph.input[0].name
    calibration, held = crops(aligned, 200, 0), crops(aligned, 200, 200)
    dw = [n.name for n in model.graph.node if n.op_type == "Conv" and any(a.name == "group" and a.i > 1 for a in n.attribute)]
    variants = {"fp32": fp32}
    for label, fmt, per_channel, exclude in [
            ("qdq-per-channel", QuantFormat.QDQ, True, []),
            ("qdq-per-tensor", QuantFormat.QDQ, False, []),
            ("qoperator-per-channel", QuantFormat.QOperator, True, []),
            ("qoperator-per-tensor", QuantFormat.QOperator, False, []),
            ("qoperator-per-channel-dw-fp32", QuantFormat.QOperator, True, dw)]:
        out = os.path.join(work, label + ".onnx")
        quantize_static(fp32, out, Reader(name, calibration), quant_format=fmt, per_channel=per_channel,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, nodes_to_exclude=exclude)
        variants[label] = out
    sessions = {k: session(v) for k, v in variants.items()}
    reference = embed(sessions["fp32"], held)
    times = {k: {1: [], 8: []} for k in sessions}
    one, eight = held[:1], held[:8]
    for s in sessions.values():   # warm-up
        for _ in range(20):
            s.run(None, {name: one})
    for _ in range(15):
        for k, s in sessions.items():
            for batch, x in ((1, one), (8, eight)):
                started = time.perf_counter()
                for _ in range(10):
                    s.run(None, {name: x})
                times[k][batch].append((time.perf_counter() - started) / 10 * 1000)
    print("int8_probe: %s (opset %d -> 13), %d depthwise convolutions, calibrated on 200 aligned training crops, "
          "checked on 200 others; 1 thread, ORT %s" % (os.path.basename(model_dir), opset, len(dw), ort.__version__))
    print("| variant | ms/face batch 1 | × FP32 | ms/face batch 8 | × FP32 | cosine to FP32 mean / min | float ops in the file (QDQ: fused by ORT at load) |")
    print("|---|---|---|---|---|---|---|")
    base1 = statistics.median(times["fp32"][1])
    base8 = statistics.median(times["fp32"][8]) / 8
    for k, s in sessions.items():
        t1 = statistics.median(times[k][1])
        t8 = statistics.median(times[k][8]) / 8
        e = embed(s, held)
        cos = (e * reference).sum(axis=1)
        ops = Counter(n.op_type for n in onnx.load(variants[k]).graph.node)
        floats = {op: c for op, c in ops.items() if op in ("Conv", "PRelu", "Add", "Reshape", "MatMul", "Gemm")}
        print("| %s | %.2f | %.2f | %.2f | %.2f | %.4f / %.4f | %s |" % (
            k, t1, base1 / t1, t8, base8 / t8, cos.mean(), cos.min(),
            ", ".join("%s %d" % kv for kv in sorted(floats.items())) or "none"))


if __name__ == "__main__":
    main()
