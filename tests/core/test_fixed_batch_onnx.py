"""A digit model exported with a fixed batch of 1 (common in ONNX exports) loads and reads the
same code as the same model with a free batch size: it is run one sample at a time."""

from __future__ import annotations

import shutil

import numpy as np
import onnx

from tests.support.drawings import random_mnist_canvas
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer


def test_a_digit_model_with_a_fixed_batch_of_one_reads_like_the_free_one(tmp_path, mnist):
    model = onnx.load(str(SHIPPED_MODEL))
    for value in (*model.graph.input, *model.graph.output):
        batch = value.type.tensor_type.shape.dim[0]
        batch.ClearField("dim_param")
        batch.dim_value = 1
    fixed = tmp_path / SHIPPED_MODEL.name
    onnx.save(model, str(fixed))
    for side in (".card.json", ".centres.npz"):  # its calibration, as shipped
        shutil.copy(SHIPPED_MODEL.with_suffix(side), fixed.with_suffix(side))

    free, one = PostalRecognizer.from_file(SHIPPED_MODEL), PostalRecognizer.from_file(fixed)
    rng = np.random.default_rng(5)
    for _ in range(3):
        canvas, _ = random_mnist_canvas(mnist["x_test"], mnist["y_test"], rng)
        expected, found = free.recognize(canvas), one.recognize(canvas)
        assert found.code == expected.code
        for a, b in zip(found.digits, expected.digits, strict=True):
            assert np.allclose(a.probabilities, b.probabilities, atol=1e-5)
