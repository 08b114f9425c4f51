#!/usr/bin/python3
"""Real ONNX embedders with the input contracts third-party models have, made from a 112x112 NCHW one.

The import and serving paths are tested on them (ImportEndToEndTest), each a thin wrapper around the same
weights, so their embeddings can be compared with the original's:

  nhwc.onnx          input [batch, 112, 112, 3] (TensorFlow-style NHWC), transposed to NCHW inside
  w96.onnx           input [batch, 3, 112, 96] (SphereFace's 112x96 crop), padded back to 112 wide inside
                     with 8 columns of zeros (mid-grey after normalisation) each side
  fixed-output.onnx  the original, with its output declared [1, D] while its input batch stays dynamic
                     (as some exporters write it: ONNX Runtime then warns on every batch)

usage: variants.py MODEL.onnx OUT_DIR
"""
import copy
import os
import sys

import onnx
from onnx import TensorProto, helper


def _rewire(model: onnx.ModelProto, new_input: onnx.ValueInfoProto, first: onnx.NodeProto) -> onnx.ModelProto:
    """Replaces the graph's image input by new_input feeding `first`, whose output takes the old input's name."""
    model = copy.deepcopy(model)
    graph = model.graph
    old = graph.input[0]
    first.output[0] = old.name
    graph.node.insert(0, first)
    graph.input.remove(old)
    graph.input.insert(0, new_input)
    return model


def nhwc(model: onnx.ModelProto) -> onnx.ModelProto:
    dims = model.graph.input[0].type.tensor_type.shape.dim
    c, h, w = (d.dim_value for d in dims[1:])
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", h, w, c])
    return _rewire(model, image, helper.make_node("Transpose", ["image"], ["to-nchw"], perm=[0, 3, 1, 2]))


def narrow(model: onnx.ModelProto, width: int) -> onnx.ModelProto:
    dims = model.graph.input[0].type.tensor_type.shape.dim
    c, h, w = (d.dim_value for d in dims[1:])
    side = (w - width) // 2
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", c, h, width])
    # opset 9 Pad: pads and value are attributes
    pad = helper.make_node("Pad", ["image"], ["padded"], pads=[0, 0, 0, side, 0, 0, 0, side], value=0.0)
    return _rewire(model, image, pad)


def fixed_output(model: onnx.ModelProto) -> onnx.ModelProto:
    model = copy.deepcopy(model)
    dim = model.graph.output[0].type.tensor_type.shape.dim[0]
    dim.Clear()
    dim.dim_value = 1
    return model


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    source = onnx.load(sys.argv[1])
    os.makedirs(sys.argv[2], exist_ok=True)
    for name, variant in (("nhwc", nhwc(source)), ("w96", narrow(source, 96)), ("fixed-output", fixed_output(source))):
        onnx.checker.check_model(variant)
        path = os.path.join(sys.argv[2], name + ".onnx")
        onnx.save(variant, path)
        print(f"variants: {path}", file=sys.stderr)
