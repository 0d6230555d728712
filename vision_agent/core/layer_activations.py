"""What every layer of a model makes of one input: Keras layer outputs and ONNX intermediates.

A `LayerReader` lists a model's layers in order and returns their outputs for a batch, one
`LayerOutput` per layer and sample, channels last: feature maps (H, W, C), vectors (N,).
It runs where the model runs (the model's child process for Keras, the service's thread for
ONNX). Nothing about any particular model is assumed: the layers are enumerated.

Keras: `keras.Model(model.inputs, [layer.output, ...])` for functional models; a Sequential
model is run layer by layer (its layers' graph nodes may not be the model's own once it was
loaded). ONNX: onnxruntime on the graph with the layers' tensors added as outputs; nodes are
grouped into layers (a convolution with its bias, batch norm and activation is one layer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from vision_agent.core.errors import ModelLoadError, UserError

# ONNX ops that make a layer of their own (a learner would draw them as a box) ...
ONNX_LAYER_OPS = {
    "Conv": "Conv",
    "ConvTranspose": "ConvTranspose",
    "QLinearConv": "Conv",
    "ConvInteger": "Conv",
    "MaxPool": "MaxPool",
    "AveragePool": "AveragePool",
    "GlobalAveragePool": "GlobalAveragePool",
    "GlobalMaxPool": "GlobalMaxPool",
    "QLinearGlobalAveragePool": "GlobalAveragePool",
    "Gemm": "Dense",
    "MatMul": "Dense",
    "QLinearMatMul": "Dense",
    "MatMulInteger": "Dense",
    "Flatten": "Flatten",
    "Concat": "Concat",
    "Add": "Add",
    "QLinearAdd": "Add",
    "LRN": "LRN",
}
# ... and ops that finish the layer before them: bias, normalisation, activation.
ONNX_EPILOGUE_OPS = {
    "Add",
    "QLinearAdd",
    "Sub",
    "Mul",
    "Div",
    "BatchNormalization",
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Elu",
    "Selu",
    "Sigmoid",
    "HardSigmoid",
    "HardSwish",
    "Tanh",
    "Clip",
    "Softmax",
    "LogSoftmax",
    "Identity",
    "Dropout",
    "DequantizeLinear",
}
GLOBAL_POOLS = {"GlobalAveragePool", "GlobalMaxPool"}
ARITHMETIC_OPS = {"Add", "QLinearAdd", "Sub", "Mul", "Div"}
KERAS_EXPORT_SUFFIX = re.compile(r"_\d+$")


@dataclass(frozen=True)
class LayerInfo:
    """A layer's name and type (Keras class name, or the ONNX operation it starts with)."""

    name: str
    type: str
    shape: tuple[int | None, ...] = ()  # declared output shape, channels last, no batch axis


@dataclass(frozen=True)
class LayerOutput:
    """One layer's output for one sample, channels last."""

    name: str
    type: str
    values: np.ndarray  # float32: (H, W, C) feature maps, (N,) a vector, or any other shape

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.values.shape)

    @property
    def is_maps(self) -> bool:
        return self.values.ndim == 3

    def channels(self) -> np.ndarray:
        """(channels, positions): each channel's values over the spatial positions."""
        values = self.values
        if values.ndim <= 1:
            return values.reshape(-1, 1)
        return values.reshape(-1, values.shape[-1]).T

    def channel_means(self) -> np.ndarray:
        """Mean activation per channel over the positions (a vector's values themselves)."""
        return self.channels().mean(axis=1)

    def channel_ranges(self) -> tuple[np.ndarray, np.ndarray]:
        """(minimum, maximum) per channel."""
        channels = self.channels()
        return channels.min(axis=1), channels.max(axis=1)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "shape": list(self.shape),
            "channel_means": [round(float(v), 6) for v in self.channel_means()],
        }


class LayerReader(Protocol):
    """A model's layers, and their outputs for a batch (NHWC float32)."""

    layers: list[LayerInfo]

    def first_kernels(self) -> np.ndarray | None:
        """The first convolution's filters (kh, kw, in, out), or None without one."""
        ...

    def outputs(
        self, batch: np.ndarray, names: Sequence[str] | None = None
    ) -> list[list[LayerOutput]]:
        """Per sample, the outputs of `names` (default: every layer) in model order."""
        ...


