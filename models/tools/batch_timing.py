#!/usr/bin/python3
"""How much a dynamic batch axis buys an embedder that fixes its batch to 1 (ms per face, one thread).

Runs the file as it is (faces one by one, as faceoff serves a fixed-batch model) and a copy whose batch axis
prepare_onnx.py made dynamic (two faces per run, as a /v1/verify request; and 16). Alternating rounds, the
median of each; compare within one run (the machine's noise moves both).

usage: batch_timing.py MODEL.onnx [ROUNDS]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort


def per_face(session, name, x, batch, repeats):
    start = time.perf_counter()
    for _ in range(repeats):
        for i in range(0, len(x), batch):
            session.run(None, {name: x[i:i + batch]})
    return (time.perf_counter() - start) * 1e3 / (repeats * len(x))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    model = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    tools = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        dynamic = os.path.join(tmp, "dynamic.onnx")
        subprocess.run([sys.executable, os.path.join(tools, "prepare_onnx.py"), "--dynamic-batch", model, dynamic],
                       check=True)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        fixed = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        batched = ort.InferenceSession(dynamic, options, providers=["CPUExecutionProvider"])
        name = fixed.get_inputs()[0].name
        shape = [16] + [d if isinstance(d, int) else 1 for d in fixed.get_inputs()[0].shape[1:]]
        x = np.random.default_rng(0).random(shape, dtype=np.float32)
        one = np.concatenate([fixed.run(None, {name: x[i:i + 1]})[0] for i in range(len(x))])
        print(f"outputs equal: max |fixed - dynamic| {np.abs(one - batched.run(None, {name: x})[0]).max():.2e}")
        times = {"batch 1 (as served)": [], "batch 2": [], "batch 16": []}
        for _ in range(rounds):
            times["batch 1 (as served)"].append(per_face(fixed, name, x, 1, 3))
            times["batch 2"].append(per_face(batched, name, x, 2, 3))
            times["batch 16"].append(per_face(batched, name, x, 16, 3))
        base = statistics.median(times["batch 1 (as served)"])
        for label, values in times.items():
            m = statistics.median(values)
            print(f"{label:22s} {m:6.2f} ms/face  ({m / base:.2f}x)")
