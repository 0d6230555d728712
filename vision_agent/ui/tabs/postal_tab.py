"""The postal-code tab (우편번호 인식기): draw five digits with the mouse, read the code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import QPoint, Qt, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QFont, QKeySequence, QPixmap
from PyQt5.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.digit_status import DigitStatus
from vision_agent.core.errors import UserError
from vision_agent.core.handwriting_profile import NOT_A_DIGIT_LABEL, HandwritingProfile
from vision_agent.core.imageio import write_image
from vision_agent.core.postal import (
    BOX_COUNT,
    BOX_LEFT,
    BOX_SIZE,
    SHIPPED_MODEL,
    DigitReading,
    PostalReading,
    read_canvas,
)
from vision_agent.core.predictors import MODEL_FILE_FILTER
from vision_agent.engine.recipes import digit_model_spec
from vision_agent.i18n import language, tr
from vision_agent.services.model_service import ModelService, ModelState, Reply
from vision_agent.ui.qimage import gray_to_qimage
from vision_agent.ui.settings import ask_open_path, ask_save_path, remember_folder
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions, add_shortcuts
from vision_agent.ui.widgets.drawing_canvas import DrawingCanvas
from vision_agent.ui.widgets.inside_network_panel import InsideNetworkPanel
from vision_agent.ui.widgets.probability_bars import ProbabilityBars
from vision_agent.ui.widgets.profile_panel import ProfilePanel

INPUT_PREVIEW_SCALE = 3
STATUS_COLORS = {
    DigitStatus.OK: "#000000",
    DigitStatus.UNSURE: "#c05000",
    DigitStatus.BLANK: "#999999",
    DigitStatus.NOT_DIGIT: "#b00020",
}


class PostalTab(VisionTab):
    """Canvas, buttons, per-box readings, the code with its region, and a probability chart.

    Signals:
        sig_recognized(object): a PostalReading of the drawing on the canvas.
    """

    sig_recognized = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None, model_path: Path | None = None) -> None:
        super().__init__(parent)
        self.service = ModelService("postal", self)
        self.service.sig_state_changed.connect(self.on_model_state_changed)
        self.model_path = model_path or SHIPPED_MODEL
        self._fallback_model: Path | None = None
        self._pending_request: Reply | None = None
        self.reading: PostalReading | None = None
        self._build_ui()
        self._install_shortcuts()
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.canvas = DrawingCanvas(self)
        self.canvas.setFocusPolicy(Qt.StrongFocus)
        self.canvas.sig_stroke_finished.connect(self.on_stroke_finished)
        self.canvas.sig_changed.connect(self._update_buttons)

        self.recognize_button = QPushButton(self)
        self.recognize_button.clicked.connect(self.recognize)
        self.erase_button = QPushButton(self)
        self.erase_button.clicked.connect(self.erase)
        self.undo_button = QPushButton(self)
        self.undo_button.clicked.connect(self.undo)
        self.inputs_button = QPushButton(self)
        self.inputs_button.setCheckable(True)
        self.inputs_button.toggled.connect(self.show_inputs)
        self.live_check = QCheckBox(self)
        self.live_check.setChecked(True)
        self.network_button = QPushButton(self)
        self.network_button.setCheckable(True)
        self.network_button.toggled.connect(self.show_network_panel)
        self.pen_label = QLabel(self)
        self.pen_spin = QSpinBox(self)
        self.pen_spin.setRange(2, 30)
        self.pen_spin.setValue(self.canvas.pen_width)
        self.pen_spin.valueChanged.connect(self._set_pen_width)

        buttons = QHBoxLayout()
        for widget in (
            self.recognize_button,
            self.erase_button,
            self.undo_button,
            self.inputs_button,
            self.network_button,
        ):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        drawing_options = QHBoxLayout()  # a row of its own: the chart keeps its width
        drawing_options.addWidget(self.live_check)
        drawing_options.addStretch(1)
        drawing_options.addWidget(self.pen_label)
        drawing_options.addWidget(self.pen_spin)

        self.box_buttons = QButtonGroup(self)
        self.box_buttons.setExclusive(True)
        readout = QWidget(self)
        readout.setFixedWidth(self.canvas.width())
        readout.setFixedHeight(56)
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        for i in range(BOX_COUNT):
            button = QToolButton(readout)
            button.setCheckable(True)
            button.setFont(font)
            button.setToolButtonStyle(Qt.ToolButtonTextOnly)
            button.setGeometry(BOX_LEFT + BOX_SIZE * i + 4, 2, BOX_SIZE - 8, 52)
            self.box_buttons.addButton(button, i)
        self.box_buttons.idClicked.connect(self.on_box_clicked)
        self.correction_menu = QMenu(self)
        self.correction_menu.triggered.connect(self.on_correction_chosen)
        self._correcting: int | None = None
        self.profile_panel = ProfilePanel(self)
        self.profile_panel.sig_profile_changed.connect(self.on_profile_changed)
        self.profile_panel.sig_code_taught.connect(self.teach_code)
        self.profile_panel.sig_message.connect(self.sig_status_message)

        self.code_label = QLabel(self)
        code_font = QFont()
        code_font.setPointSize(18)
        code_font.setBold(True)
        self.code_label.setFont(code_font)
        self.code_label.setTextFormat(Qt.RichText)
        self.code_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.region_label = QLabel(self)
        self.model_label = QLabel(self)
        self.model_label.setStyleSheet("color: #555;")

        self.inputs_panel = QWidget(self)
        inputs_layout = QHBoxLayout(self.inputs_panel)
        inputs_layout.setContentsMargins(0, 0, 0, 0)
        self.inputs_caption = QLabel(self.inputs_panel)
        inputs_layout.addWidget(self.inputs_caption)
        self.input_views: list[QLabel] = []
        for _ in range(BOX_COUNT):
            view = QLabel(self.inputs_panel)
            view.setFixedSize(28 * INPUT_PREVIEW_SCALE, 28 * INPUT_PREVIEW_SCALE)
            view.setStyleSheet("background: black; border: 1px solid #888;")
            inputs_layout.addWidget(view)
            self.input_views.append(view)
        inputs_layout.addStretch(1)
        self.inputs_panel.setVisible(False)

        self.chart = ProbabilityBars(parent=self)
        self.chart.setMinimumHeight(170)
        self.chart.setMinimumWidth(260)  # readable beside the "Inside the network" panel

        left = QVBoxLayout()
        left.addLayout(buttons)
        left.addLayout(drawing_options)
        left.addWidget(self.canvas)
        left.addWidget(readout)
        left.addWidget(self.code_label)
        left.addWidget(self.region_label)
        left.addWidget(self.profile_panel)
        left.addWidget(self.inputs_panel)
        left.addWidget(self.model_label)
        left.addStretch(1)
        output_names = [*(str(d) for d in range(10)), "✗"]  # 11th: "not a digit"
        self.network_panel = InsideNetworkPanel(self.service, output_names, self)
        self.network_panel.setVisible(False)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.network_panel)
        self._update_buttons()

    def _install_shortcuts(self) -> None:
        self._shortcuts = add_shortcuts(
            self,
            (
                ("R", "Recognize the drawing", self.recognize),
                ("E", "Erase the drawing", self.erase),
                ("S", "Show or hide the model's 28×28 inputs", self.inputs_button.toggle),
                ("N", "Show or hide inside the network", self.network_button.toggle),
                ("Q", "Quit", self.sig_quit_requested.emit),
                (QKeySequence.Undo, "Undo the last stroke", self.undo),
            ),
        )

    def title(self) -> str:
        return tr("Postal code")

    def retranslate_ui(self) -> None:
        self.recognize_button.setText(tr("Recognize") + " (R)")
        self.erase_button.setText(tr("Erase") + " (E)")
        self.undo_button.setText(tr("Undo") + " (Ctrl+Z)")
        self.inputs_button.setText(tr("Model inputs") + " (S)")
        self.live_check.setText(tr("Recognize as I draw"))
        self.network_button.setText(tr("Inside the network") + " (N)")
        self.network_panel.retranslate_ui()
        self.pen_label.setText(tr("Pen width"))
        self.inputs_caption.setText(tr("28×28 inputs:"))
        self.canvas.setToolTip(tr("Write one digit in each box with the left mouse button."))
        self.profile_panel.retranslate_ui()
        self.correction_menu.clear()
        self.correction_menu.addSection(tr("It was:"))
        for label in range(NOT_A_DIGIT_LABEL + 1):
            text = str(label) if label < NOT_A_DIGIT_LABEL else tr("Not a digit")
            self.correction_menu.addAction(text).setData(label)
        self._show_model_state()
        self._show_reading()

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

    # --- model --------------------------------------------------------------------------
    def start(self) -> None:
        self.canvas.setFocus()
        self.load_model(self.model_path)
        self.profile_panel.open_saved_choice()

    def load_model(self, path: Path) -> None:
        if self.service.state == "ready":
            self._fallback_model = self.model_path
        self.model_path = Path(path)
        self.service.load(digit_model_spec(self.model_path))
        self._send_profile(self.profile_panel.profile)
        self._show_model_state()

    # --- handwriting profile ------------------------------------------------------------
    def _send_profile(self, profile: HandwritingProfile) -> None:
        self.service.call("use_profile", profile.float_inputs(), profile.labels.astype(int))

    @pyqtSlot(object)
    def on_profile_changed(self, profile: HandwritingProfile) -> None:
        self._send_profile(profile)
        if self.reading is not None:
            self.recognize()

    def on_box_clicked(self, index: int) -> None:
        self.select_box(index)
        reading = self.reading
        if reading is None or reading.digits[index].status is DigitStatus.BLANK:
            return
        self._correcting = index
        button = self.box_buttons.button(index)
        self.correction_menu.popup(button.mapToGlobal(QPoint(0, button.height())))

    def on_correction_chosen(self, action) -> None:
        if self._correcting is not None and action.data() is not None:
            self.teach_boxes({self._correcting: int(action.data())})
        self._correcting = None

    def teach_code(self, code: str) -> None:
        """'That was: 48058': every box holding ink learns its digit ('?' skips a box)."""
        reading = self.reading
        if reading is None:
            self.sig_status_message.emit(tr("Recognize a drawing first, then say what it was."))
            return
        if len(code) != BOX_COUNT or any(c not in "0123456789?" for c in code):
            self.sig_status_message.emit(
                tr("Type five characters, each a digit or '?' (skip that box).")
            )
            return
        labels = {
            i: int(c)
            for i, c in enumerate(code)
            if c != "?" and reading.digits[i].status is not DigitStatus.BLANK
        }
        self.teach_boxes(labels)
        self.profile_panel.clear_code()

    def teach_boxes(self, labels: dict[int, int]) -> None:
        """Store these boxes' model inputs with their right labels, then read again."""
        if self.reading is None or not labels:
            return
        boxes = sorted(labels)
        inputs = self.reading.inputs[boxes]
        self.profile_panel.teach(inputs, [labels[i] for i in boxes])
        self.service.call("teach", inputs[..., None], np.array([labels[i] for i in boxes]))
        self.sig_status_message.emit(
            tr("Taught {n} samples to profile '{name}'.").format(
                n=len(boxes), name=self.profile_panel.profile.name
            )
        )
        self.recognize()

    def use_shipped_model(self) -> None:
        self.load_model(SHIPPED_MODEL)

    def choose_model(self) -> None:
        path = ask_open_path(self, tr("Open digit model"), "models", MODEL_FILE_FILTER)
        if path:
            self.load_model(path)

    @pyqtSlot(str, str)
    def on_model_state_changed(self, state: str, detail: str) -> None:
        self._show_model_state(detail)
        if state in (ModelState.FAILED, ModelState.MISSING):
            self._refuse_model(detail)
        if state == "ready" and self._pending_request is None and self.canvas.has_ink():
            self.recognize()

    def _show_model_state(self, detail: str = "") -> None:
        state, name = self.service.state, self.model_path.name
        if state == "ready":
            text = tr("Digit model: {name}").format(name=name)
        elif state == "failed":
            text = tr("Digit model {name} could not be loaded.").format(name=name)
        elif state == "loading":
            text = tr("Loading digit model {name}…").format(name=name)
        else:
            text = ""
        self.model_label.setText(text)
        if text:
            self.sig_status_message.emit(text)

    # --- actions ------------------------------------------------------------------------
    def recognize(self) -> None:
        if not self.canvas.has_ink():
            self._discard_pending()
            self.reading = None
            self._show_reading()
            self.sig_status_message.emit(tr("Draw digits in the boxes first."))
            return
        drawing = self.canvas.drawing_gray()
        self._pending_request = self.service.call("recognize", drawing, latest=True).then(
            self.on_result, self.on_error
        )
        self._follow_in_panel(drawing)
        if self.service.state != "ready":
            self.sig_status_message.emit(tr("Waiting for the digit model to load…"))

    def on_stroke_finished(self) -> None:
        if self.live_check.isChecked():
            self.recognize()
        if self.inputs_panel.isVisible():
            self._refresh_inputs_preview()

    def erase(self) -> None:
        self.canvas.clear()
        self.network_panel.clear()
        self._discard_pending()
        self.reading = None
        self._show_reading()
        self._refresh_inputs_preview()

    def undo(self) -> None:
        if self.canvas.undo():
            if self.live_check.isChecked() and self.canvas.has_ink():
                self.recognize()
            elif not self.canvas.has_ink():
                self.reading = None
                self.network_panel.clear()
                self._show_reading()
            self._refresh_inputs_preview()

    def _set_pen_width(self, width: int) -> None:
        self.canvas.pen_width = width

    def select_box(self, index: int) -> None:
        self.canvas.select_box(index)
        self._show_chart()
        self._follow_in_panel()

    def show_network_panel(self, visible: bool) -> None:
        self.network_panel.setVisible(visible)
        if visible:
            self._follow_in_panel()

    def _follow_in_panel(self, drawing: np.ndarray | None = None) -> None:
        """Let the panel look inside the selected box (it does nothing while it is off)."""
        if self.network_panel.isHidden() or not self.canvas.has_ink():
            return
        drawing = self.canvas.drawing_gray() if drawing is None else drawing
        self.network_panel.follow(drawing, self.box_buttons.checkedId())

    def show_inputs(self, visible: bool) -> None:
        self.inputs_panel.setVisible(visible)
        if visible:
            self._refresh_inputs_preview()

    def _refresh_inputs_preview(self) -> None:
        from vision_agent.core.postal import canvas_inputs

        inputs, _ = canvas_inputs(self.canvas.drawing_gray())
        size = 28 * INPUT_PREVIEW_SCALE
        for view, digit in zip(self.input_views, inputs, strict=True):
            gray = (digit * 255).astype(np.uint8)
            pixmap = QPixmap.fromImage(gray_to_qimage(gray)).scaled(size, size)
            view.setPixmap(pixmap)

    def open_drawing(self) -> None:
        file_filter = tr("Images") + " (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)"
        path = ask_open_path(self, tr("Open drawing"), "drawings", file_filter)
        if path:
            self.load_drawing(path)

    def load_drawing(self, path: Path) -> bool:
        try:
            gray = read_canvas(path)
        except UserError as exc:
            QMessageBox.warning(self, tr("Cannot open drawing"), str(exc))
            return False
        remember_folder("drawings", str(path))
        self.canvas.set_drawing(gray)
        self.sig_status_message.emit(tr("Opened {name}").format(name=path.name))
        self.recognize()
        return True

    def save_drawing(self) -> None:
        path = ask_save_path(self, tr("Save drawing"), "drawings", "postal_code.png", "PNG (*.png)")
        if path is None:
            return
        if path.suffix.lower() != ".png":
            path = path.with_name(path.name + ".png")
        try:
            write_image(path, self.canvas.drawing_gray())
        except UserError as exc:
            QMessageBox.warning(self, tr("Cannot save drawing"), str(exc))
            return
        remember_folder("drawings", path)
        self.sig_status_message.emit(tr("Saved {name}").format(name=Path(path).name))

    # --- results ------------------------------------------------------------------------
    def _discard_pending(self) -> None:
        if self._pending_request is not None:
            self._pending_request.discard()
            self._pending_request = None

    @pyqtSlot(object)
    def on_result(self, reading: PostalReading) -> None:
        self._pending_request = None
        self.sig_recognized.emit(reading)
        self.reading = reading
        if self.box_buttons.checkedId() < 0:
            self._select_least_confident(reading)
            self._follow_in_panel()
        self._show_reading()
        self.sig_status_message.emit(
            tr("Recognized {code} in {ms:.1f} ms").format(code=reading.code, ms=reading.latency_ms)
        )

    def _refuse_model(self, message: str) -> None:
        QMessageBox.warning(self, tr("Digit model refused"), message)
        fallback, self._fallback_model = self._fallback_model, None
        if fallback is not None:
            self.load_model(fallback)

    @pyqtSlot(str)
    def on_error(self, message: str) -> None:
        self._pending_request = None
        self.sig_status_message.emit(tr("Recognition failed: {message}").format(message=message))

    def _select_least_confident(self, reading: PostalReading) -> None:
        filled = [(d.confidence, i) for i, d in enumerate(reading.digits) if d.digit is not None]
        if filled:
            index = min(filled)[1]
            self.box_buttons.button(index).setChecked(True)
            self.canvas.select_box(index)

    def _show_reading(self) -> None:
        reading = self.reading
        for i in range(BOX_COUNT):
            button = self.box_buttons.button(i)
            if reading is None:
                button.setText("")
                button.setStyleSheet("")
                continue
            digit = reading.digits[i]
            text, tip = self._box_texts(digit)
            button.setText(text)
            button.setToolTip(tip)
            button.setStyleSheet(f"color: {STATUS_COLORS[digit.status]};")
        if reading is None:
            self.code_label.setText(tr("Postal code: -----"))
            self.region_label.setText("")
        else:
            marked = "".join(
                mark
                if d.status is DigitStatus.OK
                else f'<span style="color:{STATUS_COLORS[d.status]}">{mark}</span>'
                for d, mark in zip(reading.digits, reading.marked_code, strict=True)
            )
            self.code_label.setText(tr("Postal code: {code}").format(code=marked))
            self.region_label.setText(self._region_text(reading))
        self._show_chart()

    @staticmethod
    def _box_texts(digit: DigitReading) -> tuple[str, str]:
        """The text under a box and its tooltip, by the reading's status."""
        if digit.status is DigitStatus.BLANK:
            return tr("blank"), ""
        if digit.status is DigitStatus.NOT_DIGIT:
            return tr("no digit") + f"\n{digit.confidence:.0%}", tr(
                "This does not look like a digit: erase it and write it again."
            )
        if digit.status is DigitStatus.UNSURE:
            (first, p1), (second, p2) = digit.alternatives
            text = tr("{a} or {b}?").format(a=first, b=second) + f"\n{p1 * 100:.0f}/{p2:.0%}"
            tip = tr("Unsure: {a} ({pa:.0%}) or {b} ({pb:.0%}). Check this digit.").format(
                a=first, pa=p1, b=second, pb=p2
            )
            return text, tip
        if digit.by_profile:
            return f"{digit.digit} ✎\n{digit.confidence:.0%}", tr(
                "Read with your handwriting profile."
            )
        return f"{digit.digit}\n{digit.confidence:.0%}", ""

    def _region_text(self, reading: PostalReading) -> str:
        if any(d.status is DigitStatus.NOT_DIGIT for d in reading.digits):
            return tr("Some boxes hold no digit.")
        if "?" in reading.code:
            return tr("Some boxes are blank.")
        name = reading.region_name(language())
        if name is None:
            return tr(
                "{prefix} is not a region's prefix (reserved, or the five northern provinces)."
            ).format(prefix=reading.code[:2])
        return name

    def _show_chart(self) -> None:
        index = self.box_buttons.checkedId()
        reading = self.reading
        if reading is None or index < 0 or not reading.digits[index].probabilities:
            self.chart.set_bars(
                [str(d) for d in range(10)],
                [0.0] * 10,
                tr("Probabilities (click a digit under a box)"),
            )
            return
        title = tr("Box {n}: probabilities").format(n=index + 1)
        self.chart.set_bars([str(d) for d in range(10)], reading.digits[index].probabilities, title)

    def _update_buttons(self) -> None:
        has_ink = self.canvas.has_ink()
        self.undo_button.setEnabled(self.canvas.stroke_count() > 0)
        self.erase_button.setEnabled(has_ink)

    def shutdown(self) -> None:
        self.profile_panel.wait_for_saves()
        self.service.shutdown()
