"""Nothing stale on the face tab: no rates after Stop, no "Opening…" after a failed open, no
Retry for a file that is no video, and a snapshot named after what it shows."""

from __future__ import annotations

from PyQt5.QtWidgets import QFileDialog

from tests.support.paths import asset
from tests.support.told_once import places_saying, record_status_bar
from tests.ui.tabs.test_face_tab import GROUP, tab  # noqa: F401  (the fixture)
from vision_agent.core.video_source import SourceSpec


def test_stop_leaves_the_last_frame_without_its_rates(qtbot, tab):
    tab.open_source(SourceSpec.file(asset("photos", "video", "Megamind.avi"), loop=True))
    qtbot.waitUntil(lambda: "FPS" in tab.view.overlay.text(), timeout=15000)
    tab.stop()
    assert "FPS" not in tab.view.overlay.text()
    assert "Stopped" in tab.view.overlay.text()


def test_a_camera_that_failed_to_open_is_not_still_opening(qtbot, tab):
    tab.open_source(SourceSpec.camera(99))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
    assert tab.status_text() == "Stopped."  # not "Opening…"; the banner says why
    assert tab.retry_button.isVisible()  # a camera may be free next time


def test_a_file_that_is_no_video_offers_another_source_not_retry(qtbot, tab, tmp_path):
    notes = tmp_path / "notes.avi"
    notes.write_text("these are notes, not a video\n" * 20)
    tab.open_source(SourceSpec.file(notes))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
    assert not tab.retry_button.isVisible()
    assert tab.other_source_button.isVisible()


def test_the_snapshot_is_named_after_its_source(qtbot, tab, monkeypatch):
    tab.source_bar.open_file(asset(*GROUP))
    qtbot.waitUntil(lambda: tab.controller.shown is not None, timeout=10000)
    proposed = []

    def cancelled(_parent, _title, path, *_args, **_kwargs):
        proposed.append(path)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", cancelled)
    tab.save_snapshot()
    assert proposed and proposed[0].endswith("t1_insightface_group_faces.png")


def test_a_failed_camera_is_reported_in_korean_in_korean_mode(qtbot, tab):
    from vision_agent.i18n import set_language

    set_language("ko")
    try:
        tab.retranslate_ui()
        tab.open_source(SourceSpec.camera(99))
        qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
        assert tab.banner.message().startswith("카메라 99")
        assert "could not" not in tab.banner.message() + tab.status_text()
    finally:
        set_language("en")
        tab.retranslate_ui()
    assert "Camera 99 could not be opened" in tab.banner.message()  # and back, live


def test_a_failed_camera_is_told_once_in_the_banner(qtbot, tab):
    """Not three times (banner, the tab's status line, the window's status bar)."""
    status_bar = record_status_bar(tab)
    tab.open_source(SourceSpec.camera(99))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=15000)
    assert "Camera 99 could not be opened" in tab.banner.message()
    assert places_saying(tab, "could not be opened", status_bar) == ["RenderedLabel"]
    assert status_bar[-1] == "Stopped."  # the state, beside the banner's reason


def test_a_video_that_ended_is_told_once_in_the_banner(qtbot, tab, tmp_path):
    status_bar = record_status_bar(tab)
    tab.open_source(SourceSpec.file(asset("photos", "video", "Megamind.avi")))
    qtbot.waitUntil(lambda: tab.banner.isVisible(), timeout=60000)
    assert "ended after" in tab.banner.message()
    assert places_saying(tab, "ended after", status_bar) == ["RenderedLabel"]
