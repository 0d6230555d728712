"""Every layer of the shipped-kind quantized MobileNetV2 has its shape in the layer list before
any layer is looked at (shape inference leaves most of them unknown)."""

from __future__ import annotations

import numpy as np

from tests.support.paths import asset
from vision_agent.core.layer_activations import OnnxLayers


def test_every_layer_of_a_quantized_model_has_a_shape():
    path = asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    layers = OnnxLayers(path, "NCHW")
    assert all(layer.shape for layer in layers.layers)
    photo = np.random.default_rng(0).uniform(0, 1, (1, 224, 224, 3)).astype(np.float32)
    outputs = {o.name: o.values.shape for o in layers.outputs(photo)[0]}
    assert all(outputs[layer.name] == layer.shape for layer in layers.layers)
