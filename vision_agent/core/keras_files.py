"""Opening a whole Keras model with the Keras that wrote it, never running code from the file.

Keras 3 (the app's) reads what Keras 3 wrote. What TensorFlow 2's Keras 2 wrote — the course's
`model.save('….h5')`, a Keras-2 `.keras` zip, the HDF5 that TensorFlow ≤ 2.11 wrote under a
`.keras` name, a SavedModel folder — is opened by `tf_keras`, Keras 2 as the TensorFlow team
keeps it for these files: Keras 3 cannot rebuild Keras 2's config of an application nested in
a Sequential, nor its TensorFlow-op layers (`preprocess_input` inside a model).

Before any Keras sees a file, its config is read here as JSON and the file is refused when a
layer carries Python code (Lambda), looks attributes up by name, or wraps a TensorFlow function
outside the maths, array and image operations. This check is what keeps a file's code from
running: tf_keras rebuilds a legacy HDF5 file's Lambda from its bytecode without asking.
Everything here runs where TensorFlow may be imported (the model's child process, the CLI).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vision_agent.core.errors import ModelLoadError

KERAS_SUFFIXES = (".h5", ".hdf5", ".keras")
SAVED_MODEL = "saved_model.pb"
KERAS_METADATA = "keras_metadata.pb"

# What a file may not hold, as messages: the UI translates them by these templates.
LAMBDA_REFUSED = (
    "{file} was not opened: its layer '{layer}' is a Lambda layer with Python code inside, and "
    "Vision Agent never runs code from a model file. Rebuild the model with built-in layers in "
    "place of the Lambda (Rescaling(1/255) for x / 255, for example), copy the weights over with "
    "new_model.set_weights(model.get_weights()) and save it with new_model.save('model.keras')."
)
FUNCTION_REFUSED = (
    "{file} was not opened: its layer '{layer}' calls {function}, which Vision Agent does not run "
    "from a model file (only TensorFlow's maths, array and image operations). Rebuild the model "
    "without that layer and save it again."
)
NOT_REBUILT = (
    "{file} (saved by Keras {version}) could not be opened: {reason}. Where the file was made, "
    "load it and save it again as a .keras file, then open that file: "
    "model = keras.models.load_model('{file}', compile=False); model.save('model.keras')"
)
NEEDS_TF_KERAS = (
    "{file} was saved by Keras {version} (TensorFlow 2's Keras 2); opening it needs the tf-keras "
    "package: pip install --no-deps tf-keras=={tensorflow}"
)
WEIGHTS_ONLY = (
    "{file} holds weights only (saved by save_weights): the model's layers are not in it. Where "
    "it was made, save the whole model with model.save('model.keras') and open that file."
)
SAVED_MODEL_WITHOUT_KERAS = (
    "{file} is a TensorFlow SavedModel without Keras's description of its layers (saved by "
    "tf.saved_model.save, not model.save). Where it was made, save the Keras model with "
    "model.save('model.keras') and open that file."
)
DAMAGED = "{file} is damaged or incomplete: {reason}."
MESSAGES = (
    LAMBDA_REFUSED,
    FUNCTION_REFUSED,
    NOT_REBUILT,
    NEEDS_TF_KERAS,
    WEIGHTS_ONLY,
    SAVED_MODEL_WITHOUT_KERAS,
    DAMAGED,
)

# TensorFlow functions a TFOpLambda layer may call: whole namespaces of pure tensor maths, and
# the array operations tutorials put in models. Anything else (tf.io.write_file,
# tf.load_op_library, tf.io.gfile.remove, ...) would do more than compute.
_SAFE_NAMESPACES = ("math", "nn", "image", "linalg", "signal", "__operators__", "bitwise")
_SAFE_FUNCTIONS = frozenset(
    [
        "abs",
        "add",
        "argmax",
        "argmin",
        "broadcast_to",
        "cast",
        "clip_by_value",
        "concat",
        "divide",
        "einsum",
        "exp",
        "expand_dims",
        "gather",
        "identity",
        "matmul",
        "maximum",
        "minimum",
        "multiply",
        "one_hot",
        "ones_like",
        "pad",
        "range",
        "reduce_max",
        "reduce_mean",
        "reduce_min",
        "reduce_sum",
        "reshape",
        "reverse",
        "round",
        "shape",
        "sigmoid",
        "sqrt",
        "square",
        "squeeze",
        "stack",
        "split",
        "subtract",
        "tanh",
        "tile",
        "transpose",
        "truediv",
        "unstack",
        "where",
        "zeros_like",
    ]
)
# Layers that look an attribute up by name on a tensor: nothing a course model holds.
_NAME_LOOKUP_LAYERS = ("ClassMethod", "InstanceMethod", "InstanceProperty")


@dataclass(frozen=True)
class KerasFile:
    """What a Keras model file says about itself before any Keras reads it."""

    path: Path  # the file, or a SavedModel's folder
    keras_version: str  # "2.15.0", "3.5.0"; "2" for a SavedModel folder
    configs: tuple[Any, ...]  # the model's config (a SavedModel: one per saved object)

    @property
    def by_keras_2(self) -> bool:
        return not self.keras_version.startswith("3")


def saved_model_folder(path: str | Path) -> Path | None:
    """The SavedModel folder `path` is, or whose saved_model.pb it names; None otherwise."""
    path = Path(path)
    if path.name == SAVED_MODEL and path.is_file():
        return path.parent
    if path.is_dir() and (path / SAVED_MODEL).is_file():
        return path
    return None


def is_keras_model(path: str | Path) -> bool:
    """Whether Keras opens `path` (by its name, or a SavedModel folder): TensorFlow is needed."""
    return Path(path).suffix.lower() in KERAS_SUFFIXES or saved_model_folder(path) is not None


def read_keras_file(path: Path) -> KerasFile:
    """The file's writer and config; ModelLoadError if it is not a whole Keras model."""
    folder = saved_model_folder(path)
    if folder is not None:
        return _read_saved_model(folder)
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic == b"\x89HDF\r\n\x1a\n":
        return _read_hdf5(path)
    if zipfile.is_zipfile(path):
        return _read_zip(path)
    kind = "a .keras file is a zip archive (or HDF5 before TensorFlow 2.12)"
    if path.suffix.lower() != ".keras":
        kind = "an .h5 model file is HDF5"
    raise ModelLoadError(DAMAGED.format(file=path.name, reason=f"{kind}, and this one is neither"))


