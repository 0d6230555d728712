"""The ImageNet tab's "Inside the network" panel: a user's Keras model (a small ResNet) in its
child process beside Grad-CAM, and the int8 MobileNetV2 through onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import Qt

from tests.support import photo_files
from tests.support.imagenet_models import save_small_resnet
from tests.support.paths import asset
from tests.ui.tabs.test_classifier_tab import TIMEOUT, make_tab, wait_for_result
from vision_agent.core.feature_mosaic import GAP, grid_shape
from vision_agent.ui.widgets.layer_picker_panel import STAGE_MARK


@pytest.fixture(scope="module")
def small_resnet(tmp_path_factory):
    return save_small_resnet(tmp_path_factory.mktemp("models") / "small_resnet.keras")


def shown_layer(qtbot, panel, name: str):
    qtbot.waitUntil(
        lambda: (
            panel.view.isVisible()
            and panel.view.output is not None
            and panel.view.output.name == name
            and not panel._pending_output
        ),
        timeout=TIMEOUT,
    )
    return panel.view.output


def test_keras_model_layers_listed_stages_marked_maps_beside_gradcam(qtbot, small_resnet):
    import keras

    tab = make_tab(qtbot, str(small_resnet))
    try:
        photo = asset(*photo_files.ROBIN)
        tab.photos.open_paths([photo])
        wait_for_result(qtbot, tab, photo.name)
        assert tab.network_panel.isHidden()  # off by default
        tab.results.cam_check.setChecked(True)
        tab.network_button.click()
        panel = tab.network_panel
        output = shown_layer(qtbot, panel, "s1_out")  # the first stage's output comes first
        model = keras.models.load_model(small_resnet)
        items = [panel.layer_list.item(row).text() for row in range(panel.layer_list.count())]
        assert len(items) == len(model.layers) - 1
        marked = [text for text in items if text.startswith(STAGE_MARK)]
        assert [t.split(" · ")[0].strip("▶ ") for t in marked] == ["s1_out", "s2_out"]
        assert output.shape == (32, 32, 8) and "32×32×8" in panel.view.caption.text()
        _rows, columns = grid_shape(8)
        pixmap = panel.view.grid.pixmap()
        assert pixmap.width() >= columns * (32 + GAP) - GAP
        batch = tab.controller.photo  # the reference: Keras on the same preprocessed photo
        from vision_agent.core.classify import ImageClassifier

        prepared = ImageClassifier.from_file(small_resnet).preprocessing.prepare(batch)
        reference = keras.Model(model.inputs, model.get_layer("s1_out").output)(prepared)
        assert np.abs(output.values - np.asarray(reference)[0]).max() <= 1e-4

        row = next(r for r, text in enumerate(items) if "stem_conv" in text)
        item_rect = panel.layer_list.visualItemRect(panel.layer_list.item(row))
        qtbot.mouseClick(panel.layer_list.viewport(), Qt.LeftButton, pos=item_rect.center())
        assert shown_layer(qtbot, panel, "stem_conv").shape == (32, 32, 8)
        # Grad-CAM still there
        qtbot.waitUntil(lambda: tab.controller.heat is not None, timeout=TIMEOUT)
        assert tab.view.overlay() is not None and panel.isVisible()

        other = asset(*photo_files.BANANA)
        before = panel.view.output
        tab.photos.open_paths([other])  # a new photo: the chosen layer follows it
        wait_for_result(qtbot, tab, other.name)
        qtbot.waitUntil(lambda: panel.view.output is not before, timeout=TIMEOUT)
        assert panel.view.output.name == "stem_conv"
    finally:
        tab.shutdown()


def test_onnx_model_layers_come_from_onnxruntime(qtbot):
    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    tab = make_tab(qtbot, "mobilenet_v2")
    try:
        photo = asset(*photo_files.BANANA)
        tab.network_button.click()
        tab.photos.open_paths([photo])
        wait_for_result(qtbot, tab, photo.name)
        panel = tab.network_panel
        qtbot.waitUntil(lambda: panel.layers is not None, timeout=TIMEOUT)
        assert sum(layer.type == "Conv" for layer in panel.layers) == 52
        name = sorted(panel.stages, key=[layer.name for layer in panel.layers].index)[0]
        output = shown_layer(qtbot, panel, name)
        assert output.is_maps and not panel.message.text()
    finally:
        tab.shutdown()
