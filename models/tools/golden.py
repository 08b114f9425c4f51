"""golden.json of an INT8 model: Python ONNX Runtime's outputs on the formula inputs, per instruction-set family.

    python3 -m models.tools.golden MODEL_DIR       (from the repository root: adds this host's family)

ONNX Runtime's INT8 (u8s8) kernels compute differently by CPU: with VNNI (avx512_vnni or avx_vnni) the products
are summed exactly; with plain AVX2 (or AVX-512 without VNNI) pairs of products are summed into saturating 16-bit
lanes first, so the outputs differ by far more than the 1e-4 the Java GoldenOutputsTest allows (0.52 for
contrastive-mfn64-aug-int8). golden.json therefore keeps one reference per family, under "byInstructionSet";
the Java test compares with its host's family, as /proc/cpuinfo names it (the same rule as instruction_set()
here), and fails when the file has none for it. models/tools/quantize.py writes the quantizing host's family;
this adds another host's to an existing file, from the same model.onnx.
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort

FORMULA = "sin(0.37*(k+1) + 0.11*h*(c+1) + 0.05*w)"
TOLERANCE = 1e-4


def instruction_set(cpuinfo="/proc/cpuinfo"):
    """'vnni', 'avx512' (no VNNI), 'avx2' or 'other': the family of ONNX Runtime's INT8 kernels on this host."""
    flags = set()
    if os.path.exists(cpuinfo):
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    if "avx512_vnni" in flags or "avx_vnni" in flags:
        return "vnni"
    if "avx512bw" in flags:
        return "avx512"
    return "avx2" if "avx2" in flags else "other"


def golden_input(k, size):
    c, h, w = np.meshgrid(np.arange(3), np.arange(size), np.arange(size), indexing="ij")
    return np.sin(0.37 * (k + 1) + 0.11 * h * (c + 1) + 0.05 * w).astype(np.float32)[None]


def session(path):
    """One-thread CPU session, as the service opens them (no spinning, all graph optimisations)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def write(model_dir, name, size, keep_other_families):
    """Writes this host's family's reference into model_dir/golden.json; the other families' references are kept
    only with keep_other_families (the same model.onnx), else dropped (a new model.onnx)."""
    path = os.path.join(model_dir, "golden.json")
    families = {}
    if keep_other_families and os.path.exists(path):
        with open(path) as f:
            families = json.load(f).get("byInstructionSet", {})
    s = session(os.path.join(model_dir, "model.onnx"))
    input_name = s.get_inputs()[0].name
    family = instruction_set()
    families[family] = {
        "reference": "Python onnxruntime %s on this model.onnx, %s host" % (ort.__version__, family),
        "cases": [{"k": k, "output": [float(v) for v in s.run(None, {input_name: golden_input(k, size)})[0][0]]}
                  for k in range(4)]}
    with open(path, "w") as f:
        json.dump({"model": name, "tolerance": TOLERANCE, "generator": FORMULA,
                   "byInstructionSet": dict(sorted(families.items()))}, f, indent=1)
        f.write("\n")
    return family


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.exit("usage: python3 -m models.tools.golden MODEL_DIR")
    model_dir = args[0]
    with open(os.path.join(model_dir, "model.json")) as f:
        manifest = json.load(f)
    family = write(model_dir, manifest["name"], manifest["input"]["shape"][2], keep_other_families=True)
    print("golden: %s/golden.json now has the %s reference" % (model_dir, family))


if __name__ == "__main__":
    main()
