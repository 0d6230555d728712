"""Inside the network, the postal model's layers are named by their role ("conv block 1",
"pooling 1", "output"), not by Keras' internal names alone, and the output says that the chart
beside the canvas may differ (calibration, handwriting profile)."""

from __future__ import annotations

import re

from tests.ui.tabs.test_postal_tab import wait_for_code, window, write_digit  # noqa: F401
from tests.ui.widgets.test_inside_network_panel import tab, wait_for_box  # noqa: F401


def test_layers_are_named_by_their_role(qtbot, tab):
    tab.controls.network_button.click()
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")
    wait_for_box(qtbot, tab, 0)
    views = tab.network_panel.shown_layers()
    roles = [re.match(r"<b>(.*?)</b>", view.caption.text()).group(1) for view in views]
    assert roles[0] == "conv block 1" and roles[-1] == "output"
    assert "pooling 1" in roles and any(role.startswith("dense layer") for role in roles)
    assert all(view.output.name in view.caption.text() for view in views)  # still looked up
    note = views[-1].note
    assert note.isVisibleTo(views[-1]) and "handwriting profile" in note.text()


def test_layers_that_finish_a_block_are_named_after_it():
    from vision_agent.ui.widgets.feature_maps import role_texts

    keras = ["Conv2D", "BatchNormalization", "ReLU", "Conv2D", "ReLU", "MaxPooling2D",
             "Flatten", "Dense", "Dropout", "Dense"]  # fmt: skip
    assert role_texts(keras) == [
        "conv block 1", "conv block 1", "conv block 1", "conv block 2", "conv block 2",
        "pooling 1", "flatten", "dense layer 1", "dense layer 1", "output",
    ]  # fmt: skip
