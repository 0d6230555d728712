"""A private X display (Xvfb, with openbox when installed) and the ways a user closes a window.

`close_window(..., "wm-delete")` sends WM_DELETE_WINDOW as a window manager does when the user
clicks the close button; `"ctrl+q"` types the app's Quit shortcut into the window (xdotool).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support.model_server import only_digits_shipped, write_registry

REPO = Path(__file__).resolve().parents[2]
CLOSE_METHODS = ("wm-delete", "ctrl+q")


class XSession:
    """`with XSession() as x:` starts Xvfb (and openbox) on a free display: `x.display`."""

    def __init__(self) -> None:
        self.display = ""
        self._processes: list[subprocess.Popen] = []

    @staticmethod
    def missing() -> str | None:
        """Why X sessions cannot run here, or None."""
        for tool in ("Xvfb", "xdotool"):
            if shutil.which(tool) is None:
                return f"{tool} is not installed"
        if ctypes.util.find_library("X11") is None:
            return "libX11 is not installed"
        return None

    def __enter__(self) -> XSession:
        read_end, write_end = os.pipe()
        server = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            self.display = ":" + pipe.readline().strip()
        self._processes.append(server)
        if shutil.which("openbox"):
            self._processes.append(
                subprocess.Popen(
                    ["openbox"],
                    env=dict(os.environ, DISPLAY=self.display),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            time.sleep(0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self._processes):
            process.terminate()
            process.wait(10)

    def env(self, **extra: str) -> dict[str, str]:
        return dict(
            os.environ,
            DISPLAY=self.display,
            QT_QPA_PLATFORM="xcb",
            PYTHONPATH=str(REPO),
            **extra,
        )

    def main_window(self, pid: int) -> int | None:
        """The app's main window (a normal window, not the splash), once it is mapped."""
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--pid", str(pid), "--name", "^Vision Agent$"],
            capture_output=True,
            text=True,
            env=self.env(),
        )
        for line in found.stdout.split():
            if not _is_splash(self.display, int(line)):
                return int(line)
        return None

    def close_window(self, window: int, method: str) -> None:
        if method == "wm-delete":
            _send_wm_delete(self.display, window)
        else:
            # Typed through XTEST into the focused window: `key --window` would send the events
            # to a window that may close half-way, leaving Ctrl held for the next test.
            subprocess.run(
                ["xdotool", "windowfocus", str(window), "key", method],
                env=self.env(),
                check=False,
                stderr=subprocess.DEVNULL,
            )


# The real app, whose dog tab offers the missing model: click Download once it shows.
CLICK_DOWNLOAD = r"""
import sys
from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication
from vision_agent.app import run_app

def click():
    windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "MainWindow"]
    if windows:
        windows[0].tabs.setCurrentIndex(1)  # the user opens the dog tab (built when shown)
    tabs = [w for w in QApplication.allWidgets() if type(w).__name__ == "DogTab"]
    button = tabs[0].model_status.panel.download_button if tabs else None
    if button is None or not button.isVisibleTo(tabs[0]):
        QTimer.singleShot(50, click)
        return
    button.click()
    print("downloading", flush=True)

app = QApplication(sys.argv)
QTimer.singleShot(0, click)
sys.exit(run_app())
"""


def isolated_env(folder: Path) -> dict[str, str]:
    """Settings, user data and model cache of one test run."""
    return {
        "VISION_AGENT_DATA_DIR": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "VISION_AGENT_CACHE_DIR": str(folder / "cache"),
    }