def _read_hdf5(path: Path) -> KerasFile:
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            version = _text(handle.attrs.get("keras_version", "2"))
            config = handle.attrs.get("model_config")
    except OSError as exc:
        raise ModelLoadError(DAMAGED.format(file=path.name, reason=f"HDF5 says {exc}")) from None
    if config is None:
        raise ModelLoadError(WEIGHTS_ONLY.format(file=path.name))
    return KerasFile(path, version, (_json(_text(config), path),))


def _read_zip(path: Path) -> KerasFile:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                raise ModelLoadError(WEIGHTS_ONLY.format(file=path.name))
            config = _json(archive.read("config.json").decode("utf-8"), path)
            metadata = (
                _json(archive.read("metadata.json").decode("utf-8"), path)
                if "metadata.json" in names
                else {}
            )
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        raise ModelLoadError(DAMAGED.format(file=path.name, reason=str(exc))) from None
    version = str(metadata.get("keras_version", "3")) if isinstance(metadata, dict) else "3"
    return KerasFile(path, version, (config,))


def _read_saved_model(folder: Path) -> KerasFile:
    metadata = folder / KERAS_METADATA
    if not metadata.is_file():
        raise ModelLoadError(SAVED_MODEL_WITHOUT_KERAS.format(file=folder.name))
    from google.protobuf.message import DecodeError
    from tf_keras.protobuf import saved_metadata_pb2

    saved = saved_metadata_pb2.SavedMetadata()
    try:
        saved.ParseFromString(metadata.read_bytes())
    except DecodeError as exc:
        raise ModelLoadError(
            DAMAGED.format(file=folder.name, reason=f"{KERAS_METADATA}: {exc}")
        ) from None
    configs = tuple(_json(node.metadata, folder) for node in saved.nodes if node.metadata)
    return KerasFile(folder, "2", configs)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ModelLoadError(
            DAMAGED.format(file=path.name, reason=f"its model description is not JSON ({exc})")
        ) from None


def check_runs_no_code(model: KerasFile) -> None:
    """ModelLoadError naming the first layer that would run code from the file, if any."""
    name = model.path.name
    for layer, kind, config in _layers(model.configs):
        function = config.get("function")
        if kind == "Lambda" or _holds_python_function(config):
            raise ModelLoadError(LAMBDA_REFUSED.format(file=name, layer=layer))
        if kind in _NAME_LOOKUP_LAYERS:
            raise ModelLoadError(
                FUNCTION_REFUSED.format(file=name, layer=layer, function=f"{kind} lookups")
            )
        if kind in ("TFOpLambda", "SlicingOpLambda") and not _safe_function(function):
            raise ModelLoadError(
                FUNCTION_REFUSED.format(file=name, layer=layer, function=f"tf.{function}")
            )