def stage_outputs(layers: Sequence[LayerInfo]) -> set[str]:
    """The last layer at each spatial size (where a network's stage ends: ResNet50's
    conv2_block3_out, conv3_block4_out, ...); padding layers do not count."""
    spatial = [
        (layer.name, layer.shape[:2])
        for layer in layers
        if len(layer.shape) == 3 and "Padding" not in layer.type
    ]
    return {
        name
        for (name, size), (_next, next_size) in zip(
            spatial, [*spatial[1:], ("", None)], strict=True
        )
        if size != next_size
    }


def _checked_names(layers: list[LayerInfo], names: Sequence[str] | None) -> list[str]:
    known = [layer.name for layer in layers]
    if names is None:
        return known
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UserError(
            f"The model has no layer {unknown[0]!r}. Its layers: {', '.join(known[:40])}"
            + (" …" if len(known) > 40 else "")
        )
    wanted = set(names)
    return [name for name in known if name in wanted]


# ------------------------------------------------------------------ Keras


class KerasLayers:
    """Every top-level layer of a Keras model, with its output for a batch.

    `adapt` turns the NHWC batch into what the model takes (e.g. flattened 784 vectors).
    """

    def __init__(self, model: Any, adapt: Callable[[np.ndarray], np.ndarray] | None = None):
        from vision_agent.core.keras_files import keras_of

        keras = self._keras = keras_of(model)
        self._model = model
        self._adapt = adapt or (lambda batch: batch)
        self._sequential = isinstance(model, keras.Sequential)
        self._layers = {
            layer.name: layer
            for layer in model.layers
            if not isinstance(layer, keras.layers.InputLayer) and _has_one_output(layer)
        }
        self.layers = [
            LayerInfo(name, type(layer).__name__, tuple(layer.output.shape[1:]))
            for name, layer in self._layers.items()
        ]
        self._forwards: dict[tuple[str, ...], Callable[[Any], Any]] = {}

    def outputs(
        self, batch: np.ndarray, names: Sequence[str] | None = None
    ) -> list[list[LayerOutput]]:
        import tensorflow as tf

        chosen = tuple(_checked_names(self.layers, names))
        forward = self._forwards.get(chosen)
        if forward is None:
            forward = self._forwards[chosen] = self._compile(chosen)
        tensors = forward(tf.constant(self._adapt(np.asarray(batch, np.float32))))
        if not isinstance(tensors, (list, tuple)):  # a model of one output returns it bare
            tensors = [tensors]
        types = {info.name: info.type for info in self.layers}
        arrays = [np.asarray(t, np.float32) for t in tensors]
        return [
            [
                LayerOutput(name, types[name], array[i])
                for name, array in zip(chosen, arrays, strict=True)
            ]
            for i in range(len(batch))
        ]

    def first_kernels(self) -> np.ndarray | None:
        for layer in self._layers.values():
            kernel = getattr(layer, "kernel", None)
            if kernel is not None and len(kernel.shape) == 4:
                return np.asarray(kernel, np.float32)
        return None

    def _compile(self, names: tuple[str, ...]) -> Callable[[Any], Any]:
        import tensorflow as tf

        if self._sequential:
            wanted = set(names)
            last = max(i for i, layer in enumerate(self._model.layers) if layer.name in wanted)
            layers = self._model.layers[: last + 1]

            @tf.function(reduce_retracing=True)
            def forward(x):
                outputs = []
                for layer in layers:
                    x = layer(x, training=False)
                    if layer.name in wanted:
                        outputs.append(x)
                return outputs

            return forward
        from vision_agent.core.keras_files import output_in

        outputs = [output_in(self._model, self._layers[n]) for n in names]
        model = self._keras.Model(self._model.inputs, outputs)
        return tf.function(lambda x: model(x, training=False), reduce_retracing=True)


def _has_one_output(layer: Any) -> bool:
    """Whether the layer has a single tensor output in the model's graph (a layer used twice,
    or one with several outputs, has no single feature map to show)."""
    try:
        output = layer.output
    except (AttributeError, ValueError):
        return False
    return hasattr(output, "shape") and not isinstance(output, (list, tuple))


