"""The trained model as files the rest of the app reads without TensorFlow: one ONNX graph
(the frozen backbone and the run's kept model, composed: features -> L2 normalisation -> Gemm
-> Softmax for a linear one; for the plain regression with the Gaussians, both models' scores,
the Gaussians' in double precision, their log-softmaxes summed with the blend's weight, then
Softmax), `classes.json` (the class names in output order) and a card (strategy, backbone,
data, validation figures, and the preprocessing the graph's input needs). Each file is
written by the app's one writer (whole or not at all).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision_agent.core.errors import ModelLoadError
from vision_agent.core.imagenet_preprocess import Preprocessing
from vision_agent.core.own_classes.blend import PlainWithGaussians
from vision_agent.core.own_classes.features import FEATURES_OUTPUT, feature_graph
from vision_agent.core.own_classes.gaussian import GaussianClasses
from vision_agent.core.own_classes.head import NORM_FLOOR, Classifier, LinearHead
from vision_agent.core.user_files import parse_json, read_user_bytes
from vision_agent.core.user_writes import make_folder, write_user_file

MODEL_FILE = "own_classes.onnx"
CLASSES_FILE = "classes.json"
CARD_FILE = "model_card.json"
OUTPUT = "probabilities"
CARD_KIND = "vision-agent own classes"
MAX_SIDECAR_BYTES = 1 << 20


@dataclass(frozen=True)
class ExportedFiles:
    model: Path
    classes: Path
    card: Path


def composed_model(backbone_path: Path, model: Classifier):
    """The backbone cut at its features with the run's kept `model` on top: input as the
    backbone's, output `probabilities` (N, K) as `model.probabilities` gives them."""
    from onnx import TensorProto, helper

    onnx_model = feature_graph(backbone_path)
    graph = onnx_model.graph
    if isinstance(model, PlainWithGaussians):
        _blend_nodes(graph, model)
        classes = model.plain.weights.shape[1]
    else:
        _linear_nodes(graph, model)
        graph.node.append(helper.make_node("Softmax", ["head_logits"], [OUTPUT], axis=1))
        classes = model.weights.shape[1]
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", classes]))
    graph.name = "backbone_and_own_head"
    return onnx_model


def _normalised_nodes(graph, features: str, prefix: str, dimension: int, dtype) -> str:
    """`normalised(features)` as both linear models and the Gaussians apply it:
    x · √D / max(‖x‖, NORM_FLOOR), in `dtype`; the name of its output."""
    from onnx import helper, numpy_helper

    graph.initializer.extend(
        [
            numpy_helper.from_array(np.asarray(NORM_FLOOR, dtype), f"{prefix}_norm_floor"),
            numpy_helper.from_array(np.asarray(np.sqrt(dimension), dtype), f"{prefix}_norm_length"),
        ]
    )
    graph.node.extend(
        [
            helper.make_node(
                "ReduceL2", [features], [f"{prefix}_feature_length"], axes=[1], keepdims=1
            ),
            helper.make_node(
                "Max", [f"{prefix}_feature_length", f"{prefix}_norm_floor"], [f"{prefix}_divisor"]
            ),
            helper.make_node("Div", [features, f"{prefix}_divisor"], [f"{prefix}_unit"]),
            helper.make_node(
                "Mul", [f"{prefix}_unit", f"{prefix}_norm_length"], [f"{prefix}_features"]
            ),
        ]
    )
    return f"{prefix}_features"


def _linear_nodes(graph, head: LinearHead) -> None:
    """normalised(features), as `LinearHead` applies it, then Gemm: "head_logits"."""
    from onnx import helper, numpy_helper

    weights = np.ascontiguousarray(head.weights, np.float32)
    graph.initializer.extend(
        [
            numpy_helper.from_array(weights, "head_weights"),
            numpy_helper.from_array(np.asarray(head.bias, np.float32), "head_bias"),
        ]
    )
    features = _normalised_nodes(graph, FEATURES_OUTPUT, "head", weights.shape[0], np.float32)
    graph.node.append(
        helper.make_node("Gemm", [features, "head_weights", "head_bias"], ["head_logits"])
    )


def _gaussian_nodes(graph, model: GaussianClasses) -> None:
    """`GaussianClasses.logits` step by step, in double precision (the scores are large sums
    whose differences count): "g_logits"."""
    from onnx import TensorProto, helper, numpy_helper

    constants = {
        "g_minus_two": -2.0,
        "g_means_t": model.means.T,
        "g_mean_squares": np.sum(model.means**2, axis=1),
        "g_directions": model.directions,
        "g_centres": model.centres,
        "g_weights": model.weights,
        "g_members": model.members,
        "g_scale": -0.5 / model.floors / model.temperature,
        "g_constants": model.constants / model.temperature,
    }
    graph.initializer.extend(
        numpy_helper.from_array(np.ascontiguousarray(value, np.float64), name)
        for name, value in constants.items()
    )
    graph.node.append(helper.make_node("Cast", [FEATURES_OUTPUT], ["g_x"], to=TensorProto.DOUBLE))
    _normalised_nodes(graph, "g_x", "g", model.means.shape[1], np.float64)  # -> "g_features"
    steps = [  # (operator, inputs, output)
        ("ReduceSumSquare", ["g_features"], "g_square"),
        ("MatMul", ["g_features", "g_means_t"], "g_dot_means"),
        ("Mul", ["g_dot_means", "g_minus_two"], "g_cross"),
        ("Add", ["g_square", "g_cross"], "g_partial"),
        ("Add", ["g_partial", "g_mean_squares"], "g_distance"),
        ("MatMul", ["g_features", "g_directions"], "g_projected"),
        ("Sub", ["g_projected", "g_centres"], "g_along"),
        ("Mul", ["g_along", "g_along"], "g_along_squared"),
        ("Mul", ["g_along_squared", "g_weights"], "g_weighted"),
        ("MatMul", ["g_weighted", "g_members"], "g_explained"),
        ("Sub", ["g_distance", "g_explained"], "g_residual"),
        ("Mul", ["g_residual", "g_scale"], "g_scaled"),
        ("Add", ["g_scaled", "g_constants"], "g_logits"),
    ]
    reduce = {"axes": [1], "keepdims": 1}
    graph.node.extend(
        helper.make_node(op, inputs, [output], **(reduce if op.startswith("Reduce") else {}))
        for op, inputs, output in steps
    )


