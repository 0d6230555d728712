"""The face tab's confidence slider teaches what a threshold does: after a real mouse drag, the
boxes on screen are exactly the detections at the value the slider ends on."""

from __future__ import annotations

from PyQt5.QtCore import QPoint

from tests.support.mouse import drag, slider_handle
from tests.support.paths import asset
from tests.ui.tabs.test_face_tab import GROUP, tab  # noqa: F401  (the fixture)
from vision_agent.engine.registry_models import face_detector


def test_a_mouse_drag_of_the_slider_shows_the_detections_of_its_last_value(qtbot, tab):
    tab.view.sig_files_dropped.emit([asset(*GROUP)])
    qtbot.waitUntil(lambda: tab.controller.shown is not None, timeout=10000)
    slider = tab.detector_bar.threshold_slider
    start = slider_handle(slider)
    points = [QPoint(start.x() - step * 4, start.y()) for step in range(0, 14)]
    seen: list[float] = []
    slider.valueChanged.connect(lambda value: seen.append(value / 100))
    drag(slider, points)
    final = slider.value() / 100
    assert final < 0.5 and len(set(seen)) > 3  # the drag went through several values
    qtbot.waitUntil(lambda: not tab.controller._pending, timeout=10000)
    frame = tab.controller._last_frame[0]
    files = {
        "weights": asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel"),
        "config": asset("face_detector", "deploy.prototxt"),
    }
    direct = face_detector("res10_caffe_fp32", files).detect(frame, final)
    shown = tab.controller.shown.faces
    assert [f.box for f in shown] == [f.box for f in direct.faces]
    assert tab.detector_bar.threshold_value.text() == f"{final:.2f}"
