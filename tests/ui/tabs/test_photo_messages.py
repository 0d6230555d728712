"""A photo that cannot be read is explained in the UI's language on the dog tab (and in its
status line), not in the reader's English."""

from __future__ import annotations

from tests.ui.tabs.test_dog_tab import _wait_result, tab  # noqa: F401  (the fixture)
from vision_agent.i18n import set_language


def test_an_unreadable_photo_is_explained_in_korean(qtbot, tab, tmp_path):
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    set_language("ko")
    try:
        tab.retranslate_ui()
        with qtbot.waitSignal(tab.sig_status_message, timeout=30000) as status:
            tab.photos.open_paths([empty])
            _wait_result(qtbot, tab)
        detail = tab.breeds.detail_label.text()
        assert "비어 있습니다" in detail and "is empty" not in detail
        assert "is empty" not in status.args[0]
    finally:
        set_language("en")
        tab.retranslate_ui()
    assert "is empty (0 bytes)" in tab.breeds.detail_label.text()


def test_the_imagenet_tab_says_why_again_after_a_language_switch(qtbot, tmp_path):
    from tests.support.paths import asset
    from tests.ui.tabs.test_classifier_tab import make_tab

    asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    page = make_tab(qtbot, "mobilenet_v2")
    try:
        page.photos.open_paths([empty])
        qtbot.waitUntil(lambda: "empty" in page.view.placeholder(), timeout=30000)
        set_language("ko")
        page.retranslate_ui()
        assert "비어 있습니다" in page.view.placeholder()
        set_language("en")
        page.retranslate_ui()
        assert "is empty (0 bytes)" in page.view.placeholder()
    finally:
        set_language("en")
        page.shutdown()
