"""The ImageNet top-5 tab: any photo in, five answers out, and where the network looked.

Photos are read in a reader thread, classified in the model's service (ResNet50 in a child
process, ONNX/Caffe models in the service thread), and every answer carries its request id:
a newer photo supersedes the one in flight, so results never lag behind what is on screen.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt5.QtCore import Qt, QTimer, pyqtSlot
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vision_agent.core.classify import MODEL_ALIASES, PHOTO_MAX_SIDE, Classification
from vision_agent.core.errors import UserError
from vision_agent.core.gradcam import heatmap_rgba, overlay_heatmap
from vision_agent.core.imageio import is_image_path, write_image
from vision_agent.core.photo_reader import PHOTO_READER_FACTORY
from vision_agent.core.predictors import KERAS_SUFFIXES, MODEL_FILE_FILTER
from vision_agent.engine.recipes import classifier_spec
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.services.model_service import ModelService, ModelState, Reply
from vision_agent.ui.qimage import qimage_to_rgb
from vision_agent.ui.settings import (
    CLASSIFIER_MODEL_KEY,
    app_settings,
    ask_open_path,
    ask_save_path,
    last_folder,
    remember_folder,
)
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions, add_shortcuts
from vision_agent.ui.widgets.image_view import IMAGE_FILE_FILTER, ImageView
from vision_agent.ui.widgets.layer_picker_panel import LayerPickerPanel
from vision_agent.ui.widgets.model_download_panel import ModelDownloadPanel
from vision_agent.ui.widgets.probability_bars import ProbabilityBars

TOP = 5
KERAS_MODELS = ("resnet50",)
# A new photo appears with its labels when they come quickly; when they take longer than this
# (a model still loading, a slow model), the photo is shown alone meanwhile. Not painting it
# twice also leaves both cores to the model while it runs.
PHOTO_ALONE_AFTER_MS = 150


def model_choices() -> list[tuple[str, str]]:
    """(key, caption) of the built-in models, in the order the combo box lists them."""
    return [
        ("resnet50", tr("ResNet50 (Keras)")),
        ("mobilenet_v2", tr("MobileNetV2 int8 (ONNX)")),
        ("googlenet", tr("GoogLeNet (Caffe)")),
    ]


class ClassifierTab(VisionTab):
    """Photo with its top-5 labels, a bar chart, Grad-CAM overlay, model choice, folder list."""

    def __init__(self, parent: QWidget | None = None, model: str = "resnet50") -> None:
        super().__init__(parent)
        self.service = ModelService("classifier", self)
        self.service.sig_state_changed.connect(self.on_model_state_changed)
        self.reader = ModelService("photo-reader", self)
        self.model = model  # a key of MODEL_ALIASES, or the path of a user's Keras file
        self.weights: Path | None = None
        self.photo: np.ndarray | None = None
        self.photo_name = ""
        self._pending_name = ""
        self.result: Classification | None = None
        self.heat: np.ndarray | None = None
        self._shown_photo: np.ndarray | None = None  # the photo the view holds now
        self._pending_read: Reply | None = None
        self._pending_classify: Reply | None = None
        self._pending_cam: Reply | None = None
        self._photo_alone_timer = QTimer(self)
        self._photo_alone_timer.setSingleShot(True)
        self._photo_alone_timer.timeout.connect(self._show_photo_alone)
        self._build_ui()
        self._install_shortcuts()
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.choose_photos)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(self.choose_folder)
        self.model_caption = QLabel(self)
        self.model_combo = QComboBox(self)
        self.model_combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.model_combo.activated.connect(self.on_model_chosen)
        self.own_model_button = QPushButton(self)
        self.own_model_button.clicked.connect(self.choose_model_file)
        self.cam_check = QCheckBox(self)
        self.cam_check.toggled.connect(self.on_gradcam_toggled)
        self.cam_class_combo = QComboBox(self)
        self.cam_class_combo.setMinimumContentsLength(12)
        self.cam_class_combo.activated.connect(self.on_cam_class_chosen)
        self.opacity_caption = QLabel(self)
        self.opacity_slider = QSlider(Qt.Horizontal, self)
        self.opacity_slider.setRange(0, 100)
        self.opacity_slider.setValue(50)
        self.opacity_slider.valueChanged.connect(self.on_opacity_changed)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.save_annotated)
        self.copy_button = QPushButton(self)
        self.copy_button.clicked.connect(self.copy_results)
        self.network_button = QPushButton(self)
        self.network_button.setCheckable(True)
        self.network_button.toggled.connect(self.show_network_panel)

        toolbar = QHBoxLayout()
        for widget in (
            self.open_button,
            self.folder_button,
            self.model_caption,
            self.model_combo,
            self.own_model_button,
        ):
            toolbar.addWidget(widget)
        toolbar.addStretch(1)
        toolbar.addWidget(self.network_button)

        self.file_list = QListWidget(self)
        self.file_list.setMinimumWidth(150)
        self.file_list.currentItemChanged.connect(self.on_file_selected)
        self.file_list.setVisible(False)
        self.view = ImageView(self)
        self.view.sig_files_dropped.connect(self.open_paths)
        self.chart = ProbabilityBars(horizontal=True, parent=self)
        self.chart.setMinimumWidth(300)
        results = QWidget(self)
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        cam_row = QHBoxLayout()
        cam_row.addWidget(self.cam_check)
        cam_row.addWidget(self.cam_class_combo, 1)
        opacity_row = QHBoxLayout()
        opacity_row.addWidget(self.opacity_caption)
        opacity_row.addWidget(self.opacity_slider, 1)
        results_layout.addLayout(cam_row)
        results_layout.addLayout(opacity_row)
        results_layout.addWidget(self.chart, 1)
        output_buttons = QHBoxLayout()
        output_buttons.addWidget(self.save_button)
        output_buttons.addWidget(self.copy_button)
        results_layout.addLayout(output_buttons)
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self.file_list)
        splitter.addWidget(self.view)
        splitter.addWidget(results)
        self.network_panel = LayerPickerPanel(self.service, self)
        self.network_panel.setVisible(False)
        splitter.addWidget(self.network_panel)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setStretchFactor(3, 2)

        self.model_label = QLabel(self)
        self.model_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.download_panel = ModelDownloadPanel(self)
        self.download_panel.sig_downloaded.connect(self.on_model_downloaded)
        self.download_panel.sig_use_another_model.connect(self.model_combo.showPopup)

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.download_panel)
        layout.addWidget(self.model_label)
        self._fill_model_combo()
        self._update_controls()

    def _install_shortcuts(self) -> None:
        self._shortcuts = add_shortcuts(self, ((QKeySequence.Paste, "Paste an image", self.paste),))

    def _fill_model_combo(self) -> None:
        self.model_combo.clear()
        for key, caption in model_choices():
            self.model_combo.addItem(caption, key)
        if self.model not in MODEL_ALIASES:
            self.model_combo.addItem(Path(self.model).name, self.model)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(self.model)))

    def title(self) -> str:
        return tr("ImageNet top-5")

    def retranslate_ui(self) -> None:
        self.open_button.setText(tr("Open photo…"))
        self.folder_button.setText(tr("Open folder…"))
        self.model_caption.setText(tr("Model:"))
        self.own_model_button.setText(tr("Own Keras model…"))
        self.cam_check.setText(tr("Grad-CAM"))
        self.cam_check.setToolTip(tr("Show where the network looked for the chosen class."))
        self.opacity_caption.setText(tr("Opacity"))
        self.save_button.setText(tr("Save image…"))
        self.copy_button.setText(tr("Copy results"))
        self.network_button.setText(tr("Inside the network"))
        self.network_panel.retranslate_ui()
        self.download_panel.retranslate_ui()
        self.view.set_placeholder(
            tr("Open a photo (Ctrl+O), drop photos or a folder here, or paste an image (Ctrl+V).")
        )
        self._fill_model_combo()
        self._show_model_state()
        self._show_chart()

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open photo…"), QKeySequence.Open, self.choose_photos),
                (tr("Open folder…"), None, self.choose_folder),
                (tr("Paste image"), None, self.paste),
                (tr("Save annotated image…"), QKeySequence.Save, self.save_annotated),
                (tr("Copy results"), None, self.copy_results),
                (tr("Open own Keras model…"), None, self.choose_model_file),
                (tr("Open weights for the chosen network…"), None, self.choose_weights_file),
            ),
        )

    # --- model --------------------------------------------------------------------------
    def start(self) -> None:
        self.load_model(self.model, self.weights)

    def load_model(self, model: str, weights: Path | None = None) -> None:
        """Load a built-in model (from the store, no download) or a user's file."""
        try:
            spec = classifier_spec(model, weights, download=False)
        except UserError as exc:
            QMessageBox.warning(self, tr("Cannot use this model"), str(exc))
            return
        self.model, self.weights = model, weights
        self._fill_model_combo()
        if not self.is_keras_model():
            self.cam_check.setChecked(False)
        self.result, self.heat = None, None
        self._discard_model_replies()
        self.download_panel.clear()
        self.service.load(spec)
        self.network_panel.model_changed()
        self._show_model_state()
        self._show_result()  # the photo without the previous model's labels
        if self.photo is not None:
            self.classify()

    @pyqtSlot(int)
    def on_model_chosen(self, index: int) -> None:
        key = self.model_combo.itemData(index)
        if key and key != self.model:
            self.load_model(key)
            if self.model == key:  # the dog tab uses the ImageNet classifier chosen here
                app_settings().setValue(CLASSIFIER_MODEL_KEY, key)

    def choose_model_file(self) -> None:
        title = tr("Open own Keras ImageNet classifier")
        path = ask_open_path(self, title, "models", "Keras (*.h5 *.hdf5 *.keras)")
        if path:
            self.load_model(str(path))

    def choose_weights_file(self) -> None:
        if self.model not in MODEL_ALIASES:
            QMessageBox.information(
                self, tr("Weights"), tr("Choose ResNet50, MobileNetV2 or GoogLeNet first.")
            )
            return
        path = ask_open_path(self, tr("Open weights"), "models", MODEL_FILE_FILTER)
        if path:
            self.load_model(self.model, path)

    def is_keras_model(self) -> bool:
        return self.model in KERAS_MODELS or Path(self.model).suffix.lower() in KERAS_SUFFIXES

    @pyqtSlot(str, str)
    def on_model_state_changed(self, state: str, detail: str) -> None:
        if state in (ModelState.FAILED, ModelState.MISSING):
            self._show_missing(detail)
        self._show_model_state()
        self._update_controls()

    def _discard_model_replies(self) -> None:
        for reply in (self._pending_classify, self._pending_cam):
            if reply is not None:
                reply.discard()
        self._pending_classify = self._pending_cam = None

    def _model_caption(self) -> str:
        index = self.model_combo.findData(self.model)
        caption = self.model_combo.itemText(index) if index >= 0 else Path(self.model).name
        return caption + (f" + {self.weights.name}" if self.weights else "")

    def _show_model_state(self) -> None:
        state, name = self.service.state, self._model_caption()
        if state == "ready":
            text = tr("Model: {name}").format(name=name)
            if self.result is not None:
                text += "  ·  " + tr("{ms:.1f} ms").format(ms=self.result.latency_ms)
        elif state == "failed":
            text = tr("Model {name} is not available.").format(name=name)
        elif state == "loading":
            text = tr("Loading {name}…").format(name=name)
            if self.is_keras_model():
                text += " " + tr("(starting TensorFlow takes a few seconds)")
        else:
            text = ""
        self.model_label.setText(text)

    @pyqtSlot(str)
    def on_model_downloaded(self, _model_id: str) -> None:
        self.load_model(self.model)

    def _show_missing(self, message: str) -> None:
        """Say why the model is unavailable; offer the download for built-in models."""
        from vision_agent.core.classify import resolve_model_id

        built_in = self.model in MODEL_ALIASES and self.weights is None
        self.download_panel.show_missing(
            resolve_model_id(self.model) if built_in else None, message
        )

    # --- opening photos -----------------------------------------------------------------
    def choose_photos(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, tr("Open photos"), last_folder("photos"), IMAGE_FILE_FILTER
        )
        if paths:
            remember_folder("photos", paths[0])
            self.open_paths([Path(p) for p in paths])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Open folder"), last_folder("photos"))
        if folder:
            remember_folder("photos", str(Path(folder) / "x"))
            self.open_paths([Path(folder)])

    @pyqtSlot(list)
    def open_paths(self, paths: list[Path]) -> None:
        """Files and folders: one file opens directly; several, or a folder, fill the list."""
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files += sorted(p for p in path.iterdir() if p.is_file() and is_image_path(p))
            else:
                files.append(path)
        if not files:
            self.sig_status_message.emit(tr("No photos there."))
            return
        self.file_list.blockSignals(True)
        self.file_list.clear()
        for path in files:
            item = QListWidgetItem(path.name)
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(str(path))
            self.file_list.addItem(item)
        self.file_list.blockSignals(False)
        self.file_list.setVisible(len(files) > 1)
        self.file_list.setCurrentRow(0)
        if len(files) == 1:
            self.open_photo(files[0])

    @pyqtSlot(QListWidgetItem, QListWidgetItem)
    def on_file_selected(self, current: QListWidgetItem | None, _previous) -> None:
        if current is not None:
            self.open_photo(Path(current.data(Qt.UserRole)))

    def open_photo(self, path: Path) -> None:
        """Read the photo in the reader thread; `on_photo_read` shows and classifies it."""
        if self.reader.state == "idle":
            self.reader.load(RecognizerSpec(PHOTO_READER_FACTORY, label="photo reader"))
        self._pending_name = path.name
        self._pending_read = self.reader.call("read", str(path), PHOTO_MAX_SIDE, latest=True).then(
            self.on_photo_read, self.on_photo_error
        )
        self.sig_status_message.emit(tr("Opening {name}…").format(name=path.name))

    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.open_paths(paths)
                return
        image = QApplication.clipboard().image()
        if image.isNull():
            self.sig_status_message.emit(tr("The clipboard holds no image."))
            return
        if self._pending_read is not None:
            self._pending_read.discard()
            self._pending_read = None
        self.show_photo(qimage_to_rgb(image), tr("pasted image"))

    @pyqtSlot(object)
    def on_photo_read(self, rgb: np.ndarray) -> None:
        self._pending_read = None
        self.show_photo(rgb, self._pending_name)

    @pyqtSlot(str)
    def on_photo_error(self, message: str) -> None:
        self._pending_read = None
        self.photo, self.photo_name = None, self._pending_name
        self.result, self.heat = None, None
        self._discard_model_replies()
        self.view.set_image(None)
        self._shown_photo = None
        self.view.set_placeholder(message)
        self._show_result()
        self.sig_status_message.emit(message)

    def show_photo(self, rgb: np.ndarray, name: str) -> None:
        """Classify the photo; it appears with its labels, or alone if they are slow to come.

        The widgets stay as they are until then (repainting them now would compete with the
        model for the processor); Save and Copy act on the new photo only once it shows.
        """
        self.photo, self.photo_name = rgb, name
        self.result, self.heat = None, None
        if self._pending_cam is not None:
            self._pending_cam.discard()
            self._pending_cam = None
        self._photo_alone_timer.start(PHOTO_ALONE_AFTER_MS)
        self.classify()

    def _show_photo_alone(self) -> None:
        if self.photo is not None and self.result is None:
            self._show_result()

    # --- classification -----------------------------------------------------------------
    def classify(self) -> None:
        if self.photo is None:
            return
        self._pending_classify = self.service.call(
            "classify", self.photo, TOP, True, latest=True
        ).then(self.on_classified, self.on_classify_failed)
        if self.service.state != "ready":
            self.sig_status_message.emit(tr("Waiting for the model to load…"))

    @pyqtSlot(int)
    def on_cam_class_chosen(self, _index: int) -> None:
        self.request_gradcam()

    def request_gradcam(self) -> None:
        wanted = self.cam_check.isChecked() and self.is_keras_model()
        if self.photo is None or self.result is None or not wanted:
            return
        index = self.cam_class_combo.currentData()
        if index is None:
            return
        self._pending_cam = self.service.call("gradcam", self.photo, int(index), latest=True).then(
            self.on_gradcam, self.on_gradcam_failed
        )
        self.sig_status_message.emit(tr("Computing Grad-CAM…"))

    @pyqtSlot(object)
    def on_classified(self, result: Classification) -> None:
        self._pending_classify = None
        self._photo_alone_timer.stop()
        self.result = result
        self.heat = None
        self._fill_cam_classes()
        self._show_result()
        self._show_model_state()
        top = result.top[0]
        self.sig_status_message.emit(
            tr("{name}: {label} ({p:.1%}) in {ms:.1f} ms").format(
                name=self.photo_name, label=top.label, p=top.probability, ms=result.latency_ms
            )
        )
        self.request_gradcam()
        self.network_panel.follow(self.photo)

    @pyqtSlot(object)
    def on_gradcam(self, heat: np.ndarray) -> None:
        self._pending_cam = None
        self.heat = heat
        self._show_overlay()
        self.sig_status_message.emit(tr("Grad-CAM ready."))

    @pyqtSlot(str)
    def on_classify_failed(self, message: str) -> None:
        self._pending_classify = None
        self.sig_status_message.emit(tr("Classification failed: {m}").format(m=message))

    @pyqtSlot(str)
    def on_gradcam_failed(self, message: str) -> None:
        self._pending_cam = None
        self.cam_check.setChecked(False)
        self.sig_status_message.emit(tr("Classification failed: {m}").format(m=message))

    def on_gradcam_toggled(self, checked: bool) -> None:
        if checked and self.heat is None:
            self.request_gradcam()
        self._show_overlay()

    def show_network_panel(self, visible: bool) -> None:
        self.network_panel.setVisible(visible)
        if visible:
            self.network_panel.follow(self.photo)

    def on_opacity_changed(self, value: int) -> None:
        self.view.set_overlay_opacity(value / 100)

    def _fill_cam_classes(self) -> None:
        self.cam_class_combo.clear()
        if self.result is not None:
            for score in self.result.top:
                self.cam_class_combo.addItem(score.label, score.index)

    def _show_result(self) -> None:
        """The view shows the photo, the result's labels over it, and the heat map if on."""
        if self.photo is not None and self._shown_photo is not self.photo:
            self.view.set_image(self.photo)
            self._shown_photo = self.photo
        self.view.set_labels(None if self.result is None else self.result.labels)
        self._show_overlay()
        self._show_chart()
        self._update_controls()

    def _show_overlay(self) -> None:
        image = self.view.image()
        if self.heat is None or not self.cam_check.isChecked() or image is None:
            self.view.set_overlay(None)
            return
        self.view.set_overlay(heatmap_rgba(self.heat, image.width(), image.height()))
        self.view.set_overlay_opacity(self.opacity_slider.value() / 100)

    def _show_chart(self) -> None:
        result = self.result
        if result is None:
            self.chart.set_bars([], [], tr("Top-5 probabilities"))
            return
        self.chart.set_bars(
            [s.label for s in result.top],
            [s.probability for s in result.top],
            tr("Top-5 probabilities"),
        )

    def _update_controls(self) -> None:
        has_result = self.result is not None
        keras = self.is_keras_model()
        self.cam_check.setEnabled(keras)
        self.cam_check.setToolTip(
            tr("Show where the network looked for the chosen class.")
            if keras
            else tr("Grad-CAM needs a Keras model (ResNet50 or your own).")
        )
        self.cam_class_combo.setEnabled(keras and has_result)
        self.opacity_slider.setEnabled(keras)
        self.save_button.setEnabled(has_result)
        self.copy_button.setEnabled(has_result)

    # --- output -------------------------------------------------------------------------
    def annotated_image(self) -> np.ndarray | None:
        """What the view shows: the photo with its labels, and the Grad-CAM overlay when on."""
        if self.photo is None or self.result is None:
            return None
        image = self.photo
        if self.heat is not None and self.cam_check.isChecked():
            image = overlay_heatmap(image, self.heat, self.opacity_slider.value() / 100)
        return self.result.annotated(image)

    def save_annotated(self) -> None:
        image = self.annotated_image()
        if image is None:
            self.sig_status_message.emit(tr("Classify a photo first."))
            return
        stem = Path(self.photo_name).stem or "photo"
        path = ask_save_path(
            self,
            tr("Save annotated image"),
            "annotated",
            f"{stem}_top5.png",
            "PNG (*.png);;JPEG (*.jpg)",
        )
        if path:
            self.save_annotated_to(path)

    def save_annotated_to(self, path: Path) -> bool:
        image = self.annotated_image()
        if image is None:
            return False
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
            path = path.with_suffix(".png")
        try:
            write_image(path, image)
        except UserError as exc:
            QMessageBox.warning(self, tr("Cannot save image"), str(exc))
            return False
        remember_folder("annotated", str(path))
        self.sig_status_message.emit(tr("Saved {name}").format(name=path.name))
        return True

    def copy_results(self) -> None:
        if self.result is not None:
            text = f"{self.photo_name}\n{self.result.as_text()}"
            QApplication.clipboard().setText(text)
            self.sig_status_message.emit(tr("Results copied."))

    def shutdown(self) -> None:
        self.download_panel.shutdown()
        self.reader.shutdown()
        self.service.shutdown()
