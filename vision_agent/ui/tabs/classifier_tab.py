"""The ImageNet top-5 tab: any photo in, five answers out, and where the network looked.

The view only lays out and renders; `ClassifierController` runs the pipeline and holds the
model choice (shared with the dog tab through `SharedChoices`).
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSlot
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.choices import SharedChoices
from vision_agent.controllers.classifier import ClassifierController
from vision_agent.controllers.model_slot import registry_caption
from vision_agent.core.classify import MODEL_ALIASES
from vision_agent.core.gradcam import heatmap_rgba
from vision_agent.core.predictors import MODEL_FILE_FILTER
from vision_agent.i18n import tr
from vision_agent.ui.photo_messages import photo_message
from vision_agent.ui.photo_output import ask_image_path, copy_results, save_image_to
from vision_agent.ui.qimage import qimage_to_rgb
from vision_agent.ui.settings import app_settings, ask_open_path
from vision_agent.ui.shortcuts import add_shortcuts
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions
from vision_agent.ui.widgets.image_view import ImageView
from vision_agent.ui.widgets.layer_picker_panel import LayerPickerPanel
from vision_agent.ui.widgets.model_combo import ModelCombo
from vision_agent.ui.widgets.model_status import ModelStatusView
from vision_agent.ui.widgets.photo_list import PhotoList
from vision_agent.ui.widgets.top5_panel import Top5Panel


class ClassifierTab(VisionTab):
    """Photo with its top-5 labels, a bar chart, Grad-CAM overlay, model choice, folder list.

    `model` starts the tab on that model instead of the shared choice (tests, benchmarks).
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        choices: SharedChoices | None = None,
        model: str | None = None,
    ) -> None:
        super().__init__(parent)
        choices = choices if choices is not None else SharedChoices(app_settings(), parent=self)
        self.controller = ClassifierController(choices, model, self)
        self.controller.sig_photo_changed.connect(self._show_result)
        self.controller.slot.sig_status.connect(self._show_model)
        self.controller.sig_photo_failed.connect(self._show_photo_failed)
        self.controller.sig_status.connect(self.on_photo_status)
        self._shown_photo = None  # the photo the view holds now
        self._photo_failure = ""  # why the last photo was not read ("" once one is shown)
        self._build_ui()
        self.controller.slot.sig_loading.connect(self.network_panel.model_changed)
        add_shortcuts(
            self,
            (
                (QKeySequence.Paste, "Paste an image", self.paste),
                ("L", "Show or hide the labels on the photo", self.results.labels_check.toggle),
            ),
        )
        self.photos.browse_with_keys(self)
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.photos = PhotoList("photos", self)
        self.photos.sig_photo_chosen.connect(self.controller.open_photo)
        self.photos.sig_status_message.connect(self.sig_status_message)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.photos.choose_photos)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(self.photos.choose_folder)
        self.model_caption = QLabel(self)
        self.model_combo = ModelCombo(self)
        self.model_combo.activated.connect(self.on_model_chosen)
        self.own_model_button = QPushButton(self)
        self.own_model_button.clicked.connect(self.choose_model_file)
        self.results = Top5Panel(self)
        self.results.sig_gradcam_changed.connect(self.controller.set_gradcam)
        self.results.save_button.clicked.connect(self.save_annotated)
        self.results.copy_button.clicked.connect(self.copy_results)
        self.network_button = QPushButton(self)
        self.network_button.setCheckable(True)
        self.network_button.toggled.connect(self.show_network_panel)

        toolbar = QHBoxLayout()
        for widget in (self.open_button, self.folder_button, self.model_caption):
            toolbar.addWidget(widget)
        toolbar.addWidget(self.model_combo)
        toolbar.addWidget(self.own_model_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.network_button)

        self.view = ImageView(self)
        self.view.sig_files_dropped.connect(self.photos.open_paths)
        self.results.sig_opacity_changed.connect(self.view.set_overlay_opacity)
        self.results.sig_labels_shown.connect(self._show_labels)
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self.photos)
        splitter.addWidget(self.view)
        splitter.addWidget(self.results)
        self.network_panel = LayerPickerPanel(self.controller.slot, self)
        self.network_panel.setVisible(False)
        splitter.addWidget(self.network_panel)
        for index, stretch in ((1, 3), (2, 2), (3, 2)):
            splitter.setStretchFactor(index, stretch)

        self.model_status = ModelStatusView(self)
        panel = self.model_status.panel
        panel.sig_downloaded.connect(self.controller.choices.models_changed)
        panel.sig_use_another_model.connect(self.model_combo.showPopup)
        panel.sig_dismissed.connect(self.controller.slot.dismiss)

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.model_status)

    def _fill_model_combo(self) -> None:
        model = self.controller.model
        items = [(key, registry_caption(i)(), i) for key, i in MODEL_ALIASES.items()]
        if model not in MODEL_ALIASES:
            items.append((model, Path(model).name, None))
        self.model_combo.fill(items, model, self.controller.choices.is_present)

    def title(self) -> str:
        return tr("ImageNet top-5")

    def retranslate_ui(self) -> None:
        self.open_button.setText(tr("Open photo…"))
        self.folder_button.setText(tr("Open folder…"))
        self.model_caption.setText(tr("Model:"))
        self.own_model_button.setText(tr("Own model…"))
        self.results.retranslate_ui()
        self.network_button.setText(tr("Inside the network"))
        self.network_panel.retranslate_ui()
        self._show_placeholder()
        self._show_model()

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open photo…"), QKeySequence.Open, self.photos.choose_photos),
                (tr("Open folder…"), None, self.photos.choose_folder),
                (tr("Paste image"), None, self.paste),
                (tr("Save annotated image…"), QKeySequence.Save, self.save_annotated),
                (tr("Copy results"), None, self.copy_results),
                (tr("Open own model…"), None, self.choose_model_file),
                (tr("Open weights for the chosen network…"), None, self.choose_weights_file),
            ),
        )

    # --- model --------------------------------------------------------------------------
    def start(self) -> None:
        self.controller.start()

    @pyqtSlot(int)
    def on_model_chosen(self, index: int) -> None:
        key = self.model_combo.itemData(index)
        if key:  # the model in use again closes a refusal
            self.controller.load_model(key)
        self._fill_model_combo()  # the model in use stays current until the new one works

    def choose_model_file(self) -> None:
        title = tr("Open own classifier (Keras or My classes)")
        file_filter = "Keras or My classes models (*.h5 *.hdf5 *.keras *.onnx)"
        path = ask_open_path(self, title, "models", file_filter)
        if path:
            self.controller.load_model(str(path))

    def choose_weights_file(self) -> None:
        if self.controller.model not in MODEL_ALIASES:
            QMessageBox.information(
                self, tr("Weights"), tr("Choose ResNet50, MobileNetV2 or GoogLeNet first.")
            )
            return
        path = ask_open_path(self, tr("Open weights"), "models", MODEL_FILE_FILTER)
        if path:
            self.controller.load_model(self.controller.model, path)

    @pyqtSlot()
    def _show_model(self) -> None:
        """The model list, the model's status and what a model allows."""
        self._fill_model_combo()
        self.model_status.show_status(self.controller.slot.status(), self.controller.model_note())
        self._update_controls()

    # --- photos -------------------------------------------------------------------------
    def paste(self) -> None:
        mime = QApplication.clipboard().mimeData()
        if mime is not None and mime.hasUrls():
            paths = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
            if paths:
                self.photos.open_paths(paths)
                return
        image = QApplication.clipboard().image()
        if image.isNull():
            self.sig_status_message.emit(tr("The clipboard holds no image."))
            return
        self.controller.show_photo(qimage_to_rgb(image), tr("pasted image"))

    @pyqtSlot(str)
    def _show_photo_failed(self, message: str) -> None:
        self.view.set_image(None)
        self._shown_photo = None
        self._photo_failure = message
        self._show_placeholder()
        self._show_result()

    def _show_placeholder(self) -> None:
        """Why the last photo was not read (said again after a language switch), or how to
        open one."""
        if self._photo_failure:
            self.view.set_placeholder(photo_message(self._photo_failure))
            return
        self.view.set_placeholder(
            tr("Open a photo (Ctrl+O), drop photos or a folder here, or paste an image (Ctrl+V).")
        )

    def show_network_panel(self, visible: bool) -> None:
        self.network_panel.setVisible(visible)
        if visible:
            self.network_panel.follow(self.controller.photo)

    # --- rendering ----------------------------------------------------------------------
    @pyqtSlot()
    def _show_result(self) -> None:
        """The photo (once its labels came, or alone when they are slow), labels, heat map."""
        controller = self.controller
        photo, result = controller.photo, controller.result
        if photo is not None and self._shown_photo is not photo:
            if result is None and not controller.photo_alone:
                return  # the old view stays a moment: the labels may come at once
            self.view.set_image(photo)
            self._shown_photo = photo
            self._photo_failure = ""
            self.network_panel.follow(photo)
        self._show_labels()
        self.results.show_result(result, controller.gradcam_wanted, controller.gradcam_class)
        self._show_overlay()
        self.model_status.show_note(self.controller.model_note())
        self._update_controls()

    def _show_labels(self) -> None:
        """The top-5 panel over the photo, unless the student hid it to see the subject."""
        result = self.controller.result
        wanted = result is not None and self.results.labels_check.isChecked()
        self.view.set_labels(result.labels if wanted else None)

    def _show_overlay(self) -> None:
        image, heat = self.view.image(), self.controller.heat
        if heat is None or not self.controller.gradcam_wanted or image is None:
            self.view.set_overlay(None)
            return
        self.view.set_overlay(heatmap_rgba(heat, image.width(), image.height()))
        self.view.set_overlay_opacity(self.results.opacity())

    def _update_controls(self) -> None:
        self.results.enable(self.controller.is_keras_model(), self.controller.result is not None)

    # --- output -------------------------------------------------------------------------
    def annotated_image(self):
        return self.controller.annotated_image(self.results.opacity())

    def save_annotated(self) -> None:
        if self.controller.result is None:  # the image is drawn once, when it is saved
            self.sig_status_message.emit(tr("Classify a photo first."))
            return
        stem = Path(self.controller.photo_name).stem or "photo"
        path = ask_image_path(self, f"{stem}_top5.png")
        if path:
            self.save_annotated_to(path)

    def save_annotated_to(self, path: Path) -> bool:
        return save_image_to(self, self.annotated_image(), path)

    def copy_results(self) -> None:
        copy_results(self, self.controller.results_text())

    def shutdown(self) -> None:
        self.model_status.shutdown()
        self.controller.shutdown()
