"""Qt's own texts in the UI's language: the file dialogs ("Look in:", "File name:", "Open",
"Cancel"), the standard message-box buttons and the context menus of text fields come from Qt's
catalogue (`qtbase_ko.qm`, shipped with PyQt5), not from the app's."""

from __future__ import annotations

from PyQt5.QtCore import QCoreApplication, QLibraryInfo, QTranslator

_installed: list[QTranslator] = []


def use_qt_translations(language: str) -> bool:
    """Install Qt's catalogue for `language` (none for English) in place of the previous one;
    False when this Qt has no catalogue for it (Qt's texts then stay English)."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.location(QLibraryInfo.TranslationsPath)
    if not translator.load(f"qtbase_{language}", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
