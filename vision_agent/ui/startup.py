"""Start-up safety for the window: Qt messages in the log, a splash, and fatal errors shown.

A frozen app double-clicked in a file manager has no terminal: a start-up failure must become a
message box (or, when Qt itself cannot start, a line on stderr and in the log), never a silent
exit. Qt aborts the process when its platform plugin cannot load, so that case is checked
*before* the QApplication exists.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QLibraryInfo, QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PyQt5.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PyQt5.QtWidgets import QApplication, QMessageBox, QSplashScreen, QWidget

from vision_agent import __version__
from vision_agent.i18n import tr
from vision_agent.logging_setup import log_problem, setup_logging
from vision_agent.paths import resource
from vision_agent.ui.settings import app_settings

log = logging.getLogger("vision_agent.startup")

APP_ICON = resource("icons", "vision-agent.png")
_DEFAULT_PLATFORM = {"win32": "windows", "darwin": "cocoa"}
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_platform_problem() -> str | None:
    """Why Qt could not open a window here (it would abort), or None when it should start."""
    requested = os.environ.get("QT_QPA_PLATFORM") or _DEFAULT_PLATFORM.get(sys.platform, "xcb")
    names = [part.split(":")[0].strip() for part in requested.split(";") if part.strip()]
    roots = [QLibraryInfo.location(QLibraryInfo.PluginsPath)]
    roots += os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep)
    folders = list(dict.fromkeys(Path(root) / "platforms" for root in roots if root))
    if os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        folders.insert(0, Path(os.environ["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    folders = [folder for folder in folders if folder.is_dir()]
    if not folders:  # Qt's plugins are somewhere this check does not know: let Qt decide
        return None
    # Plugin files are named after their key: libqxcb.so, qwindows.dll, libqwayland-egl.so...
    found = [name for name in names if any(any(f.glob(f"*q{name}*")) for f in folders)]
    if not found:
        where = ", ".join(str(f) for f in folders)
        return f"The Qt platform plugin '{requested}' was not found (looked in {where})."
    missing = [_display_variable(name) for name in found]
    if all(variable and not os.environ.get(variable) for variable in missing):
        unset = list(dict.fromkeys(v for v in missing if v))
        verb = "is" if len(unset) == 1 else "are"
        return (
            f"No display: {' and '.join(unset)} {verb} not set "
            "(set it, or run a command such as --self-test)."
        )
    return None


def _display_variable(platform_name: str) -> str | None:
    """The environment variable naming the display a platform plugin connects to."""
    if platform_name == "xcb":
        return "DISPLAY"
    if platform_name.startswith("wayland"):
        return "WAYLAND_DISPLAY"
    return None


def _on_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    log.log(_QT_LEVELS.get(kind, logging.WARNING), "Qt: %s", message)
    if kind in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        write_stderr(f"Qt: {message}")


def write_stderr(text: str) -> None:
    """Print to stderr when there is one (a windowed app on Windows has none)."""
    if sys.stderr is not None:
        print(text, file=sys.stderr, flush=True)


def run_guarded(start: Callable[[], int]) -> int:
    """Run the window's start-up and event loop; any failure is logged and shown, exit code 1."""
    log_file = setup_logging()
    problem = qt_platform_problem()
    if problem:
        log.critical("Cannot start the window: %s", problem)
        write_stderr(
            f"vision-agent: cannot start the window: {problem}\nLog: {log_file or 'stderr'}"
        )
        return 1
    qInstallMessageHandler(_on_qt_message)
    try:
        code = start()
    except Exception as exc:
        log.critical("Start-up failed", exc_info=True)
        try:
            show_fatal_error(f"{type(exc).__name__}: {exc}", traceback.format_exc(), log_file)
        except Exception:
            log.critical("The error box could not be shown", exc_info=True)
        return 1
    log.info("Window closed, exit code %s", code)
    return code


def show_fatal_error(message: str, details: str, log_file: Path | None) -> None:
    """A message box the user can read (and copy details from); stderr gets the same text.

    It must work whatever broke start-up, so its own text falls back to English.
    """
    write_stderr(f"vision-agent: {message}\nLog: {log_file or 'stderr'}")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    for widget in app.topLevelWidgets():
        if isinstance(widget, QSplashScreen):  # it stays on top and would hide the box
            widget.close()
    box = QMessageBox(QMessageBox.Critical, _tr_or_english("Vision Agent could not start"), message)
    if log_file is not None:
        where = _tr_or_english("Details were written to {path}")
        box.setInformativeText(where.format(path=log_file))
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.Close)
    box.exec_()
    del app


def show_storage_problems(parent: QWidget) -> QMessageBox | None:
    """A non-modal note when the log or the settings cannot be written (the app runs on)."""
    lines = []
    problem = log_problem()
    if problem:
        lines.append(
            tr("The log cannot be written ({problem}); it goes to stderr.").format(problem=problem)
        )
    settings = app_settings()
    if settings.problem() or not settings.isWritable():
        lines.append(tr("Settings cannot be saved in {path}.").format(path=settings.fileName()))
    if not lines:
        return None
    for line in lines:
        log.warning(line)
    box = QMessageBox(
        QMessageBox.Warning, tr("Vision Agent cannot save everything"), "", parent=parent
    )
    box.setText("\n\n".join(lines))
    box.setStandardButtons(QMessageBox.Ok)
    box.setModal(False)
    box.show()
    return box


def _tr_or_english(text: str) -> str:
    try:
        return tr(text)
    except Exception:  # a corrupt translation file may be why start-up failed
        return text


def apply_app_icon(app: QApplication) -> None:
    if APP_ICON.is_file():
        app.setWindowIcon(QIcon(str(APP_ICON)))


def show_splash(app: QApplication) -> QSplashScreen:
    """A splash drawn in code, shown at once (the window appears when its modules are imported).

    Qt's own splash works on every platform; PyInstaller's bootloader splash needs Tcl/Tk in the
    bundle and is not supported on macOS.
    """
    title = tr("Vision Agent")  # texts first: an error must not leave the painter open
    version = tr("Version {version}").format(version=__version__)
    message = tr("Starting…")
    pixmap = QPixmap(420, 200)
    pixmap.fill(QColor("#1c3a6e"))
    painter = QPainter(pixmap)
    try:
        icon = QPixmap(str(APP_ICON)) if APP_ICON.is_file() else QPixmap()
        if not icon.isNull():
            painter.drawPixmap(24, 36, 128, 128, icon)
        painter.setPen(QColor("white"))
        painter.setFont(QFont(painter.font().family(), 20, QFont.Bold))
        painter.drawText(170, 90, title)
        painter.setFont(QFont(painter.font().family(), 10))
        painter.drawText(170, 116, version)
    finally:
        painter.end()
    splash = QSplashScreen(pixmap)
    splash.show()
    splash.showMessage(message, Qt.AlignBottom | Qt.AlignHCenter, QColor("white"))
    app.processEvents()
    return splash
