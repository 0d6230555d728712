"""An ONNX classifier that takes the resized uint8 photo: its normalisation moved into the graph.

`Preprocessing.normalize` (channel order, scale, mean, std) becomes the graph's first nodes and
the graph's input becomes ``pixels``: (N, H, W, 3) uint8, RGB. The photo then crosses into
onnxruntime at a quarter of the size and is normalised by onnxruntime's kernels instead of
numpy's passes over it.

How, for speed: the means and deviations are full-size constant images (an elementwise Sub
over the NHWC tensor is fast where broadcasting a 3-vector over its last axis is not), and the
graph's own first Transpose stays next to its first convolution (onnxruntime fuses the two into
one reorder). A channel swap (RGB -> BGR) is folded into that convolution's weights when the
graph starts with Transpose -> Conv, as Keras exports of CNNs do; otherwise a Gather swaps the
channels. The arithmetic is numpy's, step by step (scale, mean, std in float32), so the model
sees the same numbers; a folded swap only reorders the first convolution's sums.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vision_agent.core.imagenet_preprocess import Preprocessing

PIXELS_INPUT = "pixels"
BGR_FROM_RGB = (2, 1, 0)


def with_pixel_input(model: Any, preprocessing: Preprocessing) -> Any:
    """`model` (an `onnx.ModelProto` taking normalised float32 NHWC) taking RGB uint8 NHWC.

    The model is changed in place and returned.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    original = _image_input(graph)
    width, height = preprocessing.size
    swap = preprocessing.color_order == "BGR"
    swap_in_weights = swap and _swap_first_conv_channels(graph, original.name)

    def per_pixel(values: tuple[float, ...]) -> np.ndarray:
        """Per-channel values (in the recipe's channel order) as a (1, H, W, 3) image in the
        order the pixels reach this node."""
        channels = np.asarray(values, np.float32)
        if swap_in_weights:
            channels = channels[list(BGR_FROM_RGB)]
        return np.ascontiguousarray(np.broadcast_to(channels, (1, height, width, 3)))

    nodes, constants = [], []
    current = PIXELS_INPUT

    def step(op: str, constant: np.ndarray | None = None, **attributes: Any) -> None:
        nonlocal current
        output = f"{PIXELS_INPUT}_{op.lower()}_{len(nodes)}"
        operands = [current]
        if constant is not None:
            name = f"{output}_constant"
            constants.append(numpy_helper.from_array(constant, name))
            operands.append(name)
        nodes.append(helper.make_node(op, operands, [output], **attributes))
        current = output

    if swap and not swap_in_weights:
        step("Gather", np.asarray(BGR_FROM_RGB, np.int64), axis=3)
    step("Cast", to=TensorProto.FLOAT)
    if preprocessing.scale != 1.0:
        step("Mul", np.asarray(preprocessing.scale, np.float32))
    step("Sub", per_pixel(preprocessing.mean))
    if preprocessing.std is not None:
        step("Div", per_pixel(preprocessing.std))
    nodes[-1].output[0] = original.name  # the old input is now the last step's output

    dims = [dim.dim_param or dim.dim_value or "N" for dim in original.type.tensor_type.shape.dim]
    graph.input.remove(original)
    graph.input.insert(0, helper.make_tensor_value_info(PIXELS_INPUT, TensorProto.UINT8, dims))
    graph.initializer.extend(constants)
    for node in reversed(nodes):
        graph.node.insert(0, node)
    onnx.checker.check_model(model)
    return model


def _image_input(graph: Any) -> Any:
    """The graph's one input that is not a weight: (N, H, W, 3)."""
    initializers = {tensor.name for tensor in graph.initializer}
    inputs = [value for value in graph.input if value.name not in initializers]
    if len(inputs) != 1:
        raise ValueError(f"expected one image input, found {len(inputs)}")
    dims = [dim.dim_param or dim.dim_value for dim in inputs[0].type.tensor_type.shape.dim]
    if len(dims) != 4 or dims[3] != 3:
        raise ValueError(f"expected an NHWC colour input, found shape {dims}")
    return inputs[0]


def _swap_first_conv_channels(graph: Any, input_name: str) -> bool:
    """Reverse the input channels of the convolution the image goes through first, if the
    graph is `input -> Transpose(NHWC -> NCHW) -> Conv` with weights of its own; False (and
    nothing changed) otherwise."""
    from onnx import helper, numpy_helper

    def only_consumer(name: str) -> Any:
        consumers = [node for node in graph.node if name in node.input]
        return consumers[0] if len(consumers) == 1 else None

    transpose = only_consumer(input_name)
    if transpose is None or transpose.op_type != "Transpose":
        return False
    perm = next(
        (helper.get_attribute_value(a) for a in transpose.attribute if a.name == "perm"), []
    )
    conv = only_consumer(transpose.output[0])
    if list(perm) != [0, 3, 1, 2] or conv is None or conv.op_type != "Conv":
        return False
    groups = next((helper.get_attribute_value(a) for a in conv.attribute if a.name == "group"), 1)
    weights = next((t for t in graph.initializer if t.name == conv.input[1]), None)
    if groups != 1 or weights is None or only_consumer(weights.name) is not conv:
        return False
    kernel = numpy_helper.to_array(weights)
    if kernel.ndim != 4 or kernel.shape[1] != 3:
        return False
    swapped = np.ascontiguousarray(kernel[:, list(BGR_FROM_RGB)])
    weights.CopyFrom(numpy_helper.from_array(swapped, weights.name))
    return True