# ------------------------------------------------------------------ ONNX


@dataclass(frozen=True)
class OnnxLayer:
    name: str
    type: str
    tensor: str  # the graph tensor that is the layer's output
    shape: tuple[int | None, ...] = ()  # declared, channels last, no batch axis
    quantization: tuple[str, str] | None = None  # (scale, zero point) initializers


class OnnxLayers:
    """An ONNX model's layers through onnxruntime, with their tensors added as graph outputs.

    `layout` is how the NHWC batch is fed: "NHWC", "NCHW", "HW" (channel dropped) or "flat".
    4-D layer outputs are NCHW (as ONNX convolutions are) and are returned channels last.
    """

    def __init__(self, path: Path, layout: str) -> None:
        import onnx

        from vision_agent.core.onnx_export import cpu_session

        try:
            model = onnx.load(str(path))
        except Exception as exc:
            raise ModelLoadError(f"{path.name} is not a readable ONNX model: {exc}") from None
        self._plan = onnx_layer_plan(model)
        if not self._plan:
            raise ModelLoadError(f"{path.name}: no layers found in its ONNX graph.")
        self.layers = [LayerInfo(layer.name, layer.type, layer.shape) for layer in self._plan]
        self._quantization = _initializer_values(model, self._plan)
        self._kernels = _first_kernels(model)
        present = {output.name for output in model.graph.output}
        for layer in self._plan:
            if layer.tensor not in present:
                model.graph.output.append(onnx.ValueInfoProto(name=layer.tensor))
                present.add(layer.tensor)
        try:
            self._session = cpu_session(model.SerializeToString())
        except Exception as exc:
            raise ModelLoadError(
                f"{path.name}: onnxruntime cannot return its intermediate outputs "
                f"({str(exc)[:200]})."
            ) from None
        self._input = self._session.get_inputs()[0].name
        self._layout = layout
        self._fill_unknown_shapes()

    def _fill_unknown_shapes(self) -> None:
        """Shapes that shape inference left unknown (quantized graphs), from one run on zeros,
        so that the layer list shows every layer's shape before any is looked at."""
        unknown = [i for i, layer in enumerate(self._plan) if not layer.shape]
        dims = self._session.get_inputs()[0].shape
        if not unknown or not all(isinstance(d, int) for d in dims[1:]):
            return
        feed = {self._input: np.zeros((1, *dims[1:]), np.float32)}
        try:
            arrays = self._session.run([self._plan[i].tensor for i in unknown], feed)
        except Exception:  # e.g. an input that is not float: the shapes stay unknown
            return
        for i, array in zip(unknown, arrays, strict=True):
            layer = self._plan[i]
            shape = _channels_last(tuple(int(d) for d in np.shape(array)), layer.type)
            self._plan[i] = replace(layer, shape=shape)
            self.layers[i] = LayerInfo(layer.name, layer.type, shape)

    def outputs(
        self, batch: np.ndarray, names: Sequence[str] | None = None
    ) -> list[list[LayerOutput]]:
        chosen = set(_checked_names(self.layers, names))
        plan = [layer for layer in self._plan if layer.name in chosen]
        feed = {self._input: to_layout(np.asarray(batch, np.float32), self._layout)}
        arrays = self._session.run([layer.tensor for layer in plan], feed)
        results: list[list[LayerOutput]] = [[] for _ in range(len(batch))]
        for layer, array in zip(plan, arrays, strict=True):
            values = self._dequantized(layer, np.asarray(array))
            if values.ndim == 4:
                values = values.transpose(0, 2, 3, 1)
            if layer.type in GLOBAL_POOLS:  # (1, 1, C) maps: a vector, as Keras gives it
                values = values.reshape(len(batch), -1)
            for i in range(len(batch)):
                results[i].append(LayerOutput(layer.name, layer.type, values[i]))
        return results

    def first_kernels(self) -> np.ndarray | None:
        return self._kernels

    def _dequantized(self, layer: OnnxLayer, array: np.ndarray) -> np.ndarray:
        if layer.quantization is None:
            return array.astype(np.float32)
        scale, zero_point = (self._quantization[name] for name in layer.quantization)
        return ((array.astype(np.float32) - zero_point.astype(np.float32)) * scale).astype(
            np.float32
        )


