"""The main window: tabs built when first shown, nothing downloaded without a click, the Help
menu read from the tabs themselves, and the Models dialog telling the window what changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PyQt5.QtWidgets import QShortcut

from tests.support.model_server import ModelServer, served_registry
from tests.support.offline_window import no_models_here, offline_window
from vision_agent.i18n import set_language
from vision_agent.models.registry import default_registry
from vision_agent.ui.help_menu import keys_text
from vision_agent.ui.main_window import TAB_KINDS, MainWindow
from vision_agent.ui.settings import app_settings

# A script's start: the window shown on the postal tab (before any tab is built).
SHOWN_WINDOW = (
    "from PyQt5.QtWidgets import QApplication\n"
    "app = QApplication([])\n"
    "from vision_agent.ui.settings import app_settings\n"
    "app_settings().setValue('window/tab', 0)\n"
    "from vision_agent.ui.main_window import MainWindow\n"
    "w = MainWindow(); w.show(); app.processEvents()\n"
)


def run_script(script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`script` run by this Python in a fresh process (`env`: variables added to this one's)."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.fixture
def window(qtbot):
    set_language("en")
    app_settings().setValue("window/tab", 0)
    widget = MainWindow()
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    widget.close()
    set_language("en")


def test_only_the_visible_tab_is_built_and_the_others_when_shown(qtbot, window):
    assert window.built_pages() == []  # the window is drawn first
    window.start_tabs()
    assert [type(p).__name__ for p in window.built_pages()] == ["PostalTab"]
    assert window.tabs.tabText(1) == "Dog breed"  # a placeholder page keeps its caption
    window.tabs.setCurrentIndex(3)
    face = window.tabs.currentWidget()
    assert type(face).__name__ == "FaceCamTab" and window.tabs.widget(3) is face
    assert [type(p).__name__ for p in window.built_pages()] == ["PostalTab", "FaceCamTab"]
    assert window.tabs.currentIndex() == 3 and window.tabs.count() == len(TAB_KINDS)
    assert window.file_menu.actions()[0].text() == "Open video or photo…"


def test_the_window_imports_no_tab_module_before_a_tab_is_shown():
    script = (
        "import sys\n" + SHOWN_WINDOW + "heavy = ('numpy', 'cv2', 'pyqtgraph', 'onnxruntime',"
        " 'vision_agent.ui.tabs.postal_tab')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "w.start_tabs()\n"
        "print('vision_agent.ui.tabs.postal_tab' in sys.modules)\n"
        "w.close()\n"
    )
    result = run_script(script)
    assert result.stdout.split("\n")[:2] == ["[]", "True"], result.stderr


def import_spy(watched) -> str:
    """Script lines that record in `on_gui_thread`, for each module of `watched` as it is first
    looked for, whether that happened on the main (GUI) thread."""
    return (
        "import sys, threading\n"
        f"watched = {tuple(watched)!r}\n"
        "on_gui_thread = {}\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name in watched:\n"
        "            main = threading.current_thread() is threading.main_thread()\n"
        "            on_gui_thread.setdefault(name, main)\n"
        "sys.meta_path.insert(0, Spy())\n"
    )


def test_the_visible_tabs_heavy_modules_are_imported_off_the_gui_thread():
    """As the app starts it (`start_tabs_after_imports`): numpy, OpenCV, onnxruntime and
    pyqtgraph come in on another thread (an import spy records where), the GUI thread keeps
    its event loop, and the postal tab is then built."""
    script = (
        import_spy(("numpy", "cv2", "onnxruntime", "pyqtgraph"))
        + SHOWN_WINDOW
        + "w.start_tabs_after_imports(app.quit)\n"
        "app.exec_()\n"
        "print(sorted(on_gui_thread.items()), [type(p).__name__ for p in w.built_pages()])\n"
        "w.close()\n"
    )
    result = run_script(script)
    heavy = sorted(("numpy", "cv2", "onnxruntime", "pyqtgraph"))
    expected = f"{[(name, False) for name in heavy]} ['PostalTab']"
    assert result.stdout.splitlines()[:1] == [expected], result.stderr


def test_every_tab_module_is_imported_off_the_gui_thread_at_start():
    """As the app starts: the visible tab's own module comes in on the start-up imports' thread,
    and once that tab has started, the other tabs' modules on it too, so that showing one later
    builds it without importing on the GUI thread (an import spy records where)."""
    modules = [kind.module for kind in TAB_KINDS]
    script = (
        import_spy(modules) + SHOWN_WINDOW + "from PyQt5.QtCore import QTimer\n"
        "def quit_when_imported():\n"
        "    if all(m in sys.modules for m in watched): app.quit()\n"
        "poll = QTimer(); poll.timeout.connect(quit_when_imported); poll.start(20)\n"
        "QTimer.singleShot(60_000, app.quit)\n"
        "w.start_tabs_after_imports(lambda: None)\n"
        "app.exec_()\n"
        "print(sorted(on_gui_thread.items()))\n"
        "w.close()\n"
    )
    result = run_script(script)
    expected = f"{sorted((name, False) for name in modules)}"
    assert result.stdout.splitlines()[:1] == [expected], result.stderr[-2000:]


def test_the_model_search_path_is_walked_off_the_gui_thread_at_start(tmp_path):
    """VISION_AGENT_MODEL_PATH may name a big folder (a home folder): walking it is file I/O the
    GUI thread must not do. As the app starts, it is walked on the start-up imports' thread, so
    every tab shown after the start-up finds it walked (presence checks of the dog and ImageNet
    tabs' models; an os.walk spy records where each walk of it ran)."""
    models = tmp_path / "models"
    (models / "sub").mkdir(parents=True)
    (models / "sub" / "unrelated.bin").write_bytes(b"x")
    script = (
        "import os, sys, threading\n"
        "walks = []\n"
        "walk = os.walk\n"
        "def spy(top, *args, **kwargs):\n"
        f"    if str(top).startswith({str(models)!r}):\n"
        "        walks.append(threading.current_thread() is threading.main_thread())\n"
        "    return walk(top, *args, **kwargs)\n"
        "os.walk = spy\n" + SHOWN_WINDOW + "w.sig_started.connect(app.quit)\n"
        "from PyQt5.QtCore import QTimer\n"
        "QTimer.singleShot(60_000, app.quit)\n"
        "w.start_tabs_after_imports(lambda: None)\n"
        "app.exec_()\n"
        "for index in range(w.tabs.count()): w.tabs.setCurrentIndex(index)\n"
        "print('walks on the GUI thread', walks.count(True), 'elsewhere', walks.count(False))\n"
        "w.close()\n"
    )
    result = run_script(script, VISION_AGENT_MODEL_PATH=str(models))
    words = (result.stdout.splitlines() or [""])[0].split()
    assert words[:5] == ["walks", "on", "the", "GUI", "thread"], result.stderr[-2000:]
    assert int(words[5]) == 0 and int(words[7]) >= 1, result.stdout


def test_a_window_closed_during_its_start_up_imports_exits_after_they_finish(tmp_path):
    """The start-up imports run in C extensions (OpenCV, onnxruntime): a thread cut off there
    while the interpreter shuts down aborts the process ("terminate called without an active
    exception", seen once in CI when a test closed the window as soon as it was shown). The
    exit waits for them: a slow module in the preload list finishes before the process ends."""
    finished = tmp_path / "imported"
    (tmp_path / "slow_start_module.py").write_text(
        f"import time, pathlib\ntime.sleep(1.0)\npathlib.Path({str(finished)!r}).touch()\n"
    )
    script = (
        f"import sys, dataclasses\nsys.path.insert(0, {str(tmp_path)!r})\n"
        + SHOWN_WINDOW
        + "import vision_agent.ui.main_window as mw\n"
        "mw.TAB_KINDS = (dataclasses.replace(mw.TAB_KINDS[0], preload=('slow_start_module',)),"
        " *mw.TAB_KINDS[1:])\n"
        "w.start_tabs_after_imports(lambda: None)\n"
        "w.close()\n"
    )
    result = run_script(script)
    assert result.returncode == 0, result.stderr[-2000:]
    assert finished.exists()


def test_every_tab_shown_offline_fetches_nothing(qtbot, tmp_path, monkeypatch):
    """Each tab shown in turn with no model on this computer: no request reaches the server."""
    no_models_here(tmp_path, monkeypatch)
    with ModelServer() as server:
        models = json.loads(default_registry().path.read_text(encoding="utf-8"))["models"]
        registry = served_registry(tmp_path, lambda _id, name: server.url("good", name), models)
        monkeypatch.setenv("VISION_AGENT_REGISTRY", str(registry))
        window, panels = offline_window(qtbot)
        try:
            # Every tab's load has ended (each panel is up), and a load never downloads; no
            # panel has started a download either: so nothing can reach the server later.
            assert not any(panel.is_downloading() for panel in panels)
            assert sum(server.requests.values()) == 0, "nothing is fetched without a click"
            shown = next(p for p in panels if p.isVisibleTo(p.parentWidget()))
            assert "not on this computer" in shown.text() and "vision-agent" not in shown.text()
            shown.download_button.click()  # the user's click: now it downloads
            qtbot.waitUntil(lambda: server.requests["good"] >= 1, timeout=10_000)
        finally:
            window.close()


def test_the_shortcuts_sheet_builds_the_tabs_one_per_turn_after_it_shows(qtbot, window):
    """Help ▸ Keyboard shortcuts right after the start: the sheet shows at once, each tab not
    built yet is built in a later turn of the event loop (a build holds the GUI thread 10-30 ms),
    without loading its model, and the sheet is written again with its keys."""
    window.start_tabs()
    sheet = window.help_menu.show_shortcuts()
    assert sheet.isVisible() and len(window.built_pages()) == 1
    assert "Recognize the drawing" in sheet.browser.toPlainText()
    qtbot.waitUntil(lambda: len(window.built_pages()) == len(TAB_KINDS), timeout=30_000)
    qtbot.waitUntil(lambda: "Pause or resume" in sheet.browser.toPlainText(), timeout=10_000)
    assert all(not page.isVisible() for page in window.built_pages()[1:])
    assert all(p.controller.slot.state == "idle" for p in window.built_pages()[1:4])
    sheet.close()


def test_shortcuts_sheet_lists_every_key_of_every_tab(qtbot, window):
    pages = window.tab_pages  # every tab built (the sheet builds those not built yet itself)
    sections = dict(window.help_menu.shortcut_sections())
    quit_keys = keys_text(window.quit_action.shortcut())  # the platform's Quit (none offscreen)
    assert not quit_keys or (quit_keys, "Quit") in sections["Everywhere"]
    assert ("F1", "How to use this tab") in sections["Everywhere"]
    for index, page in enumerate(pages):
        listed = sections[window.tabs.tabText(index)]
        keys = {keys_text(s.key()) for s in page.findChildren(QShortcut)}
        assert keys <= {k for k, _ in listed}, (type(page).__name__, keys, listed)
        assert all(description for _, description in listed), listed
    assert ("R", "Recognize the drawing") in sections["Postal code"]
    assert ("Ctrl+O", "Open drawing…") in sections["Postal code"]
    sheet = window.help_menu.show_shortcuts()
    assert "Recognize the drawing" in sheet.browser.toPlainText()
    set_language("ko")
    window.retranslate_ui()
    assert "그림 인식" in sheet.browser.toPlainText()  # an open sheet follows the language
    assert sheet.windowTitle() == "단축키"


def test_how_to_use_the_current_tab_in_both_languages(qtbot, window):
    window.start_tabs()
    sheet = window.help_menu.show_how_to()
    text = sheet.browser.toPlainText()
    assert text.startswith("Postal code") and "read as you draw" in text
    window.tabs.setCurrentIndex(2)
    assert "ImageNet" in window.help_menu.show_how_to().browser.toPlainText()
    window.switch_language("ko")
    assert "ImageNet 1000개 클래스" in sheet.browser.toPlainText()


def test_about_credits_every_model_with_its_licence(qtbot, window):
    text = window.help_menu.show_about().browser.toPlainText()
    for entry in default_registry().all_entries():
        assert entry.name_en in text and entry.license in text
    assert text.count("Licence: ") == len(default_registry().all_entries())
    shipped = [e for e in default_registry().all_entries() if e.shipped]
    assert {e.id for e in shipped} == {"mobilenet_v2_int8", "res10_tf_uint8", "digits_cnn"}
    assert text.count("Ships with the app") == len(shipped)
    assert "Downloaded when chosen: 103.0 MB" in text  # ResNet50, its real size


def test_a_model_got_in_the_models_dialog_reaches_the_shared_choices(qtbot, window):
    from vision_agent.ui.models_dialog import ModelsDialog

    dialog = ModelsDialog(parent=window)
    qtbot.addWidget(dialog)
    dialog.sig_models_changed.connect(window.models_changed)
    with qtbot.waitSignal(window.choices.sig_models_changed, timeout=1000):
        dialog.sig_models_changed.emit()


# The app started with a drawing on its command line, polled until the postal tab has read it.
OPEN_DRAWING = r"""
import sys
from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication
from vision_agent.app import run_app

def poll(waited=0):
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"]
    postal = windows[0].postal_tab() if windows and windows[0].built_pages() else None
    if postal is not None and postal.reading is not None:
        print("read", postal.reading.code, flush=True)
        windows[0].close()
    elif waited > 60_000:
        print("nothing read", flush=True)
        windows[0].close()
    else:
        QTimer.singleShot(100, lambda: poll(waited + 100))

app = QApplication(sys.argv)
QTimer.singleShot(0, poll)
sys.exit(run_app(drawing=sys.argv[1]))
"""


def test_the_objects_of_the_start_up_are_left_out_of_later_full_collections(tmp_path):
    """Garbage is collected on the GUI thread (ui/gui_thread_gc); a full collection walks every
    object alive, about 30 ms with the start-up's modules and tabs. Once the window's start-up
    is over (every tab module imported), what is alive is frozen out of later collections."""
    script = OPEN_DRAWING.replace(
        'print("read", postal.reading.code, flush=True)',
        'import gc; print("read", postal.reading.code, gc.get_freeze_count() > 0, flush=True)',
    ).replace(
        "if postal is not None and postal.reading is not None:",
        "import gc\n    if postal is not None and postal.reading is not None"
        " and (gc.get_freeze_count() or waited > 30_000):",
    )
    result = window_reading_a_drawing(script, tmp_path)
    assert "read 10701 True" in result.stdout, result.stderr[-2000:]


def test_the_start_up_starts_no_garbage_collection(tmp_path):
    """From the collector's installation until the window's start-up is over (`sig_started`),
    the GUI thread starts no garbage collection: the start-up's imports make tens of thousands
    of objects, and walking them took 8-17 ms of the GUI thread (bench/gui_stalls.py, then
    beside the postal tab's build). They are set aside for good instead (`gc.freeze`)."""
    spy = (
        "import gc\n"
        "import vision_agent.ui.gui_thread_gc as collector_module\n"
        "started, at_start_up_end = [], []\n"
        "gc.callbacks.append(lambda phase, info: phase == 'start' and started.append(1))\n"
        "make = collector_module.GuiThreadGarbageCollector.__init__\n"
        "def counting(self, *args, **kwargs):\n"
        "    make(self, *args, **kwargs); started.clear()\n"
        "collector_module.GuiThreadGarbageCollector.__init__ = counting\n"
        "end = collector_module.GuiThreadGarbageCollector.freeze\n"
        "def ending(self):\n"
        "    end(self); at_start_up_end.append(len(started))\n"
        "collector_module.GuiThreadGarbageCollector.freeze = ending\n"
    )
    script = spy + OPEN_DRAWING.replace(
        'print("read", postal.reading.code, flush=True)',
        'print("read", postal.reading.code, "collections", at_start_up_end, flush=True)',
    ).replace(
        "if postal is not None and postal.reading is not None:",
        "if postal is not None and postal.reading is not None"
        " and (at_start_up_end or waited > 30_000):",
    )
    result = window_reading_a_drawing(script, tmp_path)
    assert "read 10701 collections [0]" in result.stdout, result.stdout + result.stderr[-2000:]


def test_the_window_process_gives_the_interpreter_lock_up_every_half_millisecond(tmp_path):
    """Every Python handler the event loop calls (each event, slot and widget method a paint
    calls back) takes the interpreter lock again; while another thread runs Python, it waits up
    to one switch interval, 5 ms by default, so a repaint of the postal tab took 74-79 ms beside
    a busy thread instead of 1.8 ms (bench/gui_lock.py). The window's process switches every
    0.5 ms."""
    script = OPEN_DRAWING.replace(
        'print("read", postal.reading.code, flush=True)',
        'print("read", postal.reading.code, "switch", sys.getswitchinterval(), flush=True)',
    )
    result = window_reading_a_drawing(script, tmp_path)
    assert "read 10701 switch 0.0005" in result.stdout, result.stdout + result.stderr[-2000:]


def test_a_drawing_given_on_the_command_line_is_read(tmp_path):
    """Regression: the drawing was sent to the postal model before it was asked to load, and a
    call made while no model is loaded ends silently: the code was never read."""
    result = window_reading_a_drawing(OPEN_DRAWING, tmp_path)
    assert "read 10701" in result.stdout, result.stderr[-2000:]


def window_reading_a_drawing(script: str, tmp_path) -> subprocess.CompletedProcess:
    """`script` (OPEN_DRAWING or a variant) run in a fresh process on a drawing of 10701."""
    from vision_agent.checks.postal import draw_code
    from vision_agent.core.imageio import write_image

    drawing = tmp_path / "code.png"
    write_image(drawing, draw_code("10701"))
    return run_script(script, str(drawing), XDG_CONFIG_HOME=str(tmp_path / "config"))
