"""The Models dialog downloading from a local HTTP server (pytest-qt).

The shipped registry is used with its addresses pointed at the test server, so the dialog shows
the real model list. Set VISION_AGENT_SAVE_SCREENSHOTS=1 to refresh
docs/screenshots/models_dialog.png (taken during a download).
"""

from __future__ import annotations

import ast
import json
import os
import threading
from pathlib import Path

import pytest

from tests.support.model_server import (
    FILE_NAME,
    PAYLOAD,
    PAYLOAD_SHA256,
    closed_port_url,
    one_model_store,
    repo_assets_dir,
    write_registry,
)
from vision_agent.models.registry import Registry, default_registry
from vision_agent.models.store import ModelStore
from vision_agent.services.download_worker import DownloadWorker
from vision_agent.ui.models_dialog import COL_STATE, ModelsDialog

REPO = Path(__file__).resolve().parents[2]
ASSETS = repo_assets_dir()
ROUTES = {"resnet50_imagenet": "slow", "densenet121_imagenet_notop": "good", "googlenet_caffe": ""}


def checked(dialog: ModelsDialog) -> bool:
    return all(
        dialog.state(entry.id) != "checking" for entry in dialog.store.registry.all_entries()
    )


@pytest.fixture
def dialog(qtbot, tmp_path, model_server):
    data = json.loads(default_registry().path.read_text(encoding="utf-8"))
    for model in data["models"]:
        for f in model["files"].values():
            if model["id"] in ROUTES:
                f["url"] = model_server.url(ROUTES[model["id"]] or "missing", f["name"])
                f.update(hash=PAYLOAD_SHA256, size=len(PAYLOAD))
            elif f.get("url"):
                f["url"] = closed_port_url(f["name"])
    registry = Registry(write_registry(tmp_path / "registry.json", data["models"]))
    search = [ASSETS] if ASSETS.is_dir() else []
    store = ModelStore(registry, search_path=search, cache_dir=tmp_path / "cache", retries=0)
    widget = ModelsDialog(store)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: checked(widget), timeout=30_000)
    yield widget
    widget.close()
    DownloadWorker.cancel_all(wait_ms=10_000)


@pytest.mark.skipif(not ASSETS.is_dir(), reason="../shared/assets is absent")
def test_the_dialog_checks_the_models_off_the_gui_thread(hashing_threads, dialog, qtbot):
    """Opening the dialog hashes every present file (the search path's face and ImageNet
    models) in another thread; each row says "checking…" until then."""
    assert dialog.state("res10_caffe_fp32") == "ready"
    assert hashing_threads
    assert threading.main_thread() not in hashing_threads
    hashing_threads.clear()
    dialog.refresh()
    assert {dialog.state(e.id) for e in dialog.store.registry.all_entries()} == {"checking"}
    assert dialog.table.item(0, COL_STATE).text() == "checking…"
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.state("res10_caffe_fp32") == "ready"
    assert hashing_threads and threading.main_thread() not in hashing_threads


def test_a_model_chosen_while_checked_is_offered_once_its_answer_comes(dialog, qtbot):
    dialog.refresh()
    dialog.select("resnet50_imagenet")
    assert not dialog.panel.isVisible()  # not known yet to be missing
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.panel.isVisible() and dialog.panel.download_button.isVisible()


def test_import_folder_hashes_off_the_gui_thread(hashing_threads, dialog, tmp_path, qtbot):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5").write_bytes(PAYLOAD)
    hashing_threads.clear()
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=30_000):
        dialog.import_folder(str(usb))
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.state("densenet121_imagenet_notop") == "ready"
    assert hashing_threads and threading.main_thread() not in hashing_threads


