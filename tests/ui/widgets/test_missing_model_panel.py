"""The missing-model panel: the model's name and size, the window's own advice in the UI's
language (never a command line), Download / Cancel, Import from folder… and Use another model."""

from __future__ import annotations

import threading

import pytest

from tests.support.model_server import PAYLOAD, cache_files, closed_port_url, one_model_store
from vision_agent.i18n import set_language
from vision_agent.models.download import stall_message
from vision_agent.models.store import ModelMissingError, ModelStore
from vision_agent.services.download_worker import DownloadWorker
from vision_agent.ui.model_problem_text import REASON_TEMPLATES, failure_reason, translate_reason
from vision_agent.ui.widgets.model_download_panel import ModelDownloadPanel

TEST_NET = {"name": "w.bin", "name_en": "Test net", "name_ko": "시험망"}


@pytest.fixture
def korean_afterwards():
    yield
    set_language("en")


@pytest.fixture
def panel(qtbot):
    def make(store: ModelStore) -> ModelDownloadPanel:
        widget = ModelDownloadPanel(store=store)
        qtbot.addWidget(widget)
        widget.show()
        return widget

    yield make
    DownloadWorker.cancel_all(wait_ms=10_000)


def test_missing_model_is_named_with_its_size_and_the_windows_advice(
    panel, tmp_path, korean_afterwards
):
    store = one_model_store(tmp_path, closed_port_url("w.bin"), entry=TEST_NET)
    with pytest.raises(ModelMissingError) as missing:
        store.local_files("m")
    assert "vision-agent models" in str(missing.value)  # the CLI keeps its wording
    widget = panel(store)
    chosen = []
    widget.sig_use_another_model.connect(lambda: chosen.append(True))
    widget.show_missing("m", str(missing.value))
    text = widget.text()
    assert text.startswith("Test net is not on this computer (0.3 MB to download).")
    assert "Import from folder…" in text and "w.bin" in text and "Use another model" in text
    assert "vision-agent" not in text and "VISION_AGENT" not in text
    for button in (widget.download_button, widget.import_button, widget.use_another_button):
        assert button.isVisible()
    widget.use_another_button.click()
    assert chosen == [True]
    set_language("ko")
    widget.retranslate_ui()
    assert widget.text().startswith("시험망이(가) 이 컴퓨터에 없습니다 (내려받을 크기 0.3 MB).")
    assert widget.import_button.text() == "폴더에서 가져오기…"


def test_offline_download_says_why_in_the_ui_language(panel, qtbot, tmp_path, korean_afterwards):
    widget = panel(one_model_store(tmp_path, closed_port_url("w.bin"), entry=TEST_NET))
    widget.show_missing("m", "")
    with qtbot.waitSignal(widget.sig_busy_changed, timeout=15_000) as started:
        widget.download_button.click()
    assert started.args == [True]
    qtbot.waitUntil(lambda: widget.download_button.isVisible(), timeout=15_000)
    assert widget.text().startswith(
        "Could not download Test net: no connection (are you offline?)."
    )
    assert "`" not in widget.text()
    set_language("ko")
    widget.retranslate_ui()
    assert widget.text().startswith("시험망을(를) 내려받지 못했습니다: 연결되지 않습니다")


def test_download_with_progress_then_the_model_is_announced(panel, qtbot, tmp_path, model_server):
    widget = panel(one_model_store(tmp_path, model_server.url("slow", "w.bin"), entry=TEST_NET))
    widget.show_missing("m", "")
    widget.download_button.click()
    qtbot.waitUntil(lambda: widget.progress.value() >= 20, timeout=15_000)
    assert widget.progress.isVisible() and widget.cancel_button.isVisible()
    assert not widget.use_another_button.isVisible()
    with qtbot.waitSignal(widget.sig_downloaded, timeout=20_000) as done:
        pass
    assert done.args == ["m"] and not widget.isVisible()


def test_use_another_model_is_offered_only_where_someone_listens(panel, tmp_path):
    widget = panel(one_model_store(tmp_path, closed_port_url("w.bin"), entry=TEST_NET))
    widget.show_missing("m", "")
    assert not widget.use_another_button.isVisible()
    assert "Use another model" not in widget.text()


def test_use_another_model_opens_the_tabs_model_list(qtbot, tmp_path, monkeypatch):
    from tests.support.offline_window import no_models_here
    from vision_agent.ui.tabs.classifier_tab import ClassifierTab

    no_models_here(tmp_path, monkeypatch)
    tab = ClassifierTab(model="resnet50")
    qtbot.addWidget(tab)
    tab.show()
    tab.start()
    try:
        button = tab.model_status.panel.use_another_button
        qtbot.waitUntil(button.isVisible, timeout=20_000)
        button.click()
        assert tab.model_combo.view().isVisible()  # the list of models is open
        tab.model_combo.hidePopup()
    finally:
        tab.shutdown()


def test_a_model_that_failed_shows_the_failure_and_offers_no_download(panel, tmp_path):
    widget = panel(one_model_store(tmp_path, closed_port_url("w.bin"), entry=TEST_NET))
    widget.show_missing(None, "The model could not be read: bad graph.")
    assert widget.text() == "The model could not be read: bad graph."
    assert not widget.download_button.isVisible() and not widget.import_button.isVisible()
    widget.show_missing("m", "", corrupt=True)  # its file is here but fails its check
    assert "damaged" in widget.text() and widget.download_button.isVisible()


def test_every_transfer_reason_is_translated(korean_afterwards):
    set_language("ko")
    reasons = [
        "no connection (are you offline?)",
        "the server answered HTTP 404",
        stall_message(20.0),
        "the transfer was interrupted (received 5 of 9 bytes)",
    ]
    for reason in reasons:
        assert translate_reason(reason) != reason
    assert all(translate_reason(t) != t or "{" in t for t in REASON_TEMPLATES)
    message = "The model cache /x cannot be written (Permission denied). Set …"
    assert failure_reason(message) == "모델 폴더 /x에 쓸 수 없습니다 (Permission denied)"


def test_import_from_a_folder_checks_the_files_off_the_gui_thread(
    panel, qtbot, tmp_path, monkeypatch
):
    """The files are hashed where `ModelStore.import_dir` runs: never the GUI thread."""
    widget = panel(one_model_store(tmp_path, closed_port_url("w.bin"), entry=TEST_NET))
    widget.show_missing("m", "")
    threads = []
    real_import = ModelStore.import_dir

    def recording_import(store: ModelStore, folder):
        threads.append(threading.current_thread())
        return real_import(store, folder)

    monkeypatch.setattr(ModelStore, "import_dir", recording_import)
    empty = tmp_path / "empty"
    empty.mkdir()
    widget.import_folder(str(empty))
    qtbot.waitUntil(lambda: "holds no verified file" in widget.text(), timeout=10_000)
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "w.bin").write_bytes(PAYLOAD)
    with qtbot.waitSignal(widget.sig_downloaded, timeout=10_000) as done:
        widget.import_folder(str(usb))
    assert done.args == ["m"] and cache_files(tmp_path)
    widget.show_missing("m", "")
    widget.import_folder(str(usb / "w.bin"))  # not a folder: said, not raised
    qtbot.waitUntil(lambda: "is not a folder" in widget.text(), timeout=10_000)
    assert len(threads) == 3 and threading.main_thread() not in threads