def _layers(node: Any, layer: str = "?") -> Iterator[tuple[str, str, dict]]:
    """(layer name, class name, config) of every object with a class in a config tree."""
    if isinstance(node, dict):
        kind, config = node.get("class_name"), node.get("config")
        if isinstance(kind, str) and isinstance(config, dict):
            layer = str(config.get("name", layer))
            yield layer, kind, config
        elif kind == "__lambda__":  # Keras 3's serialized Python lambda
            yield layer, "Lambda", {}
        for value in node.values():
            yield from _layers(value, layer)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _layers(value, layer)


def _holds_python_function(config: dict) -> bool:
    """Keras 2 marks bytecode with function_type 'lambda' (Lambda, RNN cell wrappers)."""
    return any(key.endswith("function_type") and value == "lambda" for key, value in config.items())


def _safe_function(function: Any) -> bool:
    if not isinstance(function, str):
        return False
    namespace, _, rest = function.partition(".")
    return (rest != "" and namespace in _SAFE_NAMESPACES) or function in _SAFE_FUNCTIONS


def load_keras_model(path: Path) -> Any:
    """The whole model in the Keras that wrote it (no training state); user-facing errors."""
    model_file = read_keras_file(path)
    check_runs_no_code(model_file)
    if model_file.by_keras_2:
        return _load_with_tf_keras(model_file)
    keras = import_keras(path)
    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:
        raise _not_rebuilt(model_file, exc) from None


def _load_with_tf_keras(model_file: KerasFile) -> Any:
    keras = import_keras(model_file.path)  # TensorFlow first, with its own failure message
    try:
        import tf_keras
        from tf_keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:
        return _load_without_tf_keras(keras, model_file)
    try:
        with SafeModeScope(True):
            return tf_keras.models.load_model(model_file.path, compile=False, safe_mode=True)
    except Exception as exc:
        raise _not_rebuilt(model_file, exc) from None


def _load_without_tf_keras(keras: Any, model_file: KerasFile) -> Any:
    """Keras 3 reads some Keras 2 files (a plain Sequential .h5); for the others, the advice."""
    try:
        return keras.models.load_model(model_file.path, compile=False, safe_mode=True)
    except Exception:
        import tensorflow as tf

        raise ModelLoadError(
            NEEDS_TF_KERAS.format(
                file=model_file.path.name,
                version=model_file.keras_version,
                tensorflow=tf.__version__,
            )
        ) from None


def _not_rebuilt(model_file: KerasFile, exc: Exception) -> ModelLoadError:
    """What Keras said (its first lines name the layer and argument), with the way out."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    reason = " ".join(lines[:3])[:600].rstrip(".") or type(exc).__name__
    return ModelLoadError(
        NOT_REBUILT.format(
            file=model_file.path.name, version=model_file.keras_version, reason=reason
        )
    )


def import_keras(path: Path) -> Any:
    """Keras (and with it TensorFlow), or a ModelLoadError naming the file that needed it."""
    try:
        import keras
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ModelLoadError(
            f"TensorFlow is needed for {path.name} but failed to import: {exc}"
        ) from None
    return keras


def output_in(model: Any, layer: Any) -> Any:
    """`layer`'s output in `model`'s graph. A model nested in a tf_keras model (TensorFlow's
    tutorial: `base_model(x, training=False)`) answers `.output` with its own graph's tensor."""
    nodes = getattr(model, "_network_nodes", None)
    if nodes and getattr(layer, "layers", None):
        for index in range(len(layer._inbound_nodes)):
            if f"{layer.name}_ib-{index}" in nodes:  # tf_keras's key of a node in a model
                return layer.get_output_at(index)
    return layer.output


def by_tf_keras(model: Any) -> bool:
    """Whether `model` is a Keras 2 (tf_keras) model."""
    return type(model).__module__.startswith("tf_keras")


def keras_of(model: Any) -> Any:
    """The Keras module a loaded model belongs to (tf_keras for Keras 2 files, else keras)."""
    if by_tf_keras(model):
        import tf_keras

        return tf_keras
    import keras

    return keras