def test_download_shows_progress_and_can_be_cancelled(dialog, qtbot, tmp_path):
    model_id = "resnet50_imagenet"
    panel = dialog.panel
    assert dialog.state(model_id) == "missing"
    dialog.select(model_id)
    assert panel.isVisible() and panel.download_button.isVisible()
    assert "ResNet50" in panel.text() and "MB to download" in panel.text()
    panel.download_button.click()
    assert dialog.state(model_id) == "downloading"
    qtbot.waitUntil(lambda: panel.progress.value() >= 30, timeout=15_000)
    assert panel.cancel_button.isVisible() and not panel.download_button.isVisible()

    shot = tmp_path / "models_dialog.png"
    assert dialog.grab().save(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("VISION_AGENT_SAVE_SCREENSHOTS"):
        target = REPO / "docs" / "screenshots" / "models_dialog.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(target))

    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.download_button.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.state(model_id) == "missing"
    assert panel.text() == "Download cancelled."
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_download_completes_and_announces_the_model(dialog, qtbot, tmp_path):
    model_id = "densenet121_imagenet_notop"
    dialog.select(model_id)
    with (
        qtbot.waitSignal(dialog.sig_model_ready, timeout=15_000) as blocker,
        qtbot.waitSignal(dialog.sig_models_changed, timeout=15_000),
    ):
        dialog.panel.download_button.click()
    assert blocker.args == [model_id]
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.state(model_id) == "ready"
    assert not dialog.panel.isVisible()
    name = "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert (tmp_path / "cache" / model_id / name).read_bytes() == PAYLOAD


def test_failed_download_explains_in_words_of_the_window(dialog, qtbot):
    model_id = "googlenet_caffe"
    dialog.select(model_id)
    dialog.panel.download()
    qtbot.waitUntil(lambda: dialog.panel.download_button.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    message = dialog.panel.text()
    assert "HTTP 404" in message and "Import from folder…" in message
    assert "vision-agent" not in message and "`" not in message
    assert dialog.state(model_id) == "missing"


def test_import_folder_makes_a_model_ready(dialog, tmp_path, qtbot):
    model_id = "densenet121_imagenet_notop"
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5").write_bytes(PAYLOAD)
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=30_000):
        dialog.import_folder(str(usb))
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.state(model_id) == "ready"
    assert "Imported 1 file(s)" in dialog.message_label.text()


def test_the_panel_imports_the_chosen_model_from_a_folder(dialog, tmp_path, qtbot):
    model_id = "densenet121_imagenet_notop"
    dialog.select(model_id)
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog.panel.import_folder(str(empty))
    qtbot.waitUntil(lambda: "holds no verified file" in dialog.panel.text(), timeout=10_000)
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5").write_bytes(PAYLOAD)
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=10_000):
        dialog.panel.import_folder(str(usb))
    qtbot.waitUntil(lambda: checked(dialog), timeout=30_000)
    assert dialog.state(model_id) == "ready"


@pytest.mark.skipif(not ASSETS.is_dir(), reason="../shared/assets is absent")
def test_models_found_in_the_search_path_are_ready(dialog):
    for model_id in ("res10_caffe_fp32", "res10_tf_uint8", "mobilenet_v2_int8"):
        assert dialog.state(model_id) == "ready"
        dialog.select(model_id)
        assert not dialog.panel.isVisible()
    dialog.select("res10_caffe_fp16")
    assert dialog.panel.download_button.isVisible()
    row = dialog.table.selectionModel().selectedRows()[0].row()
    tooltip = dialog.table.item(row, COL_STATE).toolTip()
    assert tooltip == "res10_300x300_ssd_iter_140000_fp16.caffemodel: not found"
    assert not dialog.panel.use_another_button.isVisible()  # nothing to switch to here


def test_every_ui_string_has_a_korean_translation():
    catalog: dict[str, str] = {}
    for path in sorted((REPO / "resources" / "i18n").glob("ko*.json")):
        catalog.update(json.loads(path.read_text("utf-8")))
    strings = set()
    sources = (
        "vision_agent/ui/models_dialog.py",
        "vision_agent/ui/widgets/model_download_panel.py",
        "vision_agent/ui/model_problem_text.py",
    )
    for source in sources:
        tree = ast.parse((REPO / source).read_text(encoding="utf-8"))
        strings |= {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "tr"
            and isinstance(node.args[0], ast.Constant)
        }
    assert strings and not strings - set(catalog)
    for entry in default_registry().all_entries():
        assert catalog.get(entry.name_en) == entry.name_ko


def test_download_worker_reports_progress_then_paths(qtbot, tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("good", FILE_NAME), size=None)
    worker = DownloadWorker("m", store)
    percents: list[int] = []
    worker.sig_progress.connect(
        lambda model_id, percent, done, total, name: percents.append(percent)
    )
    with qtbot.waitSignal(worker.sig_finished, timeout=15_000) as blocker:
        worker.start()
    assert blocker.args[0] == "m"
    assert blocker.args[1] == {"weights": tmp_path / "cache" / "m" / FILE_NAME}
    assert percents and percents[-1] == 100 and percents == sorted(percents)
    assert worker.wait(5_000) and not worker.is_running()


def test_worker_thread_ends_even_while_the_gui_thread_is_blocked(qtbot, tmp_path, model_server):
    """Regression: the thread's quit must not wait for the GUI event loop (a flaky deadlock)."""
    store = one_model_store(tmp_path, model_server.url("good", FILE_NAME), size=None)
    worker = DownloadWorker("m", store)
    ended_while_blocked: list[bool] = []
    worker.sig_finished.connect(lambda *_: ended_while_blocked.append(worker.wait(3_000)))
    with qtbot.waitSignal(worker.sig_finished, timeout=15_000):
        worker.start()
    assert ended_while_blocked == [True]
