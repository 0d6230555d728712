"""One edit of a serialised ONNX model without the `onnx` package: a second graph output.

Importing `onnx` took 2.2–3.6 s on this shared machine at load 7–12 (`python -X importtime`;
its `ml_dtypes` extension holds the interpreter lock while it starts), and the postal tab's model
needs only one thing from it: the input of the last dense layer as an extra output, the features
the handwriting profile and the doubt rule compare. The model is a protobuf message; its fields
are read here straight from the wire format, and the output is added by appending one more
`graph` field holding one more `output`: a protobuf parser merges repeated occurrences of an
embedded message field, so the graph gains the output and keeps everything else.
"""

from __future__ import annotations

from collections.abc import Iterator

# Field numbers of onnx.proto (ModelProto.graph; GraphProto.node/output; NodeProto.input/op_type;
# ValueInfoProto.name/type; TypeProto.tensor_type; TypeProto.Tensor.elem_type) and FLOAT.
MODEL_GRAPH, GRAPH_NODE, GRAPH_OUTPUT = 7, 1, 12
NODE_INPUT, NODE_OP_TYPE = 1, 4
VALUE_NAME, VALUE_TYPE, TYPE_TENSOR, TENSOR_ELEM_TYPE, FLOAT = 1, 2, 1, 1, 1
DENSE_OPS = ("MatMul", "Gemm")
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _fields(data: memoryview) -> Iterator[tuple[int, memoryview | None]]:
    """(field number, bytes of a length-delimited field, else None) of one message's fields."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        kind = key & 7
        value = None
        if kind == _VARINT:
            _, pos = _varint(data, pos)
        elif kind == _LENGTH:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif kind in (_FIXED64, _FIXED32):
            pos += 8 if kind == _FIXED64 else 4
        else:
            raise ValueError(f"not an ONNX model (protobuf wire type {kind})")
        if pos > len(data):
            raise ValueError("not an ONNX model (a field runs past the end)")
        yield key >> 3, value


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _length_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | _LENGTH) + _encode_varint(len(payload)) + payload


def _last_dense_input(model: memoryview) -> tuple[str | None, int]:
    """The first input of the graph's last MatMul/Gemm node (None: there is none), and how many
    outputs the graph has."""
    last, outputs = None, 0
    for number, graph in _fields(model):
        if number != MODEL_GRAPH or graph is None:
            continue
        for field, value in _fields(graph):
            if field == GRAPH_OUTPUT:
                outputs += 1
            elif field == GRAPH_NODE and value is not None:
                inputs = [bytes(v).decode() for n, v in _fields(value) if n == NODE_INPUT and v]
                op = [bytes(v).decode() for n, v in _fields(value) if n == NODE_OP_TYPE and v]
                if op and op[0] in DENSE_OPS and inputs:
                    last = inputs[0]
    return last, outputs


def with_dense_input_output(model: bytes) -> bytes | None:
    """The model with the input of its last MatMul/Gemm as a second output (float, any shape);
    None when the graph has no such node or not exactly one output."""
    tensor, outputs = _last_dense_input(memoryview(model))
    if tensor is None or outputs != 1:
        return None
    tensor_type = _length_field(TYPE_TENSOR, _encode_varint(TENSOR_ELEM_TYPE << 3) + bytes([FLOAT]))
    value_info = _length_field(VALUE_NAME, tensor.encode()) + _length_field(VALUE_TYPE, tensor_type)
    return model + _length_field(MODEL_GRAPH, _length_field(GRAPH_OUTPUT, value_info))
