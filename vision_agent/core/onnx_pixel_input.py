"""An ONNX classifier that takes the resized uint8 photo: its normalisation moved into the graph.

`Preprocessing.normalize` (channel order, scale, mean, std) becomes the graph's first nodes
(Cast, Gather, Mul, Sub, Div — the same float32 operations in the same order, so the model sees
the same numbers), and the graph's input becomes ``pixels``: (N, H, W, 3) uint8, RGB. The
photo then crosses into onnxruntime at a quarter of the size and is normalised by onnxruntime's
kernels instead of numpy's passes over it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vision_agent.core.imagenet_preprocess import Preprocessing

PIXELS_INPUT = "pixels"


def with_pixel_input(model: Any, preprocessing: Preprocessing) -> Any:
    """`model` (an `onnx.ModelProto` taking normalised float32 NHWC) taking RGB uint8 NHWC.

    The model is changed in place and returned.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    initializers = {tensor.name for tensor in graph.initializer}
    inputs = [value for value in graph.input if value.name not in initializers]
    if len(inputs) != 1:
        raise ValueError(f"expected one image input, found {len(inputs)}")
    original = inputs[0]
    dims = [dim.dim_param or dim.dim_value or "N" for dim in original.type.tensor_type.shape.dim]
    if len(dims) != 4 or dims[3] != 3:
        raise ValueError(f"expected an NHWC colour input, found shape {dims}")

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

    def per_channel(values: tuple[float, ...]) -> np.ndarray:
        return np.asarray(values, np.float32).reshape(1, 3, 1, 1)

    step("Transpose", perm=[0, 3, 1, 2])
    if preprocessing.color_order == "BGR":
        step("Gather", np.asarray([2, 1, 0], np.int64), axis=1)
    step("Cast", to=TensorProto.FLOAT)
    if preprocessing.scale != 1.0:
        step("Mul", np.asarray(preprocessing.scale, np.float32))
    step("Sub", per_channel(preprocessing.mean))
    if preprocessing.std is not None:
        step("Div", per_channel(preprocessing.std))
    step("Transpose", perm=[0, 2, 3, 1])
    nodes[-1].output[0] = original.name  # the old input is now the last step's output

    graph.input.remove(original)
    graph.input.insert(0, helper.make_tensor_value_info(PIXELS_INPUT, TensorProto.UINT8, dims))
    graph.initializer.extend(constants)
    for node in reversed(nodes):
        graph.node.insert(0, node)
    onnx.checker.check_model(model)
    return model