def to_layout(batch: np.ndarray, layout: str) -> np.ndarray:
    """An NHWC batch in the layout an ONNX model takes (see `onnx_input_layout`)."""
    if layout == "NCHW":
        batch = batch.transpose(0, 3, 1, 2)
    elif layout == "HW":
        batch = batch[..., 0]
    elif layout == "flat":
        batch = batch.reshape(len(batch), -1)
    return np.ascontiguousarray(batch, np.float32)


def onnx_input_layout(path: Path, sample_shape: tuple[int, int, int]) -> str:
    """How an ONNX model takes (H, W, C) samples, from its input's declared shape."""
    import onnx

    return input_layout(onnx.load(str(path), load_external_data=False), sample_shape)


def input_layout(model: Any, sample_shape: tuple[int, int, int]) -> str:
    """`onnx_input_layout` of a loaded ONNX model."""
    dims = [
        d.dim_value if d.HasField("dim_value") else None
        for d in model.graph.input[0].type.tensor_type.shape.dim
    ]
    return dims_layout(dims, sample_shape)


def dims_layout(dims: list[int | str | None], sample_shape: tuple[int, int, int]) -> str:
    """The layout of a model input with these declared dimensions (batch first; a free one is
    None or a name), e.g. an onnxruntime session's `get_inputs()[0].shape`."""
    dims = [d if isinstance(d, int) and d > 0 else None for d in dims[1:]]
    c = sample_shape[2]
    if len(dims) == 1:
        return "flat"
    if len(dims) == 2:
        return "HW"
    if len(dims) == 3 and dims[0] == c and dims[2] != c:
        return "NCHW"
    return "NHWC"


