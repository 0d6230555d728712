"""Model files a user might bring, made inside the tests (Keras .h5/.keras, a frozen TF .pb)."""

from __future__ import annotations

from pathlib import Path

from vision_agent.core.postal import SHIPPED_MODEL

SHIPPED_KERAS = SHIPPED_MODEL.with_suffix(".keras")


def shipped_keras_model():
    import keras

    return keras.models.load_model(SHIPPED_KERAS)


def course_h5(path: Path) -> Path:
    """The course's cnn_v2.h5: program 8-3's architecture saved in legacy HDF5 (our weights)."""
    from vision_agent.training.digits import build_model

    model = build_model()
    model.set_weights(shipped_keras_model().get_weights())
    model.save(path)
    return path


def keras_model_file(path: Path, input_shape: tuple, outputs: int, activation="softmax") -> Path:
    import keras

    model = keras.Sequential(
        [keras.Input(input_shape), keras.layers.Flatten(), keras.layers.Dense(outputs, activation)]
    )
    model.save(path)
    return path


def frozen_graph_pb(path: Path) -> Path:
    """The course's mnist_cnn.pb: a frozen, constant-folded TensorFlow graph for cv2.dnn."""
    import tensorflow as tf
    from tensorflow.core.protobuf import config_pb2, meta_graph_pb2
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )
    from tensorflow.python.grappler import tf_optimizer

    model = shipped_keras_model()
    spec = tf.TensorSpec([1, 28, 28, 1], tf.float32, name="input")
    frozen = convert_variables_to_constants_v2(
        tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    )
    meta = tf.compat.v1.train.export_meta_graph(
        graph_def=frozen.graph.as_graph_def(), graph=frozen.graph
    )
    fetch = meta_graph_pb2.CollectionDef()
    fetch.node_list.value.extend(output.name for output in frozen.outputs)
    meta.collection_def["train_op"].CopyFrom(fetch)
    config = config_pb2.ConfigProto()
    config.graph_options.rewrite_options.optimizers.extend(["constfold", "dependency"])
    config.graph_options.rewrite_options.min_graph_nodes = -1
    optimized = tf_optimizer.OptimizeGraph(config, meta)
    tf.io.write_graph(optimized, str(path.parent), path.name, as_text=False)
    return path


def constant_onnx_model(path: Path, value: float, outputs: int = 10) -> Path:
    """An ONNX model (N×1×28×28 -> Flatten -> MatMul -> N×10) whose weights are all `value`:
    with NaN, it gives NaN for every input, as a diverged training run's model does."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weights = numpy_helper.from_array(np.full((28 * 28, outputs), value, np.float32), "w")
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["x"], ["flat"], axis=1),
            helper.make_node("MatMul", ["flat", "w"], ["y"]),
        ],
        "constant",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 28, 28])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", outputs])],
        initializer=[weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path
