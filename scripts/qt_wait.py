"""Waiting for the window in the screenshot scripts: Qt's events handled meanwhile."""

from __future__ import annotations

import time
from collections.abc import Callable

from PyQt5.QtWidgets import QApplication


def wait_until(app: QApplication, condition: Callable[[], bool], seconds: float = 90) -> None:
    """Handle events until `condition()` holds; TimeoutError after `seconds`."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the tab did not get there in time")
        app.processEvents()
        time.sleep(0.05)
