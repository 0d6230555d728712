"""Answering a QMessageBox question the way a user clicks one of its buttons."""

from __future__ import annotations

from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication, QMessageBox


def answer_the_question(qtbot, button: QMessageBox.StandardButton, asked: list) -> None:
    """Click `button` on the next question box that opens; its text is appended to `asked`."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(50, answer)

    QTimer.singleShot(50, answer)
