"""The face cam tab, driven like a user would: video to the end, missing camera, controls, close."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import asset
from vision_agent.core.imageio import read_image
from vision_agent.core.video_source import SourceSpec
from vision_agent.ui.tabs.face_tab import FaceCamTab


@pytest.fixture
def tab(qtbot):
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    page = FaceCamTab()
    qtbot.addWidget(page)
    page.resize(900, 700)
    page.show()
    page.start()
    qtbot.waitUntil(lambda: page.stream.service.state == "ready", timeout=30000)
    yield page
    page.shutdown()


def capture_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in ("frame-grabber", "camera-probe")]


def test_video_plays_with_faces_boxed_to_the_end(qtbot, tab):
    video = asset("photos", "video", "Megamind.avi")
    shown = []
    tab.stream.sig_detection.connect(shown.append)
    tab.open_source(SourceSpec.file(video, fps=0))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=60000)
    assert "ended after 270 frames" in tab.last_message
    qtbot.waitUntil(lambda: tab.stream._pending is None, timeout=10000)
    assert sum(bool(d.faces) for d in shown) >= len(shown) - 2
    assert shown[-1].frame_index == 269  # the newest frame is always the one detected
    indices = [d.frame_index for d in shown]
    assert indices == sorted(indices)
    stats = tab.stream.stats()
    assert stats.captured == 270 and stats.shown == len(shown)
    assert stats.dropped == 270 - len(shown)  # every frame is either shown or counted
    assert tab.stream.max_backlog == 0
    assert "skipped frames" in tab.overlay.text()
    assert tab.view.image() is not None
    assert not tab.stop_button.isEnabled()
    with qtbot.waitSignal(tab.stream.sig_source_opened, timeout=10000):
        tab.retry_button.click()
    assert not tab.banner.isVisible()


def test_camera_that_does_not_exist_gives_a_message(qtbot, tab):
    tab.open_source(SourceSpec.camera(99))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
    assert "Camera 99" in tab.banner_text.text()
    assert tab.retry_button.isVisible() and tab.other_source_button.isVisible()
    assert "frame-grabber" not in capture_threads()


def test_threshold_slider_and_blur_work_live_on_a_photo(qtbot, tab, tmp_path):
    photo = asset("photos", "faces", "t1_insightface_group.jpg")
    tab.view.sig_files_dropped.emit([photo])  # what a drop on the picture sends
    qtbot.waitUntil(lambda: tab.stream.last_detection is not None, timeout=10000)
    assert len(tab.stream.last_detection.faces) == 6
    assert tab.status_label.text() == "Showing t1_insightface_group.jpg"  # not "Opening…"
    with qtbot.waitSignal(tab.stream.sig_detection, timeout=10000) as blocker:
        tab.threshold_slider.setValue(95)
    assert tab.threshold_value.text() == "0.95"
    assert len(blocker.args[0].faces) < 6
    plain = blocker.args[0].annotated
    with qtbot.waitSignal(tab.stream.sig_detection, timeout=10000) as blocker:
        tab.blur_check.setChecked(True)
    assert (blocker.args[0].annotated != plain).any()
    assert tab.snapshot_button.isEnabled()
    assert tab.save_snapshot_to(tmp_path / "snap")
    saved = read_image(tmp_path / "snap.png")
    assert (saved == blocker.args[0].annotated).all()


def test_pause_and_stop(qtbot, tab):
    video = asset("photos", "video", "Megamind.avi")
    tab.open_source(SourceSpec.file(video))
    qtbot.waitUntil(lambda: tab.stream.last_detection is not None, timeout=15000)
    tab.pause_button.click()
    assert tab.stream.grabber.paused
    tab.stop_button.click()
    assert tab.stream.grabber is None
    assert "frame-grabber" not in capture_threads()
    assert not tab.pause_button.isEnabled()


def test_a_bad_model_file_is_reported_and_the_tab_recovers(qtbot, tab, tmp_path):
    bogus = tmp_path / "bogus.pb"
    bogus.write_bytes(b"not a model")
    tab.load_model(str(bogus))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
    assert "could not be loaded" in tab.banner_text.text()
    tab.load_model("res10-tf")
    qtbot.waitUntil(lambda: tab.stream.service.state == "ready", timeout=30000)
    assert not tab.banner.isVisible()


def test_closing_the_window_while_streaming_ends_every_thread(qtbot):
    asset("face_detector", "res10_300x300_ssd_iter_140000.caffemodel")
    from vision_agent.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.start_tabs()
    tab = next(page for page in window.tab_pages if isinstance(page, FaceCamTab))
    video = asset("photos", "video", "Megamind.avi")
    tab.open_source(SourceSpec.file(video, loop=True))
    qtbot.waitUntil(lambda: tab.stream.last_detection is not None, timeout=30000)
    window.close()
    assert capture_threads() == []
    assert tab.stream.service._thread.isFinished()
    assert all(
        page.service._thread.isFinished() for page in window.tab_pages if hasattr(page, "service")
    )


def test_every_tab_string_has_a_korean_translation():
    import ast
    import re
    from pathlib import Path

    from vision_agent.i18n import missing_translations

    source = Path(__file__).resolve().parents[1] / "vision_agent/ui/tabs/face_tab.py"
    pieces = re.findall(r'tr\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', source.read_text(encoding="utf-8"))
    texts = [ast.literal_eval(f"({piece})") for piece in pieces]  # joins adjacent literals
    assert len(texts) > 30
    assert missing_translations(texts) == []


def test_korean_ui(qtbot, tab):
    from vision_agent.i18n import set_language

    set_language("ko")
    try:
        tab.retranslate_ui()
        assert tab.start_button.text() == "시작"
    finally:
        set_language("en")
        tab.retranslate_ui()


def test_source_list_says_when_no_camera_was_found(qtbot, tab):
    tab.sig_cameras_found.emit([])
    combo = tab.source_combo
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert "No camera found" in texts
    assert not combo.model().item(texts.index("No camera found")).isEnabled()
    assert combo.currentData() == ("file", -1)
    tab.sig_cameras_found.emit([0, 2])
    assert [combo.itemData(i) for i in range(2)] == [("camera", 0), ("camera", 2)]
    tab.open_file(asset("photos", "faces", "grace_hopper_matplotlib.jpg"))
    assert combo.currentText() == "grace_hopper_matplotlib.jpg"


def test_a_failed_camera_stays_selected_for_retry(qtbot, tab):
    tab.sig_cameras_found.emit([])
    tab.open_source(SourceSpec.camera(99))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
    assert tab.source_combo.currentData() == ("camera", 99)
    assert tab.view.image() is None


def test_a_long_model_message_wraps_instead_of_widening_the_window(tab):
    width = tab.minimumSizeHint().width()
    missing = "res10_300x300_ssd_iter_140000.caffemodel (model 'res10_caffe_fp32') " * 8
    tab.on_model_state("failed", f"Could not get {missing}")
    assert "could not be loaded" in tab.status_label.text()
    assert tab.minimumSizeHint().width() <= max(width, 900)
