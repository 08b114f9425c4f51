#!/usr/bin/python3
"""Prepare a vendor ONNX model for serving; run once, at fetch time, by models/fetch-pretrained.sh.

1. (--dynamic-batch, the embedder) Dynamic batch axis: the file fixes batch to 1. The graph's only Reshape, [1, -1], becomes [0, -1]
   (0 = keep the incoming batch size) and inputs/outputs get the symbolic dim "batch", so both faces of
   a /v1/verify request go through one session run.
2. Near-zero weights flushed to zero: about 10% of the embedder's weights (119,016 of 1,190,336) and 9%
   of the landmark model's (26,567 of 288,808) are below 1e-30 in magnitude, many of them denormal. They
   change no output in float32, but products with them are denormal numbers, which the CPU handles in
   microcode: the embedder ran 4.3x slower on a real face (bench/denormals.sh: 97.1 vs 22.7 ms/face, one
   thread). ONNX Runtime's set_denormal_as_zero only covers its pool threads, not the calling thread that
   runs a 1-thread session.

Weights are otherwise untouched; outputs are unchanged within float rounding, and a batch of two equals
two single runs (the Java test PreparedModelsTest, against the vendor's original files).

usage: prepare_onnx.py [--dynamic-batch] IN.onnx OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

FLUSH_BELOW = 1e-30


def make_dynamic(model: onnx.ModelProto) -> None:
    graph = model.graph
    for value in list(graph.input) + list(graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        dim.Clear()
        dim.dim_param = "batch"
    initializers = {i.name: i for i in graph.initializer}
    # a Reshape's target shape is an initializer or the output of a Constant node (torch.onnx's export)
    constants = {n.output[0]: a for n in graph.node if n.op_type == "Constant" for a in n.attribute if a.name == "value"}
    for node in graph.node:
        if node.op_type != "Reshape":
            continue
        if node.input[1] in initializers:
            shape = initializers[node.input[1]]
        elif node.input[1] in constants:
            shape = constants[node.input[1]].t
        else:
            raise SystemExit(f"Reshape {node.name}: shape is neither an initializer nor a Constant; cannot rewrite safely")
        values = numpy_helper.to_array(shape).copy()
        if values[0] == 1:
            values[0] = 0
            shape.CopyFrom(numpy_helper.from_array(values, shape.name))


def flush_tiny_weights(model: onnx.ModelProto) -> int:
    flushed = 0
    for init in model.graph.initializer:
        values = numpy_helper.to_array(init)
        if values.dtype != np.float32:
            continue
        tiny = (values != 0) & (np.abs(values) < FLUSH_BELOW)
        if tiny.any():
            flushed += int(tiny.sum())
            values = np.where(tiny, np.float32(0), values).astype(np.float32)
            init.CopyFrom(numpy_helper.from_array(values, init.name))
    return flushed


if __name__ == "__main__":
    args = sys.argv[1:]
    dynamic = "--dynamic-batch" in args
    args = [a for a in args if a != "--dynamic-batch"]
    if len(args) != 2:
        raise SystemExit(__doc__)
    model = onnx.load(args[0])
    if dynamic:
        make_dynamic(model)
    flushed = flush_tiny_weights(model)
    onnx.checker.check_model(model)
    onnx.save(model, args[1])
    print(f"prepare_onnx: {args[1]}: dynamic batch {dynamic}; {flushed} weights below {FLUSH_BELOW:g} set to 0",
          file=sys.stderr)
