"""The digit model's features output is added without the `onnx` package (the window's process
never imports it: seconds under load, holding the interpreter lock), and the edit is the one
`onnx` makes."""

from __future__ import annotations

import subprocess
import sys

import onnx
import pytest

from vision_agent.core.onnx_wire import with_dense_input_output
from vision_agent.core.postal import SHIPPED_MODEL


def test_the_wire_edit_gives_the_model_onnx_would_give():
    model = onnx.load(str(SHIPPED_MODEL))
    last_dense = [n for n in model.graph.node if n.op_type in ("MatMul", "Gemm")][-1]
    model.graph.output.append(
        onnx.helper.make_tensor_value_info(last_dense.input[0], onnx.TensorProto.FLOAT, None)
    )
    edited = onnx.load_from_string(with_dense_input_output(SHIPPED_MODEL.read_bytes()))
    assert edited == model
    assert [o.name for o in edited.graph.output][-1] == last_dense.input[0]


def test_a_graph_without_a_dense_layer_or_with_two_outputs_is_left_alone():
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None, 4])
    y = onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [None, 4])
    relu = onnx.helper.make_node("Relu", ["x"], ["y"])
    plain = onnx.helper.make_model(onnx.helper.make_graph([relu], "g", [x], [y]))
    assert with_dense_input_output(plain.SerializeToString()) is None
    doubled = onnx.load(str(SHIPPED_MODEL))
    doubled.graph.output.append(doubled.graph.output[0])
    assert with_dense_input_output(doubled.SerializeToString()) is None


@pytest.mark.parametrize("data", [b"\x0f", b"\x3a\xff\x01"])
def test_bytes_that_are_not_a_model_are_refused(data):
    with pytest.raises((ValueError, IndexError)):
        with_dense_input_output(data)


def test_reading_a_code_with_the_shipped_model_imports_neither_onnx_nor_tensorflow():
    probe = (
        "import sys\n"
        "from vision_agent.checks.postal import draw_code\n"
        "from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer\n"
        "recognizer = PostalRecognizer.from_file(SHIPPED_MODEL)\n"
        "assert recognizer.recognize(draw_code('10701')).code == '10701'\n"
        "print(sorted(m for m in ('onnx', 'ml_dtypes', 'tensorflow') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