def launch_downloading(x: XSession, folder: Path, base_url: str) -> subprocess.Popen:
    """The app with every registry address under `base_url` and no model on this computer,
    once the user has clicked the dog tab's Download button."""
    registry = only_digits_shipped(folder)  # the dog tab's model is one to download
    models = json.loads(registry.read_text(encoding="utf-8"))["models"]
    for model in models:
        for f in model["files"].values():
            if f.get("url"):
                f["url"] = base_url + f["name"]
    (folder / "empty").mkdir(exist_ok=True)
    env = {
        **isolated_env(folder),
        "VISION_AGENT_REGISTRY": str(write_registry(folder / "registry.json", models)),
        "VISION_AGENT_MODEL_PATH": str(folder / "empty"),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", CLICK_DOWNLOAD],
        env=x.env(**env),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready, _, _ = select.select([process.stdout], [], [], 60)
    if not ready:
        process.kill()
    line = process.stdout.readline().strip()
    if line != "downloading":
        process.kill()
        raise RuntimeError(f"the download did not start: {process.stderr.read()[-2000:]}")
    return process


def launch_app(x: XSession, *args: str, **env: str) -> subprocess.Popen:
    """`python -m vision_agent ARGS` on the session's display, with its own settings folders."""
    return subprocess.Popen(
        [sys.executable, "-m", "vision_agent", *args],
        env=x.env(**env),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def close_after(
    x: XSession, process: subprocess.Popen, delay: float, method: str, exit_limit: float
) -> tuple[float | None, float]:
    """Close the app's window `delay` s after launch (or as soon as it maps, if later).

    Returns (seconds from the close to the process's exit, or None if it had not exited after
    `exit_limit` s — it is then killed; seconds from launch to the close).
    """
    launched = time.monotonic()
    time.sleep(delay)
    window = None
    while window is None:
        if process.poll() is not None or time.monotonic() - launched > 60:
            raise RuntimeError(
                f"the window never appeared (exit code {process.poll()}): "
                f"{process.stderr.read()[-2000:]!r}"
            )
        window = x.main_window(process.pid)
    closed = time.monotonic()
    x.close_window(window, method)
    try:
        process.wait(exit_limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None, closed - launched
    return time.monotonic() - closed, closed - launched


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
# A window may vanish between finding it and using it: Xlib's default handler would exit().
_ignore_x_errors = _ERROR_HANDLER(lambda _display, _event: 0)


def _xlib() -> ctypes.CDLL:
    xlib = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11"))
    xlib.XSetErrorHandler.argtypes = (_ERROR_HANDLER,)
    xlib.XSetErrorHandler.restype = ctypes.c_void_p
    xlib.XSetErrorHandler(_ignore_x_errors)
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
    xlib.XSendEvent.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_XEvent),
    )
    xlib.XGetWindowProperty.argtypes = (
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_ulong,
        ctypes.c_long,
        ctypes.c_long,
        ctypes.c_int,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
    )
    xlib.XFree.argtypes = (ctypes.c_void_p,)
    xlib.XFlush.argtypes = (ctypes.c_void_p,)
    xlib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
    return xlib


@contextlib.contextmanager
def _open_display(name: str):
    xlib = _xlib()
    display = xlib.XOpenDisplay(name.encode())
    if not display:
        raise RuntimeError(f"cannot open display {name}")
    try:
        yield xlib, display
    finally:
        xlib.XCloseDisplay(display)


def _is_splash(display_name: str, window: int) -> bool:
    """Whether the window's _NET_WM_WINDOW_TYPE lists _NET_WM_WINDOW_TYPE_SPLASH."""
    with _open_display(display_name) as (xlib, display):
        prop = xlib.XInternAtom(display, b"_NET_WM_WINDOW_TYPE", 0)
        splash = xlib.XInternAtom(display, b"_NET_WM_WINDOW_TYPE_SPLASH", 0)
        kind, fmt = ctypes.c_ulong(), ctypes.c_int()
        count, after = ctypes.c_ulong(), ctypes.c_ulong()
        data = ctypes.POINTER(ctypes.c_ulong)()
        status = xlib.XGetWindowProperty(
            display, window, prop, 0, 16, 0, 4, kind, fmt, count, after, ctypes.byref(data)
        )  # 4: XA_ATOM
        if status != 0 or not data:
            return False
        try:
            return any(data[i] == splash for i in range(count.value))
        finally:
            xlib.XFree(data)


class _ClientMessage(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    )


class _XEvent(ctypes.Union):
    _fields_ = (("client", _ClientMessage), ("pad", ctypes.c_long * 24))


def _send_wm_delete(display_name: str, window: int) -> None:
    """What a window manager sends when the user clicks a window's close button."""
    with _open_display(display_name) as (xlib, display):
        event = _XEvent()
        event.client.type = 33  # ClientMessage
        event.client.display = display
        event.client.window = window
        event.client.message_type = xlib.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.client.format = 32
        event.client.data[0] = xlib.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        event.client.data[1] = 0  # CurrentTime
        xlib.XSendEvent(display, window, 0, 0, ctypes.byref(event))
        xlib.XFlush(display)
