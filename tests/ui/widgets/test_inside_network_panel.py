"""The postal tab's "Inside the network" panel, driven like a user: real mouse strokes, the N
key, clicks on the box readings, hovering over feature maps."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtCore import QEvent, QPoint, Qt
from PyQt5.QtGui import QMouseEvent
from PyQt5.QtWidgets import QApplication

from tests.support.model_files import SHIPPED_KERAS
from tests.ui.tabs.test_postal_tab import wait_for_code, window, write_digit  # noqa: F401 (fixture)
from vision_agent.core.digit_explain import digit_layer_reader
from vision_agent.core.feature_mosaic import GAP, grid_shape
from vision_agent.core.postal import DIGIT_INPUT_SHAPE, SHIPPED_MODEL, PostalRecognizer
from vision_agent.ui.widgets.feature_maps import shape_text

TIMEOUT = 60_000


@pytest.fixture
def tab(window):
    return window.postal_tab()


def wait_for_box(qtbot, tab, box: int):
    panel = tab.network_panel
    qtbot.waitUntil(
        lambda: (
            panel.explanation is not None
            and panel.explanation.box == box
            and not tab.controller.explaining()
        ),
        timeout=TIMEOUT,
    )
    return panel.explanation


def hover(widget, point: QPoint) -> None:
    QApplication.sendEvent(
        widget, QMouseEvent(QEvent.MouseMove, point, Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    )


def test_panel_shows_every_layer_of_the_shipped_model_with_its_shape(qtbot, tab):
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")
    assert tab.network_panel.isHidden()  # off by default
    qtbot.keyClick(tab.canvas, Qt.Key_N)
    assert tab.network_panel.isVisible() and tab.controls.network_button.isChecked()
    explanation = wait_for_box(qtbot, tab, 0)

    expected = digit_layer_reader(SHIPPED_MODEL, DIGIT_INPUT_SHAPE).layers
    views = tab.network_panel.shown_layers()
    assert len(views) == len(expected) == len(explanation.layers)
    for view, layer, output in zip(views, expected, explanation.layers, strict=True):
        assert view.isVisible()
        assert view.output.name == layer.name
        caption = view.caption.text()
        assert layer.name in caption and shape_text(output.shape) in caption
        if output.is_maps:
            pixmap = view.grid.pixmap()
            assert view.grid.isVisible() and pixmap.width() >= output.shape[1] * 3
    assert views[-1].chart.isVisible()  # the output as the probability chart
    model = PostalRecognizer.from_file(SHIPPED_MODEL)  # the raw outputs, before calibration
    expected_probabilities = list(model.predictor(tab.reading.inputs[:1, ..., None])[0])
    assert views[-1].chart.values == pytest.approx(expected_probabilities, abs=1e-5)
    for step in tab.network_panel.step_views:
        assert not step.pixmap().isNull()
    assert tab.network_panel.filters_view.isVisible()


def test_hovering_a_feature_map_names_its_channel_and_range(qtbot, tab):
    tab.controls.network_button.click()
    write_digit(tab.canvas, 0, 3)
    explanation = wait_for_box(qtbot, tab, 0)
    view = tab.network_panel.shown_layers()[0]
    output = explanation.layers[0]
    h, w, channels = output.shape
    _rows, columns = grid_shape(channels)
    zoom = view.grid.pixmap().width() / (columns * (w + GAP) - GAP)
    row, column = divmod(5, columns)
    point = QPoint(
        round((column * (w + GAP) + w / 2) * zoom), round((row * (h + GAP) + h / 2) * zoom)
    )
    hover(view.grid, point)
    low, high = output.values[..., 5].min(), output.values[..., 5].max()
    assert view.grid.hover_text == f"Channel 5: {low:.3g} … {high:.3g}"


def test_panel_follows_the_drawing_and_the_chosen_box(qtbot, tab):
    tab.controls.network_button.click()
    write_digit(tab.canvas, 0, 1)
    first = wait_for_box(qtbot, tab, 0)
    write_digit(tab.canvas, 1, 0)  # live recognition: the panel follows the new drawing
    wait_for_code(qtbot, tab, "10???")
    qtbot.mouseClick(tab.readout.box_buttons.button(1), Qt.LeftButton)
    second = wait_for_box(qtbot, tab, 1)
    assert second is not first
    assert np.array_equal(second.steps.centered, tab.reading.inputs[1])
    qtbot.keyClick(tab.readout.correction_menu, Qt.Key_Escape)  # the click opened it
    qtbot.keyClick(tab.canvas, Qt.Key_E)
    assert tab.network_panel.explanation is None
    assert not tab.network_panel.layers_box.isVisible()


def test_hidden_panel_asks_the_model_for_nothing(qtbot, tab, monkeypatch):
    methods = []
    call = tab.controller.service.call
    monkeypatch.setattr(
        tab.controller.service,
        "call",
        lambda method, *a, **k: (methods.append(method.__name__), call(method, *a, **k))[1],
    )
    write_digit(tab.canvas, 0, 7)
    wait_for_code(qtbot, tab, "7????")
    qtbot.mouseClick(tab.readout.box_buttons.button(0), Qt.LeftButton)
    assert "explain" not in methods and tab.network_panel.explanation is None
    tab.controls.network_button.click()
    wait_for_box(qtbot, tab, 0)
    assert methods.count("explain") == 1


def test_a_keras_model_shows_every_keras_layer(qtbot, tab):
    tab.controller.load_model(SHIPPED_KERAS)
    qtbot.waitUntil(lambda: tab.controller.service.state == "ready", timeout=TIMEOUT)
    tab.controls.network_button.click()
    write_digit(tab.canvas, 0, 7)
    wait_for_box(qtbot, tab, 0)
    expected = digit_layer_reader(SHIPPED_KERAS, DIGIT_INPUT_SHAPE).layers
    views = tab.network_panel.shown_layers()
    assert [view.output.name for view in views] == [layer.name for layer in expected]
    for view, layer in zip(views, expected, strict=True):
        assert ("training" in view.note.text()) == (layer.type == "Dropout")


def test_dropout_layers_say_they_act_only_in_training(qtbot):
    from vision_agent.core.layer_activations import LayerOutput
    from vision_agent.ui.widgets.feature_maps import LayerView

    view = LayerView()
    qtbot.addWidget(view)
    view.set_output(LayerOutput("dropout", "Dropout", np.ones(8, np.float32)), None)
    assert "only acts in training" in view.note.text() and view.strip.isVisibleTo(view)
    view.set_output(LayerOutput("dense", "Dense", np.ones(8, np.float32)), None)
    assert view.note.isHidden()


def test_panel_speaks_korean(qtbot, window):
    tab = window.postal_tab()
    window.language_actions["ko"].trigger()
    assert tab.controls.network_button.text().startswith("신경망 들여다보기")
    assert tab.network_panel.step_labels[2].text() == "무게중심 맞추기"
    window.language_actions["en"].trigger()
    assert tab.controls.network_button.text().startswith("Inside the network")
