"""The dog-breed tab (견종 인식): open dog photos or a folder, see the five likeliest breeds.

The view only lays out and renders; `DogController` owns the recognizer and its answers. The
photo list, the arrow keys and Save/Copy work as on the ImageNet tab (the same components).
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSlot
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.choices import SharedChoices
from vision_agent.controllers.dogs import DogController
from vision_agent.core.breed_names import CLASS_NAMES_FILE_FILTER
from vision_agent.core.imageio import is_image_path
from vision_agent.core.keras_breeds import BREED_MODEL_FILE_FILTER
from vision_agent.i18n import tr
from vision_agent.ui.model_problem_text import model_file_problem
from vision_agent.ui.photo_messages import photo_message
from vision_agent.ui.photo_output import ask_image_path, copy_results, save_image_to
from vision_agent.ui.settings import app_settings, ask_open_path
from vision_agent.ui.shortcuts import add_shortcuts
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions
from vision_agent.ui.widgets.breed_panel import BreedPanel
from vision_agent.ui.widgets.image_view import ImageView
from vision_agent.ui.widgets.model_combo import ModelCombo
from vision_agent.ui.widgets.model_status import ModelStatusView
from vision_agent.ui.widgets.photo_list import PhotoList


class DogTab(VisionTab):
    """Photo with the top-5 breeds drawn on it, a verdict line and a probability chart."""

    def __init__(self, parent: QWidget | None = None, choices: SharedChoices | None = None) -> None:
        super().__init__(parent)
        settings = app_settings()
        choices = choices if choices is not None else SharedChoices(settings, parent=self)
        self.controller = DogController(choices, settings, self)
        self.controller.sig_model_changed.connect(self._show_model_state)
        self.controller.slot.sig_status.connect(self._show_model_state)
        self.controller.sig_result_changed.connect(self._show_result)
        self.controller.sig_status.connect(self.on_photo_status)
        self._train_dialog = None
        self._build_ui()
        self.retranslate_ui()

    # --- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.photos = PhotoList("dog_photos", self)
        self.photos.sig_photo_chosen.connect(self.controller.recognize)
        self.photos.sig_status_message.connect(self.sig_status_message)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(self.photos.choose_photos)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(self.photos.choose_folder)
        self.train_button = QPushButton(self)
        self.train_button.clicked.connect(self.show_train_dialog)
        self.model_caption = QLabel(self)
        self.model_combo = ModelCombo(self)
        self.model_combo.activated.connect(self._on_combo_activated)
        top = QHBoxLayout()
        for widget in (self.open_button, self.folder_button, self.train_button):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.model_caption)
        top.addWidget(self.model_combo)

        self.view = ImageView(self)
        self.view.sig_files_dropped.connect(self.on_files_dropped)
        self.breeds = BreedPanel(self)
        self.breeds.save_button.clicked.connect(self.save_annotated)
        self.breeds.copy_button.clicked.connect(self.copy_results)
        self.breeds.labels_check.toggled.connect(self._show_labels)
        body = QHBoxLayout()
        body.addWidget(self.photos)
        body.addWidget(self.view, 3)
        body.addWidget(self.breeds, 2)
        self.model_status = ModelStatusView(self)
        panel = self.model_status.panel
        panel.sig_downloaded.connect(self.controller.shared.models_changed)
        panel.sig_use_another_model.connect(self.model_combo.showPopup)
        panel.sig_dismissed.connect(self.controller.slot.dismiss)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.model_status)
        add_shortcuts(
            self,
            (
                ("Q", "Quit", self.sig_quit_requested.emit),
                ("L", "Show or hide the labels on the photo", self.breeds.labels_check.toggle),
            ),
        )
        self.photos.browse_with_keys(self)

    def title(self) -> str:
        return tr("Dog breed")

    def retranslate_ui(self) -> None:
        self.open_button.setText(tr("Open dog photo…"))
        self.folder_button.setText(tr("Open folder…"))
        self.train_button.setText(tr("Train…"))
        self.model_caption.setText(tr("Recognizer:"))
        self.breeds.retranslate_ui()
        self.view.set_placeholder(tr("Open a dog photo or a folder, or drop one here."))
        self._show_model_state()
        self._show_result()
        self.sig_status_message.emit(photo_message(self.controller.status_text()))
        if self._train_dialog is not None:
            self._train_dialog.retranslate_ui()

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Open dog photo…"), QKeySequence.Open, self.photos.choose_photos),
                (tr("Open folder…"), None, self.photos.choose_folder),
                (tr("Save annotated image…"), QKeySequence.Save, self.save_annotated),
                (tr("Copy results"), None, self.copy_results),
                (tr("Open breed model…"), None, self.choose_breed_model),
                (
                    tr("Use the ImageNet recognizer (no training)"),
                    None,
                    self.controller.use_imagenet,
                ),
                (tr("Train a breed model…"), None, self.show_train_dialog),
            ),
        )

    # --- recognizers ----------------------------------------------------------------------
    def start(self) -> None:
        self.controller.start()

    def choose_breed_model(self) -> None:
        both = "Breed models (*.h5 *.hdf5 *.keras saved_model.pb *.onnx)"
        file_filter = f"{both};;{BREED_MODEL_FILE_FILTER};;My classes models (*.onnx)"
        model = ask_open_path(self, tr("Open breed model"), "dog_models", file_filter)
        if model is None:
            return
        if model.suffix.lower() == ".onnx":
            self.controller.add_own_model(model)
            return
        title = tr("Open the class names of {name}").format(name=model.name)
        classes = ask_open_path(self, title, "dog_models", CLASS_NAMES_FILE_FILTER)
        if classes:
            self.controller.add_breed_model(model, classes)

    def _on_combo_activated(self, index: int) -> None:
        choices = self.controller.choices
        if 0 <= index < len(choices):  # the recognizer in use again closes a refusal
            self.controller.select_choice(choices[index])

    def _fill_combo(self) -> None:
        controller = self.controller
        items = [
            (str(i), c.label(), controller.classifier if c.model is None else None)
            for i, c in enumerate(controller.choices)
        ]
        current = str(controller.choices.index(controller.choice))
        self.model_combo.fill(items, current, controller.shared.is_present)
        for i, choice in enumerate(controller.choices):
            if choice.model is not None:
                tip = f"{choice.model}\n{choice.classes}"
                self.model_combo.setItemData(i, tip, Qt.ToolTipRole)

    @pyqtSlot()
    def _show_model_state(self) -> None:
        self._fill_combo()
        self.model_status.show_status(self.controller.slot.status())

    # --- photos -----------------------------------------------------------------------------
    @pyqtSlot(list)
    def on_files_dropped(self, paths: list) -> None:
        images = [Path(p) for p in paths if Path(p).is_dir() or is_image_path(p)]
        if images:
            self.photos.open_paths(images)
        else:
            self.controller.show_error(tr("Drop an image file (JPEG, PNG, BMP, WebP, TIFF)."))

    @pyqtSlot()
    def _show_result(self) -> None:
        controller = self.controller
        if controller.error:
            self.view.set_image(None)
            self.view.set_labels(None)
            message = photo_message(model_file_problem(controller.error))
            self.breeds.show_error(tr("Cannot recognize this photo"), message)
            return
        if controller.is_busy():
            self.breeds.show_busy(controller.photo.name if controller.photo else "")
            return
        if controller.result is not None:
            self.view.set_image(controller.result.photo)
            self._show_labels()
        self.breeds.show_result(controller.result)

    def _show_labels(self) -> None:
        """The top breeds over the photo, unless the student hid them to see the dog."""
        result = self.controller.result
        wanted = result is not None and self.breeds.labels_check.isChecked()
        self.view.set_labels(result.labels if wanted else None)

    # --- output -----------------------------------------------------------------------------
    def save_annotated(self) -> None:
        result, photo = self.controller.result, self.controller.photo
        if result is None or result.annotated is None:
            self.sig_status_message.emit(tr("Open a dog photo first."))
            return
        path = ask_image_path(self, f"{photo.stem if photo else 'dog'}_breeds.png")
        if path:
            self.save_annotated_to(path)

    def save_annotated_to(self, path: Path) -> bool:
        result = self.controller.result
        return save_image_to(self, None if result is None else result.annotated, path)

    def copy_results(self) -> None:
        copy_results(self, self.controller.results_text())

    # --- training ---------------------------------------------------------------------------
    def show_train_dialog(self) -> None:
        if self._train_dialog is None:
            from vision_agent.ui.dialogs.train_dogs import TrainDogsDialog

            self._train_dialog = TrainDogsDialog(self)
            self._train_dialog.sig_model_trained.connect(self.controller.add_breed_model)
        self._train_dialog.show()
        self._train_dialog.raise_()

    def shutdown(self) -> None:
        self.model_status.shutdown()
        if self._train_dialog is not None:
            self._train_dialog.shutdown()
        self.controller.shutdown()
