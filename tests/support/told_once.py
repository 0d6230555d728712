"""Where a tab tells something: its visible labels and the window's status bar.

A problem is told in one place, beside what it is about; the status bar then says the state
("Stopped.", "No result for …"), not the reason again."""

from __future__ import annotations

from PyQt5.QtWidgets import QLabel, QWidget


def places_saying(tab: QWidget, words: str, status_bar: list[str]) -> list[str]:
    """The class of every visible label of `tab` that says `words`, then "status bar" for each
    status-bar message (recorded in `status_bar`) that says them."""
    labels = [label for label in tab.findChildren(QLabel) if label.isVisible()]
    said = [type(label).__name__ for label in labels if words in label.text()]
    return said + ["status bar" for message in status_bar if words in message]


def record_status_bar(tab) -> list[str]:
    """Every line the tab sends to the window's status bar from now on."""
    messages: list[str] = []
    tab.sig_status_message.connect(messages.append)
    return messages
