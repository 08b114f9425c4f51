"""An ONNX graph as a trainable PyTorch module, and the module's weights written back as ONNX.

The pretrained embedder (``models/mobilefacenet-faceplugin/model.onnx``: Conv with BatchNorm folded
in, PRelu, Add, one Reshape) and the 68-point landmark model (Conv, Relu, Add, Flatten, Gemm,
BatchNormalization) use a handful of operators; this module runs exactly those, node by node in the
graph's order, with every float initializer as an ``nn.Parameter`` (so the graph can be fine-tuned)
and everything else (shapes) as a constant. Nothing but ``onnx`` and ``torch`` is needed.

``write_onnx(module, source, path)`` copies the source graph and replaces its initializers by the
module's current values: the fine-tuned model has the teacher's graph node for node, so the Java
service serves it with the same manifest (input name, layout, colour order, normalisation).
"""
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

SUPPORTED = ("Conv", "PRelu", "Relu", "Add", "Reshape", "Flatten", "Gemm", "BatchNormalization")


def _attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _key(name):
    """Parameter names may not contain dots."""
    return "w_" + "".join(c if c.isalnum() else "_" for c in name)


class OnnxGraph(nn.Module):
    """Runs an ONNX graph of the SUPPORTED operators; float initializers are trainable parameters."""

    def __init__(self, path_or_model):
        super().__init__()
        model = onnx.load(path_or_model) if isinstance(path_or_model, str) else path_or_model
        graph = model.graph
        unsupported = sorted({n.op_type for n in graph.node} - set(SUPPORTED))
        if unsupported:
            raise ValueError("ONNX operators %s are not supported (supported: %s)" % (unsupported, ", ".join(SUPPORTED)))
        self.params = nn.ParameterDict()
        self.keys = {}
        self.constants = {}
        for init in graph.initializer:
            array = numpy_helper.to_array(init)
            if array.dtype.kind == "f":
                self.keys[init.name] = _key(init.name)
                self.params[_key(init.name)] = nn.Parameter(torch.from_numpy(array.copy()).float())
            else:
                self.constants[init.name] = [int(v) for v in array.reshape(-1)]
        self.nodes = [(n.op_type, list(n.input), list(n.output), _attributes(n)) for n in graph.node]
        initializer_names = {i.name for i in graph.initializer}
        self.input_name = next(i.name for i in graph.input if i.name not in initializer_names)
        self.output_names = [o.name for o in graph.output]

    def tensor(self, name, values):
        if name in self.keys:
            return self.params[self.keys[name]]
        return values[name]

    def forward(self, x):
        values = {self.input_name: x}
        for op, inputs, outputs, attrs in self.nodes:
            args = [self.tensor(n, values) if n in self.keys or n in values else None for n in inputs]
            if op == "Conv":
                pads = attrs.get("pads", [0, 0, 0, 0])
                if pads[0] != pads[2] or pads[1] != pads[3]:
                    raise ValueError("asymmetric Conv padding is not supported")
                y = F.conv2d(args[0], args[1], args[2] if len(args) > 2 else None,
                             stride=attrs.get("strides", [1, 1]), padding=pads[:2],
                             dilation=attrs.get("dilations", [1, 1]), groups=attrs.get("group", 1))
            elif op == "PRelu":
                y = F.prelu(args[0], args[1].reshape(-1))
            elif op == "Relu":
                y = F.relu(args[0])
            elif op == "Add":
                y = args[0] + args[1]
            elif op == "Reshape":
                shape = list(self.constants[inputs[1]])
                shape = [args[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
                y = args[0].reshape(shape)
            elif op == "Flatten":
                y = torch.flatten(args[0], attrs.get("axis", 1))
            elif op == "Gemm":
                a, b = args[0], args[1]
                if attrs.get("transA", 0):
                    a = a.t()
                y = attrs.get("alpha", 1.0) * (a @ (b.t() if attrs.get("transB", 0) else b))
                if len(args) > 2 and args[2] is not None:
                    y = y + attrs.get("beta", 1.0) * args[2]
            elif op == "BatchNormalization":
                y = F.batch_norm(args[0], args[3], args[4], args[1], args[2], training=False,
                                 eps=attrs.get("epsilon", 1e-5))
            values[outputs[0]] = y
        out = [values[n] for n in self.output_names]
        return out[0] if len(out) == 1 else tuple(out)


def write_onnx(module, source, path):
    """Write ``source``'s graph with every float initializer replaced by ``module``'s value."""
    model = onnx.load(source) if isinstance(source, str) else source
    model = onnx.ModelProto.FromString(model.SerializeToString())
    state = {name: module.params[key].detach().cpu().numpy() for name, key in module.keys.items()}
    for i, init in enumerate(model.graph.initializer):
        if init.name in state:
            array = state[init.name].astype(numpy_helper.to_array(init).dtype)
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(array, init.name))
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path
