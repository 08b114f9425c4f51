"""INT8 probe of an embedding model: which quantization pays on this CPU, and what it costs in agreement.

    python -m venv /tmp/qenv && /tmp/qenv/bin/pip install onnxruntime onnx numpy pillow
    /tmp/qenv/bin/python -m bench.int8_probe [MODEL_DIR] [ALIGNED_DIR]       (from the repository root)
        defaults: models/mobilefacenet-faceplugin, data/aligned (training crops from `faceoff.jar align`)

Static quantization calibrated on 200 aligned training crops (never LFW), evaluated on 200 others, each
preprocessed as the model's model.json says (models/tools/quantize.py, which makes the served INT8 copies):
QDQ and QOperator formats, per-channel or per-tensor weights, with and without the depthwise convolutions
quantized, and with each PRelu rewritten as (1 - a)·Relu(x) + a·x (quantizable). For each: single-thread
latency at batch 1 and 8 (ORT_ENABLE_ALL, median of interleaved runs), the ratio to FP32 in the same run,
the mean and minimum cosine between INT8 and FP32 embeddings, and the op types left in float. A probe:
accuracy on LFW is measured on the served copies (evaluate).
"""
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter

import onnx
import onnxruntime as ort
from onnxruntime.quantization import QuantFormat, QuantType, quantize_static

from models.tools.golden import session
from models.tools.quantize import Reader, crops, depthwise, embed, opset13, rewrite_prelu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "mobilefacenet-faceplugin")
    aligned = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "data", "aligned")
    work = tempfile.mkdtemp(prefix="int8-")
    with open(os.path.join(model_dir, "model.json")) as f:
        manifest = json.load(f)
    fp32, opset = opset13(os.path.join(model_dir, manifest["file"]), work)
    model = onnx.load(fp32)
    name = model.graph.input[0].name
    calibration, held = crops(aligned, manifest, 200, 0), crops(aligned, manifest, 200, 200)
    dw = depthwise(model)
    prelu = os.path.join(work, "fp32-prelu.onnx")
    onnx.save(rewrite_prelu(onnx.load(fp32)), prelu)
    variants = {"fp32": fp32}
    for label, source, fmt, per_channel, exclude in [
            ("qdq-per-channel", fp32, QuantFormat.QDQ, True, []),
            ("qdq-per-tensor", fp32, QuantFormat.QDQ, False, []),
            ("qoperator-per-channel", fp32, QuantFormat.QOperator, True, []),
            ("qoperator-per-tensor", fp32, QuantFormat.QOperator, False, []),
            ("qoperator-per-channel-dw-fp32", fp32, QuantFormat.QOperator, True, dw),
            ("qoperator-per-channel-dw-fp32-prelu-rewritten", prelu, QuantFormat.QOperator, True, dw),
            ("qoperator-per-channel-prelu-rewritten", prelu, QuantFormat.QOperator, True, [])]:
        out = os.path.join(work, label + ".onnx")
        quantize_static(source, out, Reader(name, calibration), quant_format=fmt, per_channel=per_channel,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, nodes_to_exclude=exclude)
        variants[label] = out
    served = os.path.join(os.path.dirname(os.path.abspath(model_dir)), os.path.basename(model_dir.rstrip("/")) + "-int8",
                          "model.onnx")
    if os.path.isfile(served):   # the served copy (models/tools/quantize.py), timed in the same rounds
        variants["served: " + os.path.relpath(served, ROOT)] = served
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
        floats = {op: c for op, c in ops.items() if op in ("Conv", "PRelu", "Add", "Mul", "Relu", "Reshape", "MatMul", "Gemm")}
        print("| %s | %.2f | %.2f | %.2f | %.2f | %.4f / %.4f | %s |" % (
            k, t1, base1 / t1, t8, base8 / t8, cos.mean(), cos.min(),
            ", ".join("%s %d" % kv for kv in sorted(floats.items())) or "none"))


if __name__ == "__main__":
    main()
