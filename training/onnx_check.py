"""An independent evaluator for the ONNX graphs this package exports, so export can prove in
Python (where onnxruntime is not installed) that model.onnx computes what PyTorch computes.

It executes the graph node by node from the ONNX file alone (initializers, attributes, wiring)
with plain tensor arithmetic; Resize is implemented from the ONNX spec (linear, half_pixel), not
by calling PyTorch's interpolate. Only the operators our exporter emits are supported; anything
else raises, which is a signal to extend this file, not to skip the check.
"""
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b=None, dilations=(1, 1), group=1, pads=(0, 0, 0, 0), strides=(1, 1), **_):
    top, left, bottom, right = pads
    if top != bottom or left != right:
        x = F.pad(x, (left, right, top, bottom))
        top = left = 0
    return F.conv2d(x, w, b, stride=tuple(strides), padding=(top, left), dilation=tuple(dilations), groups=group)


def _linear_axis(x, axis, out_size):
    """ONNX Resize, mode=linear, coordinate_transformation_mode=half_pixel, along one axis."""
    in_size = x.shape[axis]
    scale = out_size / in_size
    o = torch.arange(out_size, dtype=torch.float64)
    src = ((o + 0.5) / scale - 0.5).clamp(0, in_size - 1)
    i0 = src.floor().long()
    i1 = (i0 + 1).clamp(max=in_size - 1)
    w1 = (src - i0.double()).to(x.dtype)
    shape = [1] * x.dim()
    shape[axis] = out_size
    w1 = w1.view(shape)
    return x.index_select(axis, i0) * (1 - w1) + x.index_select(axis, i1) * w1


def _resize(x, roi=None, scales=None, sizes=None, mode=b"nearest",
            coordinate_transformation_mode=b"half_pixel", **_):
    if mode != b"linear" or coordinate_transformation_mode not in (b"half_pixel", b"pytorch_half_pixel"):
        raise NotImplementedError("Resize mode=%s ctm=%s" % (mode, coordinate_transformation_mode))
    if sizes is None or sizes.numel() == 0:
        sizes = [int(round(d * s)) for d, s in zip(x.shape, scales.tolist())]
    else:
        sizes = [int(v) for v in sizes.tolist()]
    if min(sizes[-2:]) <= 1 and coordinate_transformation_mode == b"pytorch_half_pixel":
        raise NotImplementedError("pytorch_half_pixel with an output size of 1")
    for axis in range(x.dim()):
        if sizes[axis] != x.shape[axis]:
            x = _linear_axis(x, axis, sizes[axis])
    return x


def _batchnorm(x, scale, bias, mean, var, epsilon=1e-5, **_):
    shape = [1, -1] + [1] * (x.dim() - 2)
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + epsilon) * scale.view(shape) + bias.view(shape)


def _prelu(x, slope):
    return torch.where(x >= 0, x, x * slope)


def _slice(x, starts, ends, axes=None, steps=None):
    axes = list(range(len(starts))) if axes is None else axes.tolist()
    steps = [1] * len(axes) if steps is None else steps.tolist()
    index = [slice(None)] * x.dim()
    for a, s, e, st in zip(axes, starts.tolist(), ends.tolist(), steps):
        index[a] = slice(s, min(e, x.shape[a]), st)
    return x[tuple(index)]


def _unsqueeze(x, axes):
    rank = x.dim() + len(axes)
    for a in sorted(int(a) % rank for a in axes.tolist()):
        x = x.unsqueeze(a)
    return x


OPS = {
    "Conv": lambda ins, at: _conv(*ins, **at),
    "PRelu": lambda ins, at: _prelu(*ins),
    "Add": lambda ins, at: ins[0] + ins[1],
    "Mul": lambda ins, at: ins[0] * ins[1],
    "Sub": lambda ins, at: ins[0] - ins[1],
    "Div": lambda ins, at: ins[0] / ins[1],
    "Identity": lambda ins, at: ins[0],
    "Flatten": lambda ins, at: ins[0].reshape(
        int(torch.tensor(ins[0].shape[:at.get("axis", 1)]).prod()), -1),
    "BatchNormalization": lambda ins, at: _batchnorm(*ins, **at),
    "Shape": lambda ins, at: torch.tensor(list(ins[0].shape), dtype=torch.long),
    "Slice": lambda ins, at: _slice(*ins),
    "Concat": lambda ins, at: torch.cat(ins, dim=at["axis"]),
    "Gather": lambda ins, at: torch.index_select(ins[0], at.get("axis", 0), ins[1].reshape(-1)).reshape(
        list(ins[0].shape[:at.get("axis", 0)]) + list(ins[1].shape) + list(ins[0].shape[at.get("axis", 0) + 1:])),
    "Unsqueeze": lambda ins, at: _unsqueeze(*ins),
    "Cast": lambda ins, at: ins[0].to({1: torch.float32, 7: torch.long, 6: torch.int32}[at["to"]]),
    "Resize": lambda ins, at: _resize(*ins, **at),
    "Reshape": lambda ins, at: ins[0].reshape([s if s != 0 else ins[0].shape[i] for i, s in enumerate(ins[1].tolist())]),
}


def run(model, inputs):
    """Evaluate ``model`` (an onnx.ModelProto) on {name: float tensor}; returns {output: tensor}."""
    values = {init.name: torch.from_numpy(numpy_helper.to_array(init).copy()) for init in model.graph.initializer}
    values.update(inputs)
    for node in model.graph.node:
        at = _attrs(node)
        if node.op_type == "Constant":
            values[node.output[0]] = torch.from_numpy(numpy_helper.to_array(at["value"]).copy())
            continue
        if node.op_type not in OPS:
            raise NotImplementedError("onnx_check: operator %s is not supported" % node.op_type)
        ins = [values[name] if name else None for name in node.input]
        if node.op_type == "Resize":
            ins = ins + [None] * (4 - len(ins))
        values[node.output[0]] = OPS[node.op_type](ins, at)
    return {o.name: values[o.name] for o in model.graph.output}