def _blend_nodes(graph, model: PlainWithGaussians) -> None:
    """`PlainWithGaussians.probabilities`: both models' scores, log-softmax each, the
    Gaussians' times the weight, summed, Softmax (in double precision), back to float."""
    from onnx import TensorProto, helper, numpy_helper

    _linear_nodes(graph, model.plain)
    _gaussian_nodes(graph, model.gaussians)
    graph.initializer.append(numpy_helper.from_array(np.asarray(model.weight, np.float64), "b_w"))
    graph.node.extend(
        [
            helper.make_node("Cast", ["head_logits"], ["b_plain"], to=TensorProto.DOUBLE),
            helper.make_node("LogSoftmax", ["b_plain"], ["b_plain_log"], axis=1),
            helper.make_node("LogSoftmax", ["g_logits"], ["b_gaussian_log"], axis=1),
            helper.make_node("Mul", ["b_gaussian_log", "b_w"], ["b_gaussian_part"]),
            helper.make_node("Add", ["b_plain_log", "b_gaussian_part"], ["b_logits"]),
            helper.make_node("Softmax", ["b_logits"], ["b_probabilities"], axis=1),
            helper.make_node("Cast", ["b_probabilities"], [OUTPUT], to=TensorProto.FLOAT),
        ]
    )


def export_model(
    out_dir: Path,
    backbone_path: Path,
    head: Classifier,
    classes: tuple[str, ...],
    card: dict,
) -> ExportedFiles:
    """Write the composed ONNX model, classes.json and the card into `out_dir`."""
    out_dir = Path(out_dir)
    make_folder(out_dir)
    model_path = out_dir / MODEL_FILE
    write_user_file(model_path, composed_model(backbone_path, head).SerializeToString())
    return write_sidecars(out_dir, model_path, classes, card)


def write_sidecars(
    out_dir: Path, model_path: Path, classes: tuple[str, ...], card: dict
) -> ExportedFiles:
    """classes.json and the card beside an exported model (which `read_own_model` reads)."""
    files = ExportedFiles(model_path, out_dir / CLASSES_FILE, out_dir / CARD_FILE)
    write_user_file(files.classes, _json_bytes(list(classes)))
    write_user_file(files.card, _json_bytes({"kind": CARD_KIND, **card}))
    return files


def preprocessing_record(preprocessing: Preprocessing, layout: str = "NCHW") -> dict:
    return {
        "size": list(preprocessing.size),
        "color_order": preprocessing.color_order,
        "mean": list(preprocessing.mean),
        "scale": preprocessing.scale,
        "std": None if preprocessing.std is None else list(preprocessing.std),
        "resize_shorter": preprocessing.resize_shorter,
        "layout": layout,
    }


@dataclass(frozen=True)
class OwnModel:
    """What `ImageClassifier` needs to run an exported model: its input recipe and classes."""

    preprocessing: Preprocessing
    layout: str
    classes: list[str]
    card: dict


def read_own_model(model_path: Path) -> OwnModel | None:
    """The card and classes beside an exported `.onnx`; None when it has no card (it is then
    some other ONNX file); ModelLoadError when the card or the classes are unusable."""
    folder = Path(model_path).parent
    card_path, classes_path = folder / CARD_FILE, folder / CLASSES_FILE
    if not card_path.is_file():
        return None
    card = _read_json(card_path)
    if not isinstance(card, dict) or card.get("kind") != CARD_KIND:
        return None
    classes = _read_json(classes_path)
    if not (
        isinstance(classes, list) and len(classes) >= 2 and all(isinstance(c, str) for c in classes)
    ):
        raise ModelLoadError(f"{classes_path} does not list two or more class names.")
    try:
        recipe = card["preprocessing"]
        std = recipe["std"]
        preprocessing = Preprocessing(
            size=(int(recipe["size"][0]), int(recipe["size"][1])),
            color_order=str(recipe["color_order"]),
            mean=tuple(float(m) for m in recipe["mean"]),
            scale=float(recipe["scale"]),
            std=None if std is None else tuple(float(s) for s in std),
            resize_shorter=int(recipe["resize_shorter"]) if recipe["resize_shorter"] else None,
        )
        layout = str(recipe["layout"])
    except (KeyError, TypeError, ValueError, IndexError):
        raise ModelLoadError(f"{card_path} does not say how to prepare a photo.") from None
    return OwnModel(preprocessing, layout, classes, card)


def _read_json(path: Path):
    data = read_user_bytes(path, "a model's side file", MAX_SIDECAR_BYTES, ModelLoadError)
    return parse_json(data, path, "a model's side file", ModelLoadError)


def _json_bytes(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode()
