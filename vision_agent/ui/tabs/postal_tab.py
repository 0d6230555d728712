"""The postal-code tab (우편번호 인식기): draw five digits with the mouse, read the code. The
view lays out and renders; `controllers.postal.PostalController` owns the digit model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import Qt, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QHBoxLayout, QMenu, QVBoxLayout, QWidget

from vision_agent.controllers.postal import PostalController
from vision_agent.core.handwriting_profile import HandwritingProfile
from vision_agent.core.postal import SHIPPED_MODEL, PostalReading
from vision_agent.core.predictors import MODEL_FILE_FILTER
from vision_agent.i18n import tr
from vision_agent.ui.dialogs.drawing_files import ask_drawing_path, read_drawing, save_drawing
from vision_agent.ui.settings import ask_open_path
from vision_agent.ui.shortcuts import add_shortcuts
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions
from vision_agent.ui.widgets.digit_chart import DIGITS, DigitChart
from vision_agent.ui.widgets.drawing_canvas import DrawingCanvas
from vision_agent.ui.widgets.inputs_strip import InputsStrip
from vision_agent.ui.widgets.inside_network_panel import InsideNetworkPanel
from vision_agent.ui.widgets.model_status import ModelStatusView
from vision_agent.ui.widgets.postal_controls import PostalControls
from vision_agent.ui.widgets.postal_readout import PostalReadout
from vision_agent.ui.widgets.profile_panel import ProfilePanel, shown_name


class PostalTab(VisionTab):
    """Canvas, buttons, per-box readings, the code with its region, and a probability chart.

    Signals:
        sig_recognized(object): a PostalReading of the drawing on the canvas.
    """

    sig_recognized = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None, model_path: Path | None = None) -> None:
        super().__init__(parent)
        self.controller = PostalController(model_path, self)
        self.controller.sig_recognized.connect(self.on_recognized)
        self.controller.sig_recognition_failed.connect(self.on_recognition_failed)
        self._kept_drawing: np.ndarray | None = None  # as last saved or opened
        self._build_ui()
        self.controller.sig_explained.connect(self.network_panel.set_explanation)
        self.controller.sig_explain_failed.connect(self.network_panel.show_problem)
        add_shortcuts(
            self,
            (
                ("R", "Recognize the drawing", self.recognize),
                ("E", "Erase the drawing", self.erase),
                ("S", "Show or hide the model's 28×28 inputs", self.controls.inputs_button.toggle),
                ("N", "Show or hide inside the network", self.controls.network_button.toggle),
                ("Q", "Quit", self.sig_quit_requested.emit),
                (QKeySequence.Undo, "Undo the last change", self.undo),
                ("Ctrl+Shift+Z", "Redo what was undone", self.redo),
                ("Ctrl+Y", "Redo what was undone", self.redo),
            ),
        )
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.canvas = DrawingCanvas(self)
        self.canvas.setFocusPolicy(Qt.StrongFocus)
        self.canvas.sig_stroke_finished.connect(self._after_edit)
        self.canvas.sig_changed.connect(self._on_drawing_changed)
        self.controls = c = PostalControls(self.canvas.pen_width, self)
        for button, action in (
            (c.recognize_button, self.recognize),
            (c.erase_button, self.erase),
            (c.undo_button, self.undo),
            (c.redo_button, self.redo),
        ):
            button.clicked.connect(action)
        c.inputs_button.toggled.connect(self.show_inputs)
        c.network_button.toggled.connect(self.show_network_panel)
        c.pen_spin.valueChanged.connect(self.canvas.set_pen_width)
        self.readout = PostalReadout(self.canvas.width(), self)
        self.readout.sig_box_chosen.connect(self.select_box)
        self.readout.sig_corrected.connect(self._on_corrected)
        self.profile_panel = ProfilePanel(self)
        self.profile_panel.sig_profile_changed.connect(self.on_profile_changed)
        self.profile_panel.sig_code_taught.connect(self.teach_code)
        self.profile_panel.sig_message.connect(self.say_status)
        self.inputs_strip = InputsStrip(self)
        self.inputs_strip.setVisible(False)
        self.model_status = ModelStatusView(self)
        self.model_status.panel.sig_dismissed.connect(self.controller.slot.dismiss)
        self.controller.slot.sig_status.connect(self.model_status.show_status)
        self.chart = DigitChart(self)
        self.network_panel = InsideNetworkPanel([*DIGITS, "✗"], self)  # 11th: "not a digit"
        self.network_panel.setVisible(False)

        left = QVBoxLayout()
        for widget in (c, self.canvas, self.readout, self.profile_panel, self.inputs_strip):
            left.addWidget(widget)
        left.addWidget(self.model_status)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.network_panel)
        self._on_drawing_changed()

    def title(self) -> str:
        return tr("Postal code")

    def retranslate_ui(self) -> None:
        self.canvas.setToolTip(tr("Write one digit in each box with the left mouse button."))
        parts = (self.controls, self.readout, self.chart, self.inputs_strip)
        for part in (*parts, self.profile_panel, self.network_panel, self.model_status):
            part.retranslate_ui()
        self.repeat_status()

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open drawing…"), QKeySequence.Open, self.open_drawing),
                (tr("Save drawing…"), QKeySequence.Save, self.save_drawing),
                (tr("Open digit model…"), None, self.choose_model),
                (tr("Use the shipped digit model"), None, self.use_shipped_model),
            ),
        )

    @property
    def reading(self) -> PostalReading | None:
        """The reading on screen."""
        return self.readout.reading

    # --- model --------------------------------------------------------------------------
    def start(self) -> None:
        self.canvas.setFocus()
        self.controller.load_model(self.controller.model_path)
        self.profile_panel.open_saved_choice()

    def use_shipped_model(self) -> None:
        self.controller.load_model(SHIPPED_MODEL)

    def choose_model(self) -> None:
        path = ask_open_path(self, tr("Open digit model"), "models", MODEL_FILE_FILTER)
        if path:
            self.controller.load_model(path)

    # --- handwriting profile ------------------------------------------------------------
    def on_profile_changed(self, profile: HandwritingProfile) -> None:
        self.controller.use_profile(profile)
        if self.reading is not None:
            self.recognize()

    def teach_code(self, code: str) -> None:
        """'That was: 48058': every box holding ink learns its digit ('?' skips a box)."""
        labels = self.controller.code_labels(code)
        if self.reading is None:
            self.say_status(lambda: tr("Recognize a drawing first, then say what it was."))
        elif labels is None:
            self.say_status(
                lambda: tr("Type five characters, each a digit or '?' (skip that box).")
            )
        else:
            self.teach_boxes(labels)
            self.profile_panel.clear_code()

    def _on_corrected(self, box: int, label: int) -> None:
        self.teach_boxes({box: label})

    def teach_boxes(self, labels: dict[int, int]) -> None:
        """Store these boxes' model inputs with their right labels, then read again."""
        inputs = self.controller.teach(labels)
        if inputs is None:
            return
        self.profile_panel.teach(inputs, [labels[i] for i in sorted(labels)])
        n, name = len(labels), shown_name(self.profile_panel.profile.name)
        self.say_status(
            lambda: tr("Taught {n} samples to profile '{name}'.").format(n=n, name=name)
        )
        self.recognize()

    # --- drawing ------------------------------------------------------------------------
    def recognize(self) -> None:
        if not self.canvas.has_ink():
            self._forget_drawing()
            return
        self.controller.recognize(self.canvas.drawing_gray())
        if not self.controller.slot.is_ready():
            self.say_status(lambda: tr("Waiting for the digit model to load…"))

    def erase(self) -> None:
        self.canvas.clear()
        self._after_edit()

    def undo(self) -> None:
        if self.canvas.undo():
            self._after_edit()

    def redo(self) -> None:
        if self.canvas.redo():
            self._after_edit()

    def _after_edit(self) -> None:
        """A stroke, undo, redo or erase: read the drawing again, or say that it changed."""
        if not self.canvas.has_ink():
            self._forget_drawing()
        elif self.controls.live_check.isChecked():
            self.recognize()
        else:
            self.say_status(lambda: tr("The drawing changed: press R to read it."))

    def _forget_drawing(self) -> None:
        self.controller.forget_drawing()
        self.network_panel.clear()
        self.readout.show_reading(None)
        self.chart.show_box(None, self.readout.checked_box())
        self.say_status(lambda: tr("Draw digits in the boxes first."))

    def _on_drawing_changed(self) -> None:
        self.controls.enable(self.canvas.has_ink(), self.canvas.can_undo(), self.canvas.can_redo())
        if self.inputs_strip.isVisible():
            self.inputs_strip.show_drawing(self.canvas.drawing_gray())

    def select_box(self, index: int) -> None:
        self.canvas.select_box(index)
        self.chart.show_box(self.reading, index)
        self.controller.choose_box(index)

    def show_network_panel(self, visible: bool) -> None:
        self.network_panel.setVisible(visible)
        self.controller.look_inside(visible)

    def show_inputs(self, visible: bool) -> None:
        self.inputs_strip.setVisible(visible)
        self._on_drawing_changed()

    def open_drawing(self) -> None:
        path = ask_drawing_path(self)
        if path:
            self.load_drawing(path)

    def load_drawing(self, path: Path) -> bool:
        gray = read_drawing(self, path)
        if gray is None:
            return False
        self.canvas.set_drawing(gray)
        self._kept_drawing = self.canvas.drawing_gray()
        self.say_status(lambda: tr("Opened {name}").format(name=path.name))
        self.recognize()
        return True

    def save_drawing(self) -> None:
        drawing = self.canvas.drawing_gray()
        path = save_drawing(self, drawing)
        if path is not None:
            self._kept_drawing = drawing
            self.say_status(lambda: tr("Saved {name}").format(name=path.name))

    def unsaved_work(self) -> str | None:
        kept = self._kept_drawing
        if not self.canvas.has_ink() or (
            kept is not None and (kept == self.canvas.drawing_gray()).all()
        ):
            return None
        return tr("The drawing on the canvas is not saved.")

    # --- results ------------------------------------------------------------------------
    @pyqtSlot(object)
    def on_recognized(self, reading: PostalReading) -> None:
        self.readout.show_reading(reading)
        if self.readout.checked_box() < 0:
            index = self.readout.choose_least_confident()
            if index is not None:
                self.canvas.select_box(index)
                self.controller.choose_box(index)
        self.chart.show_box(reading, self.readout.checked_box())
        code, ms = reading.marked_code, reading.latency_ms  # as the code line shows it
        # the ink warning stands under the code (readout), not again in the status bar
        self.say_status(lambda: tr("Recognized {code} in {ms:.1f} ms").format(code=code, ms=ms))
        self.sig_recognized.emit(reading)

    @pyqtSlot(str)
    def on_recognition_failed(self, message: str) -> None:
        self.say_status(lambda: tr("Recognition failed: {message}").format(message=message))

    def shutdown(self) -> None:
        self.profile_panel.wait_for_saves()
        self.controller.shutdown()
