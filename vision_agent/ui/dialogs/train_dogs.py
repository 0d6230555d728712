"""The Train dialog: transfer learning of a breed model with live accuracy and loss curves.

Training runs in a child process (a model slot hosting `DogTrainer`); every epoch arrives as
an event and extends the curves, as the course plotted its history after the fact. Cancel stops
the child process at once.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import pyqtSignal, pyqtSlot
from PyQt5.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.model_slot import ModelChoice, ModelSlot, Refusal
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.paths import user_data_dir
from vision_agent.training.dogs import DogTrainer, DogTrainingOptions, DogTrainingReport
from vision_agent.ui.settings import app_settings, ask_folder
from vision_agent.ui.widgets.run_curves import RunCurves

TRAINER = ModelChoice(
    "trainer",
    RecognizerSpec(DogTrainer, in_process=False, label="dog-breed trainer"),
    lambda: tr("Dog-breed trainer"),
)
DATA_SETTING = "dogs/train_data"
OUT_SETTING = "dogs/train_out"
# (backbone, weights) per entry of the backbone combo box.
BACKBONE_CHOICES = (("densenet121", "imagenet"), ("densenet121", "none"), ("tiny", "none"))


class TrainDogsDialog(QDialog):
    """Dataset and settings, Start/Cancel, a progress bar and two live plots.

    Signals:
        sig_model_trained(str model_path, str classes_path): a run finished and saved its files.
    """

    sig_model_trained = pyqtSignal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot: ModelSlot | None = None
        self.history: list[dict] = []  # the epochs so far, as the curves take them
        self.report: DogTrainingReport | None = None
        self._build_ui()
        self.retranslate_ui()
        self._set_running(False)

    def _build_ui(self) -> None:
        settings = app_settings()
        self.data_edit = QLineEdit(settings.value(DATA_SETTING), self)
        self.data_button = QPushButton(self)
        self.data_button.clicked.connect(self._choose_data)
        default_out = str(user_data_dir() / "dog_models")
        self.out_edit = QLineEdit(settings.value(OUT_SETTING) or default_out, self)
        self.out_button = QPushButton(self)
        self.out_button.clicked.connect(self._choose_out)
        self.backbone_combo = QComboBox(self)
        self.epochs_spin = _spin(1, 200, 10, self)
        self.fine_spin = _spin(0, 200, 5, self)
        self.size_spin = _spin(32, 512, 224, self)
        self.batch_spin = _spin(1, 512, 32, self)

        self.form = QFormLayout()
        self.form_labels: list[QLabel] = []
        for field in (
            _row(self.data_edit, self.data_button),
            _row(self.out_edit, self.out_button),
            self.backbone_combo,
            self.epochs_spin,
            self.fine_spin,
            self.size_spin,
            self.batch_spin,
        ):
            label = QLabel(self)
            self.form_labels.append(label)
            self.form.addRow(label, field)

        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(self.start_training)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel_training)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)

        self.curves = RunCurves(self)  # as the My classes tab draws its runs

        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.curves, 1)
        self.resize(820, 640)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Train a dog-breed model"))
        labels = (
            tr("Dataset (one folder per breed)"),
            tr("Save the model in"),
            tr("Backbone"),
            tr("Epochs, frozen backbone"),
            tr("Epochs, fine-tuning"),
            tr("Image size"),
            tr("Batch size"),
        )
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        self.data_button.setText(tr("Browse…"))
        self.out_button.setText(tr("Browse…"))
        self.data_edit.setPlaceholderText(tr("e.g. the Images folder of Stanford Dogs"))
        index = max(0, self.backbone_combo.currentIndex())
        self.backbone_combo.clear()
        self.backbone_combo.addItems(
            [
                tr("DenseNet121, ImageNet weights (downloaded once)"),
                tr("DenseNet121, no pretrained weights"),
                tr("Small CNN (a quick test run)"),
            ]
        )
        self.backbone_combo.setCurrentIndex(index)
        self.start_button.setText(tr("Start training"))
        self.cancel_button.setText(tr("Cancel"))
        self.close_button.setText(tr("Close"))
        self.curves.retranslate_ui()

    def _choose_data(self) -> None:
        folder = ask_folder(self, tr("Dataset folder"), "dog_datasets")
        if folder:
            self.data_edit.setText(str(folder))

    def _choose_out(self) -> None:
        folder = ask_folder(self, tr("Output folder"), "dog_outputs", self.out_edit.text())
        if folder:
            self.out_edit.setText(str(folder))

    def options(self) -> DogTrainingOptions:
        backbone, weights = BACKBONE_CHOICES[self.backbone_combo.currentIndex()]
        return DogTrainingOptions(
            data_dir=self.data_edit.text().strip(),
            out_dir=self.out_edit.text().strip(),
            epochs=self.epochs_spin.value(),
            fine_tune_epochs=self.fine_spin.value(),
            backbone=backbone,
            backbone_weights=weights,
            image_size=self.size_spin.value(),
            batch_size=self.batch_spin.value(),
        )

    # --- running ----------------------------------------------------------------------------
    def start_training(self) -> None:
        options = self.options()
        if not options.data_dir or not Path(options.data_dir).is_dir():
            self.status_label.setText(tr("Choose a dataset folder first."))
            return
        app_settings().setValue(DATA_SETTING, options.data_dir)
        app_settings().setValue(OUT_SETTING, options.out_dir)
        self.history = []
        self.curves.show_history(self.history, [])
        self.report = None
        self.progress.setValue(0)
        self.slot = ModelSlot("dog-training", parent=self)
        self.slot.sig_event.connect(self.on_event)
        self.slot.sig_refused.connect(self.on_trainer_refused)
        self.slot.load(TRAINER)
        self.slot.call(DogTrainer.train, options).then(self.on_result, self.on_error)
        self.status_label.setText(tr("Starting TensorFlow in a training process…"))
        self._set_running(True)

    def cancel_training(self) -> None:
        if self.slot is None:
            return
        self._stop_service()
        self.status_label.setText(tr("Training cancelled; nothing was saved."))
        self._set_running(False)

    @pyqtSlot(object)
    def on_event(self, event: object) -> None:
        if not isinstance(event, dict):
            return
        kind = event.get("kind")
        if kind == "epoch":  # Keras's figures, named as the curves name them
            figures = {f"train_{key}": event.get(key) for key in ("accuracy", "loss")}
            figures |= {key: event.get(key) for key in ("val_accuracy", "val_loss")}
            self.history.append({"epoch": len(self.history) + 1, **figures})
            self.curves.show_history(self.history, [])
            self._set_progress(event["epoch"], event["epochs"])
            self.status_label.setText(
                tr("Epoch {n}/{total} ({phase}): accuracy {acc:.1%}, validation {val:.1%}").format(
                    n=event["epoch"],
                    total=event["epochs"],
                    phase=event.get("phase", ""),
                    acc=event.get("accuracy") or 0.0,
                    val=event.get("val_accuracy") or 0.0,
                )
            )
        elif kind == "batch":
            batches = max(1, event.get("batches") or 1)
            self._set_progress(event["epoch"] - 1 + event["batch"] / batches, event["epochs"])
        elif kind == "status":
            self.status_label.setText(str(event.get("message", "")))
        elif kind == "download":
            total = event.get("total") or 0
            done = event.get("done", 0)
            shown = f"{done / total:.0%}" if total else f"{done / 1e6:.0f} MB"
            self.status_label.setText(tr("Downloading the backbone: {done}").format(done=shown))

    def _set_progress(self, done_epochs: float, epochs: int) -> None:
        self.progress.setValue(int(1000 * min(1.0, done_epochs / max(1, epochs))))

    @pyqtSlot(object)
    def on_result(self, report: DogTrainingReport) -> None:
        self.report = report
        self.progress.setValue(1000)
        self.status_label.setText(
            tr("Saved {model}: {n} breeds, best validation accuracy {acc:.1%}.").format(
                model=report.model_path, n=report.class_count, acc=report.best_val_accuracy
            )
        )
        self._stop_service()
        self._set_running(False)
        self.sig_model_trained.emit(report.model_path, report.classes_path)

    @pyqtSlot(object)
    def on_trainer_refused(self, refusal: Refusal) -> None:
        self.on_error(refusal.message)

    @pyqtSlot(str)
    def on_error(self, message: str) -> None:
        self.status_label.setText(tr("Training failed: {message}").format(message=message))
        self._stop_service()
        self._set_running(False)

    def _stop_service(self) -> None:
        slot, self.slot = self.slot, None
        if slot is not None:
            slot.shutdown()
            slot.deleteLater()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (self.data_edit, self.out_edit, self.backbone_combo, self.epochs_spin,
                       self.fine_spin, self.size_spin, self.batch_spin):  # fmt: skip
            widget.setEnabled(not running)

    def is_running(self) -> bool:
        return self.slot is not None

    def shutdown(self) -> None:
        self._stop_service()


def _spin(low: int, high: int, value: int, parent: QWidget) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(low, high)
    spin.setValue(value)
    return spin


def _row(edit: QLineEdit, button: QPushButton) -> QWidget:
    widget = QWidget()
    layout = QHBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    layout.addWidget(button)
    return widget