def onnx_layer_plan(model: Any) -> list[OnnxLayer]:
    """The graph's layers in order: each layer op, extended through the ops that finish it."""
    graph = model.graph
    constants = {init.name for init in graph.initializer}
    constants |= {out for node in graph.node if node.op_type == "Constant" for out in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    shapes = _declared_shapes(model)
    data = _data_tensors(graph, constants)
    taken: set[int] = set()
    plan: list[tuple[str, str, str, Any]] = []  # scope, type, tensor, last node
    for node in graph.node:
        if id(node) in taken or node.output[0] not in data:
            continue
        if not _starts_layer(node, constants, shapes):
            continue
        last = node
        while True:
            after = consumers.get(last.output[0], [])
            if len(after) != 1 or after[0].op_type not in ONNX_EPILOGUE_OPS:
                break
            following = after[0]
            if following.op_type in ARITHMETIC_OPS and not _has_constant_operand(
                following, constants
            ):
                break
            taken.add(id(following))
            last = following
        kind = ONNX_LAYER_OPS.get(node.op_type, "Flatten")
        plan.append((_layer_scope(node, last), kind, last.output[0], last))
    names = _layer_names([scope for scope, *_ in plan])
    return [
        OnnxLayer(
            name,
            kind,
            tensor,
            _channels_last(shapes.get(tensor, ()), kind),
            _output_quantization(last, constants),
        )
        for name, (_scope_name, kind, tensor, last) in zip(names, plan, strict=True)
    ]


def _channels_last(shape: tuple[int | None, ...], kind: str) -> tuple[int | None, ...]:
    """A declared NCHW shape as (H, W, C) without the batch axis (a global pool's as (C,));
    others without the batch axis."""
    if len(shape) == 4 and kind in GLOBAL_POOLS:
        return (shape[1],)
    if len(shape) == 4:
        return (shape[2], shape[3], shape[1])
    return shape[1:]


def _data_tensors(graph: Any, constants: set[str]) -> set[str]:
    """Tensors computed from the input's values (not from its shape, nor from constants)."""
    data = {value.name for value in graph.input if value.name not in constants}
    for node in graph.node:
        if node.op_type not in ("Shape", "Size") and any(name in data for name in node.input):
            data.update(node.output)
    return data


def _starts_layer(node: Any, constants: set[str], shapes: dict[str, tuple]) -> bool:
    if node.op_type in ARITHMETIC_OPS:
        return not _has_constant_operand(node, constants)  # a residual sum, not a bias
    if node.op_type == "Reshape":  # a flattening reshape (feature maps -> a vector)
        return len(shapes.get(node.output[0], ())) == 2 and len(shapes.get(node.input[0], "4d")) > 2
    return node.op_type in ONNX_LAYER_OPS


def _has_constant_operand(node: Any, constants: set[str]) -> bool:
    operands = (node.input[0], node.input[3]) if node.op_type == "QLinearAdd" else node.input[:2]
    return any(name in constants for name in operands)


def _declared_shapes(model: Any) -> dict[str, tuple[int | None, ...]]:
    """Tensor shapes from ONNX shape inference (None for unknown dimensions)."""
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:
        return {}
    infos = [*inferred.graph.value_info, *inferred.graph.output, *inferred.graph.input]
    return {
        info.name: tuple(
            d.dim_value if d.HasField("dim_value") else None
            for d in info.type.tensor_type.shape.dim
        )
        for info in infos
        if info.type.tensor_type.HasField("shape")
    }


def _first_kernels(model: Any) -> np.ndarray | None:
    """The first convolution's weights as (kh, kw, in, out) float32, dequantized if needed."""
    from onnx import numpy_helper

    initializers = {init.name: init for init in model.graph.initializer}

    def value(name: str) -> np.ndarray | None:
        return numpy_helper.to_array(initializers[name]) if name in initializers else None

    for node in model.graph.node:
        if node.op_type == "Conv":
            weights = value(node.input[1])
        elif node.op_type == "QLinearConv":
            weights, scale, zero = (value(node.input[i]) for i in (3, 4, 5))
            if weights is not None and scale is not None and zero is not None:
                shape = (-1, 1, 1, 1) if np.ndim(scale) else ()
                weights = (weights.astype(np.float32) - np.reshape(zero, shape)) * np.reshape(
                    scale, shape
                )
        else:
            continue
        if weights is None or weights.ndim != 4:
            return None
        return np.asarray(weights, np.float32).transpose(2, 3, 1, 0)
    return None


def _output_quantization(node: Any, constants: set[str]) -> tuple[str, str] | None:
    """A QLinear op's output (scale, zero point) initializers, to show real values."""
    if not node.op_type.startswith("QLinear"):
        return None
    if node.op_type == "QLinearConv":
        scale, zero = node.input[6], node.input[7]
    elif node.op_type == "QLinearGlobalAveragePool":
        scale, zero = node.input[3], node.input[4]
    else:
        scale, zero = node.input[-2], node.input[-1]
    return (scale, zero) if scale in constants and zero in constants else None


def _initializer_values(model: Any, plan: list[OnnxLayer]) -> dict[str, np.ndarray]:
    from onnx import numpy_helper

    wanted = {name for layer in plan if layer.quantization for name in layer.quantization}
    return {
        init.name: numpy_helper.to_array(init)
        for init in model.graph.initializer
        if init.name in wanted
    }


def _layer_scope(first: Any, last: Any) -> str:
    """Where a layer sits in its model: the scope of the node whose tensor it shows
    ("model/activation/Relu" -> "model/activation": a Keras export names the Keras layer that
    computed it, also when a convolution and a separate activation layer are grouped), or the
    first node's name in graphs without scopes."""
    parts = [part for part in (last.name or "").split("/") if part]
    if len(parts) > 1:
        return "/".join(parts[:-1])
    return first.name or first.output[0]


def _layer_names(scopes: list[str]) -> list[str]:
    """Readable unique names: the common top scope (the model's name) dropped, and Keras
    exports' numeric suffix ("conv2d_1" for the layer "conv2d") removed when all have one."""
    parts = [scope.split("/") for scope in scopes]
    if len(parts) > 1 and all(len(p) > 1 and p[0] == parts[0][0] for p in parts):
        parts = [p[1:] for p in parts]
    names = ["/".join(p) for p in parts]
    stripped = [KERAS_EXPORT_SUFFIX.sub("", name) for name in names]
    if all(KERAS_EXPORT_SUFFIX.search(n) for n in names) and len(set(stripped)) == len(names):
        names = stripped
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return unique
