"""The "My classes" tab: the course's transfer learning, in a tab.

Name classes and fill them with photos (a folder, dropped files, or a burst from the camera
while the button is held), pick a strategy and see which stages of the network it trains,
Train, watch the curves, read the confusion matrix and the photos it got wrong, compare runs,
and try the model on a photo. Rendering only: `OwnClassesController` does the work.
"""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import QSize, Qt, QTimer
from PyQt5.QtGui import QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PyQt5.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vision_agent.controllers.model_slot import Refusal, SlotStatus, registry_caption
from vision_agent.controllers.own_classes import OwnClassesController
from vision_agent.core.own_classes.choice import BLEND, GAUSSIANS, HEAD, PLAIN
from vision_agent.core.own_classes.messages import MESSAGES
from vision_agent.core.own_classes.runner import Tried
from vision_agent.i18n import tr, tr_template
from vision_agent.ui.model_problem_text import model_problem
from vision_agent.ui.photo_messages import photo_message
from vision_agent.ui.qimage import rgb_to_pixmap
from vision_agent.ui.settings import ask_folder, ask_open_path, ask_open_paths
from vision_agent.ui.tabs.base import VisionTab, add_menu_actions
from vision_agent.ui.widgets.confusion_table import ConfusionTable
from vision_agent.ui.widgets.image_view import IMAGE_FILE_FILTER, ImageView
from vision_agent.ui.widgets.model_status import ModelStatusView
from vision_agent.ui.widgets.network_stages import NetworkStages
from vision_agent.ui.widgets.run_curves import RunCurves

BACKBONES = (
    ("mobilenet_v2", "MobileNetV2"),
    ("resnet50", "ResNet50"),
    ("densenet121", "DenseNet121"),
)
THUMB = 72
BURST_INTERVAL_MS = 200
LIVE_INTERVAL_MS = 300


class OwnClassesTab(VisionTab):
    def __init__(self, parent: QWidget | None = None, project: Path | None = None) -> None:
        super().__init__(parent)
        self.controller = OwnClassesController(project, self)
        self.camera_spec = None  # what the camera buttons capture (a SourceSpec); camera 0
        self._grabber = None  # the burst's
        self._burst: list = []
        self._burst_timer = QTimer(self)
        self._burst_timer.setInterval(BURST_INTERVAL_MS)
        self._burst_timer.timeout.connect(self._take_shot)
        self._live = None  # Try it on the camera: its grabber
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(LIVE_INTERVAL_MS)
        self._live_timer.timeout.connect(self._try_live_frame)
        self.setAcceptDrops(True)
        self._build()
        c = self.controller
        c.sig_classes_changed.connect(self._show_classes)
        c.sig_network_changed.connect(self._show_network)
        c.sig_training_changed.connect(self._show_training)
        c.sig_epoch.connect(lambda _: self._show_curves())
        c.sig_runs_changed.connect(self._show_runs)
        c.sig_tried.connect(self._show_tried)
        c.sig_thumbnails.connect(self._show_thumbnails)
        c.sig_error.connect(self._show_error)
        c.sig_try_failed.connect(self._show_try_failed)
        self.retranslate_ui()
        self._show_training()

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.classes_box = QGroupBox(self)
        self.class_list = QListWidget(self)
        self.class_list.itemChanged.connect(self._on_class_renamed)
        self.class_list.currentRowChanged.connect(lambda _: self._show_photos())
        self.photo_list = QListWidget(self)
        self.photos_label = QLabel(self)
        self.photo_list.setViewMode(QListView.IconMode)
        self.photo_list.setIconSize(QSize(48, 48))
        self.photo_list.setSelectionMode(QListWidget.ExtendedSelection)
        self.photo_list.itemSelectionChanged.connect(self._enable_photo_buttons)
        self.remove_photo_button = QPushButton(self)
        self.remove_photo_button.clicked.connect(self._remove_photos)
        self.add_class_button = QPushButton(self)
        self.add_class_button.clicked.connect(self._add_class)
        self.remove_class_button = QPushButton(self)
        self.remove_class_button.clicked.connect(self._remove_class)
        self.add_folder_button = QPushButton(self)
        self.add_folder_button.clicked.connect(self._add_folder)
        self.add_files_button = QPushButton(self)
        self.add_files_button.clicked.connect(self._add_files)
        self.burst_button = QPushButton(self)
        self.burst_button.pressed.connect(self.start_burst)
        self.burst_button.released.connect(self.stop_burst)
        self.project_button = QPushButton(self)
        self.project_button.clicked.connect(self._choose_project)
        self.project_label = QLabel(self)
        self.project_label.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(self.add_class_button, 0, 0)
        grid.addWidget(self.remove_class_button, 0, 1)
        grid.addWidget(self.add_folder_button, 1, 0)
        grid.addWidget(self.add_files_button, 1, 1)
        grid.addWidget(self.burst_button, 2, 0, 1, 2)
        left = QVBoxLayout(self.classes_box)
        left.addWidget(self.class_list, 1)
        left.addLayout(grid)
        left.addWidget(self.photos_label)
        left.addWidget(self.photo_list, 2)
        left.addWidget(self.remove_photo_button)
        left.addWidget(self.project_label)
        left.addWidget(self.project_button)

        self.strategy_box = QGroupBox(self)
        self.backbone_combo = QComboBox(self)
        for key, name in BACKBONES:
            self.backbone_combo.addItem(name, key)
        self.backbone_combo.currentIndexChanged.connect(self._on_strategy_changed)
        self.head_radio, self.partial_radio, self.all_radio = (QRadioButton(self) for _ in "hpa")
        self.head_radio.setChecked(True)
        self.strategy_group = QButtonGroup(self)
        for radio in (self.head_radio, self.partial_radio, self.all_radio):
            self.strategy_group.addButton(radio)
        self.strategy_group.buttonClicked.connect(lambda _: self._on_strategy_changed())
        self.unfreeze_spin = QSpinBox(self)
        self.unfreeze_spin.setRange(1, 20)
        self.unfreeze_spin.setValue(2)
        self.unfreeze_spin.valueChanged.connect(self._on_strategy_changed)
        self.epochs_spin = QSpinBox(self)
        self.epochs_spin.setRange(1, 500)
        self.epochs_spin.setValue(self.controller.request.epochs)
        self.epochs_spin.valueChanged.connect(self._on_strategy_changed)
        self.weights_button = QPushButton(self)
        self.weights_button.clicked.connect(self._choose_weights)
        self.weights_label = QLabel(self)
        self.weights_label.setWordWrap(True)
        self.backbone_label, self.epochs_label = QLabel(self), QLabel(self)
        self.network = NetworkStages(self)
        # The missing-model panel for the weights the strategy needs (downloads on a click).
        self.weights_status = ModelStatusView(self)
        self.weights_status.panel.sig_downloaded.connect(lambda _id: self.controller.describe())
        self.train_button = QPushButton(self)
        self.train_button.clicked.connect(self.controller.train)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.controller.cancel)
        self.progress_label = QLabel(self)
        self.progress_label.setWordWrap(True)
        form = QGridLayout()
        form.addWidget(self.backbone_label, 0, 0)
        form.addWidget(self.backbone_combo, 0, 1)
        form.addWidget(self.head_radio, 1, 0, 1, 2)
        form.addWidget(self.partial_radio, 2, 0)
        form.addWidget(self.unfreeze_spin, 2, 1)
        form.addWidget(self.all_radio, 3, 0, 1, 2)
        form.addWidget(self.epochs_label, 4, 0)
        form.addWidget(self.epochs_spin, 4, 1)
        form.addWidget(self.weights_button, 5, 0)
        form.addWidget(self.weights_label, 5, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.cancel_button)
        middle = QVBoxLayout(self.strategy_box)
        middle.addLayout(form)
        middle.addWidget(self.weights_status)
        middle.addWidget(self.network)
        middle.addLayout(buttons)
        middle.addWidget(self.progress_label)

        self.results_box = QGroupBox(self)
        self.curves = RunCurves(self)
        self.confusion = ConfusionTable(self)
        self.wrong_list = QListWidget(self)
        self.wrong_list.setViewMode(QListView.IconMode)
        self.wrong_list.setIconSize(QSize(THUMB, THUMB))
        # Cells as wide as the run's longest class name, each caption wrapped in up to three
        # lines under its thumbnail (`_show_wrong`; without them, long class names ran into the
        # next photo and were cut off).
        self.wrong_list.setMovement(QListView.Static)
        self.wrong_list.setResizeMode(QListView.Adjust)
        self.wrong_list.setWordWrap(True)
        self.runs_list = QListWidget(self)
        self.runs_list.setWordWrap(True)
        self.runs_list.itemChanged.connect(self._on_run_checked)
        self.runs_list.itemClicked.connect(
            lambda item: self.controller.select_run(item.data(Qt.UserRole))
        )
        self.delete_run_button = QPushButton(self)
        self.delete_run_button.clicked.connect(self._delete_run)
        self.try_button = QPushButton(self)
        self.try_button.clicked.connect(self._try_photo)
        self.live_button = QPushButton(self)
        self.live_button.setCheckable(True)
        self.live_button.toggled.connect(self.set_live)
        self.try_label = QLabel(self)
        self.try_label.setWordWrap(True)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        # A long summary scrolls in at most four lines instead of covering the curves (the
        # column is as tall as the window, and Qt lays a wrapped label over its neighbours).
        self.summary_scroll = QScrollArea(self)
        self.summary_scroll.setWidget(self.summary_label)
        self.summary_scroll.setWidgetResizable(True)
        self.summary_scroll.setFrameShape(QFrame.NoFrame)
        self.summary_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        line = self.fontMetrics().lineSpacing()
        self.summary_scroll.setMinimumHeight(2 * line + 4)
        self.summary_scroll.setMaximumHeight(4 * line + 4)
        self.summary_scroll.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.confusion_label, self.runs_label = QLabel(self), QLabel(self)
        for label in (self.confusion_label, self.runs_label, self.photos_label):
            label.setWordWrap(True)  # the tab fits the window's width in either language
        # The runs with the confusion matrix, the wrong photos, and the photo tried share one
        # place, a page each: the tried photo gets the column's width without the window
        # growing (tests/ui/test_window_size.py).
        runs_page = QWidget(self)
        lower = QGridLayout(runs_page)
        lower.setContentsMargins(4, 4, 4, 4)
        lower.addWidget(self.confusion_label, 0, 0)
        lower.addWidget(self.runs_label, 0, 1)
        lower.addWidget(self.confusion, 1, 0)
        lower.addWidget(self.runs_list, 1, 1)
        lower.addWidget(self.delete_run_button, 2, 1)
        self.tried_view = ImageView(self)
        self.tried_view.setMinimumSize(THUMB, THUMB)
        self.tried_view.setAcceptDrops(False)  # photos dropped on the tab go into a class
        # The answer under the picture, where a long one has the column's width (beside the
        # Try buttons it widened the window).
        self.tried_page = QWidget(self)
        tried = QVBoxLayout(self.tried_page)
        tried.setContentsMargins(0, 0, 0, 0)
        tried.addWidget(self.tried_view, 1)
        tried.addWidget(self.try_label)
        self.pages = QTabWidget(self)
        self.pages.setDocumentMode(True)
        for page in (runs_page, self.wrong_list, self.tried_page):
            self.pages.addTab(page, "")
        right = QVBoxLayout(self.results_box)
        right.addWidget(self.curves, 3)
        right.addWidget(self.summary_scroll)
        right.addWidget(self.pages, 4)
        tries = QHBoxLayout()
        tries.addWidget(self.try_button)
        tries.addWidget(self.live_button)
        tries.addStretch(1)
        right.addLayout(tries)

        splitter = QSplitter(Qt.Horizontal, self)
        for box in (self.classes_box, self.strategy_box, self.results_box):
            splitter.addWidget(box)
        splitter.setStretchFactor(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # --- VisionTab --------------------------------------------------------------------------
    def title(self) -> str:
        return tr("My classes")

    def start(self) -> None:
        self.controller.start()

    def fill_file_menu(self, menu: QMenu) -> None:
        add_menu_actions(
            menu,
            (
                (tr("Add photos…"), QKeySequence.Open, self._add_files),
                (tr("Add a folder…"), None, self._add_folder),
                (tr("Try it on a photo…"), None, self._try_photo),
                (tr("Project folder…"), None, self.project_button.click),  # not while training
            ),
        )

    def retranslate_ui(self) -> None:
        self.classes_box.setTitle(tr("Classes and their photos"))
        self.add_class_button.setText(tr("Add class"))
        self.remove_class_button.setText(tr("Remove class"))
        self.add_folder_button.setText(tr("Add a folder…"))
        self.add_files_button.setText(tr("Add photos…"))
        self.burst_button.setText(tr("Hold for camera shots"))
        self.project_button.setText(tr("Project folder…"))
        self.strategy_box.setTitle(tr("Strategy"))
        self.backbone_label.setText(tr("Network"))
        self.head_radio.setText(tr("(3) Train only a new classifier (frozen network)"))
        self.partial_radio.setText(tr("(2) Also train the last blocks:"))
        self.all_radio.setText(tr("(1) Architecture only: train everything anew"))
        self.epochs_label.setText(tr("Epochs"))
        self.weights_button.setText(tr("Network weights…"))
        self.train_button.setText(tr("Train"))
        self.cancel_button.setText(tr("Cancel"))
        self.results_box.setTitle(tr("Training"))
        self.confusion_label.setText(tr("Confusion matrix (validation photos; rows: truth)"))
        self.pages.setTabText(0, tr("Runs"))
        self.pages.setTabText(1, tr("Validation photos it got wrong"))
        self.pages.setTabText(2, tr("Tried"))
        self.tried_view.set_placeholder(tr("The photo or camera frame tried is shown here."))
        self.runs_label.setText(tr("Runs (tick to compare)"))
        self.remove_photo_button.setText(tr("Remove chosen photos"))
        self.delete_run_button.setText(tr("Delete run"))
        self.try_button.setText(tr("Try it on a photo…"))
        self.live_button.setText(tr("Try it on the camera"))
        self.curves.retranslate_ui()
        self._show_classes()
        self._show_network()
        self._show_training()
        self._show_runs()

    def shutdown(self) -> None:
        self.weights_status.shutdown()
        self.stop_burst()
        self.set_live(False)
        self.controller.shutdown()

    # --- classes and photos -----------------------------------------------------------------
    def _show_classes(self) -> None:
        row = self.class_list.currentRow()
        self.class_list.blockSignals(True)
        self.class_list.clear()
        for entry in self.controller.classes:
            item = QListWidgetItem(entry.name)
            item.setFlags(item.flags() | Qt.ItemIsEditable)
            self.class_list.addItem(item)
        self.class_list.blockSignals(False)
        count = self.class_list.count()
        if count:
            self.class_list.setCurrentRow(min(max(row, 0), count - 1))
        self.project_label.setText(
            tr("Project: {folder}").format(folder=self.controller.project.folder)
        )
        self._show_photos()
        self._show_training()

    def _show_photos(self) -> None:
        self.photo_list.clear()
        row = self.class_list.currentRow()
        self.photos_label.setText(tr("Choose or add a class."))
        if 0 <= row < len(self.controller.classes):
            entry = self.controller.classes[row]
            self.photos_label.setText(
                tr("{count} photos in {name}").format(count=len(entry.photos), name=entry.name)
            )
            for photo in entry.photos[:200]:
                item = QListWidgetItem(photo.name)
                item.setToolTip(str(photo))
                item.setData(Qt.UserRole, str(photo))
                self.photo_list.addItem(item)
        has_class = row >= 0
        for button in (self.remove_class_button, self.add_folder_button, self.add_files_button,
                       self.burst_button):  # fmt: skip
            button.setEnabled(has_class and not self.controller.training)
        self._enable_photo_buttons()

    def _enable_photo_buttons(self) -> None:
        chosen = bool(self.photo_list.selectedItems())
        self.remove_photo_button.setEnabled(chosen and not self.controller.training)

    def _remove_photos(self) -> None:
        row = self.class_list.currentRow()
        chosen = [Path(item.data(Qt.UserRole)) for item in self.photo_list.selectedItems()]
        if row >= 0 and chosen:
            self.controller.remove_photos(row, chosen)

    def _current_class(self) -> int:
        row = self.class_list.currentRow()
        if row < 0:
            row = self.controller.add_class()
            self.class_list.setCurrentRow(row)
        return row

    def _add_class(self) -> None:
        row = self.controller.add_class()
        self.class_list.setCurrentRow(row)
        self.class_list.editItem(self.class_list.item(row))

    def _remove_class(self) -> None:
        row = self.class_list.currentRow()
        if row >= 0:
            self.controller.remove_class(row)

    def _on_class_renamed(self, item: QListWidgetItem) -> None:
        row = self.class_list.row(item)
        if not self.controller.rename_class(row, item.text()):
            self._show_classes()

    def _add_folder(self) -> None:
        folder = ask_folder(self, tr("Photos of this class"), "own_classes_photos")
        if folder:
            self.add_photos([folder])

    def _add_files(self) -> None:
        files = ask_open_paths(
            self, tr("Photos of this class"), "own_classes_photos", IMAGE_FILE_FILTER
        )
        if files:
            self.add_photos(files)

    def add_photos(self, paths: list[Path]) -> None:
        row = self._current_class()
        added = self.controller.add_photos(row, paths)
        self.sig_status_message.emit(tr("{count} photos added.").format(count=added))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_photos(paths)

    # --- camera burst -----------------------------------------------------------------------
    def _open_camera(self):
        from vision_agent.core.video_source import FrameGrabber, SourceSpec

        spec = self.camera_spec or SourceSpec.camera(0)
        grabber = FrameGrabber(spec, on_frame=lambda: None, on_ended=lambda _: None)
        grabber.start()
        return grabber

    def start_burst(self) -> None:
        if self._grabber is not None:
            return
        self._current_class()
        self._burst = []
        self._grabber = self._open_camera()
        self._burst_timer.start()

    def _take_shot(self) -> None:
        if self._grabber is None:
            return
        taken = self._grabber.slot.take()
        if taken is not None:
            self._burst.append(taken[0])
            self.progress_label.setText(tr("{count} shots").format(count=len(self._burst)))

    def stop_burst(self) -> None:
        if self._grabber is None:
            return
        self._burst_timer.stop()
        self._take_shot()
        self._grabber.stop()
        self._grabber = None
        if self._burst:
            added = self.controller.add_shots(self.class_list.currentRow(), self._burst)
            self.sig_status_message.emit(tr("{count} photos added.").format(count=added))
        else:
            self._show_error(tr("No picture came from the camera."))
        self._burst = []

    # --- strategy ---------------------------------------------------------------------------
    def _strategy(self) -> str:
        if self.partial_radio.isChecked():
            return "partial"
        return "all" if self.all_radio.isChecked() else "head"

    def _on_strategy_changed(self) -> None:
        self.controller.set_strategy(
            strategy=self._strategy(),
            backbone=self.backbone_combo.currentData(),
            unfreeze=self.unfreeze_spin.value(),
            epochs=self.epochs_spin.value(),
        )
        self._show_training()

    def _choose_weights(self) -> None:
        path = ask_open_path(
            self, tr("Keras weights of the network (no top)"), "models", "Keras (*.h5 *.keras)"
        )
        if path:
            self.controller.set_strategy(weights=str(path))
            self._show_training()

    def _show_network(self) -> None:
        c = self.controller
        missing = c.missing_model()
        refusal = None
        if missing is not None:
            refusal = Refusal(("weights", missing), registry_caption(missing), missing_id=missing)
        self.weights_status.show_status(SlotStatus(refusal=refusal))
        problem = c.network_problem
        if missing is not None:
            message = tr("The network's weights are not on this computer yet.")
        else:
            message = said(problem) if problem else tr("Reading the network…")
        self.network.set_summary(c.network, message)

    # --- training and results ---------------------------------------------------------------
    def _show_training(self) -> None:
        c = self.controller
        busy = c.training
        self.train_button.setEnabled(not busy)
        self.delete_run_button.setEnabled(c.latest_run is not None and not busy)
        if c.latest_run is not None:
            self.summary_label.setText(self._summary(c.latest_run))
        self.cancel_button.setEnabled(busy)
        for widget in (self.backbone_combo, self.head_radio, self.partial_radio, self.all_radio,
                       self.unfreeze_spin, self.epochs_spin, self.weights_button,
                       self.add_class_button, self.project_button):  # fmt: skip
            widget.setEnabled(not busy)
        keras = c.request.strategy != "head" or c.request.backbone != "mobilenet_v2"
        self.weights_button.setVisible(c.request.strategy == "partial")
        self.weights_label.setVisible(c.request.strategy == "partial")
        self.weights_label.setText(
            Path(c.request.weights).name if c.request.weights else tr("from the model store")
        )
        progress = c.progress
        if busy:
            progress = f"{progress} ({c.elapsed():.0f} s)"
        elif keras and not progress:
            progress = tr("Needs TensorFlow in the training process; slower than (3).")
        self.progress_label.setText(progress)
        self._show_photos()
        self._show_curves()

    def _show_curves(self) -> None:
        c = self.controller
        history = [h.to_json() for h in c.history] if c.training or c.history else []
        kept = None
        if not history and c.latest_run is not None:
            run = c.latest_run
            history = run.get("history", [])
            label = kept_line(run.get("kept", HEAD))
            if label:  # the epochs are the softmax head's, not the kept model's
                kept = (label, run.get("validation_accuracy"), run.get("validation_loss"))
        overlays = [
            (tr("run {n}").format(n=r["number"]), r.get("history", [])) for r in c.overlaid_runs()
        ]
        self.curves.show_history(history, overlays, kept)

    def _show_runs(self) -> None:
        c = self.controller
        self.runs_list.blockSignals(True)
        self.runs_list.clear()
        for run in reversed(c.project.runs):
            accuracy = run.get("validation_accuracy")
            shown = "–" if accuracy is None else f"{accuracy:.0%}"
            text = tr("run {n}: {strategy}, {backbone}, {photos} photos, {epochs} epochs, "
                      "{seconds:.0f} s, validation {accuracy}").format(
                n=run["number"], strategy=run["strategy"], backbone=run["backbone"],
                photos=sum(run["photos"].values()), epochs=run["epochs"],
                seconds=run["seconds"], accuracy=shown)  # fmt: skip
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, run["number"])
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if run["number"] in c.overlaid else Qt.Unchecked)
            self.runs_list.addItem(item)
            if run is c.latest_run:
                self.runs_list.setCurrentItem(item)
        self.runs_list.blockSignals(False)
        run = c.latest_run
        self.delete_run_button.setEnabled(run is not None and not c.training)
        if run is None:
            self.confusion.show_matrix([], [])
            self.wrong_list.clear()
            self.summary_label.setText(tr("No run yet."))
        else:
            self.confusion.show_matrix(run["classes"], run["confusion_matrix"])
            self._show_wrong(run)
            self.summary_label.setText(self._summary(run))
        self._show_curves()

    def _summary(self, run: dict) -> str:
        accuracy, baseline = (
            run.get("validation_accuracy"),
            run.get("plain_logistic_regression_validation_accuracy"),
        )
        text = tr("run {n}").format(n=run["number"]) + " — "
        if accuracy is None:
            return text + tr("No validation photos: every photo was used for training.")
        text += tr("Validation accuracy {accuracy:.1%} on {count} photos kept out.").format(
            accuracy=accuracy, count=run["validation_photos"]
        )
        if baseline is not None:
            text += " " + tr("Plain logistic regression on the same features: {b:.1%}.").format(
                b=baseline
            )
        kept = kept_summary(run.get("kept", ""))
        if kept_line(run.get("kept", HEAD)) and not self.controller.training:  # its curves shown
            kept += " " + tr(
                "The curves are the softmax head's epochs; the dotted line is the kept model on "
                "the validation photos."
            )
        return text + (" " + kept if kept else "")

    def _show_wrong(self, run: dict) -> None:
        self.wrong_list.clear()
        metrics = self.wrong_list.fontMetrics()
        names = [p[key] for p in run.get("wrong", []) for key in ("truth", "predicted")]
        widest = max((metrics.horizontalAdvance(name) for name in names), default=0)
        self.wrong_list.setGridSize(
            QSize(max(THUMB, widest) + 16, THUMB + 3 * metrics.lineSpacing() + 8)
        )
        for photo in run.get("wrong", []):
            text = tr("{truth} → {predicted}").format(
                truth=photo["truth"], predicted=photo["predicted"]
            )
            item = QListWidgetItem(text)
            item.setToolTip(photo["file"])
            self.wrong_list.addItem(item)
        self.controller.request_thumbnails(run, THUMB)

    def _show_thumbnails(self, numbered: tuple) -> None:
        number, pictures = numbered
        if (self.controller.latest_run or {}).get("number") != number:
            return  # another run is shown now
        for row, picture in enumerate(pictures[: self.wrong_list.count()]):
            if picture is not None:
                self.wrong_list.item(row).setIcon(QIcon(rgb_to_pixmap(picture)))

    def _on_run_checked(self, item: QListWidgetItem) -> None:
        self.controller.set_overlaid(item.data(Qt.UserRole), item.checkState() == Qt.Checked)

    def _delete_run(self) -> None:
        run = self.controller.latest_run
        if run is None:
            return
        answer = QMessageBox.question(
            self,
            tr("Delete run"),
            tr("Delete run {n} and its model?").format(n=run["number"]),
        )
        if answer == QMessageBox.Yes:
            self.controller.delete_run(run["number"])

    def _choose_project(self) -> None:
        folder = ask_folder(self, tr("Project folder"), "own_classes_projects")
        if folder:
            self.controller.open_project(folder)

    # --- try it -----------------------------------------------------------------------------
    def _try_photo(self) -> None:
        path = ask_open_path(self, tr("Try it on a photo…"), "own_classes_try", IMAGE_FILE_FILTER)
        if path:
            self.try_path(path)

    def set_live(self, on: bool) -> None:
        """Try it on the camera: every few hundred milliseconds its newest frame."""
        if on and self._live is None:
            self._live = self._open_camera()
            self._live_timer.start()
            self.pages.setCurrentWidget(self.tried_page)
        elif not on and self._live is not None:
            self._live_timer.stop()
            self._live.stop()
            self._live = None
        if self.live_button.isChecked() != on:
            self.live_button.setChecked(on)

    def _try_live_frame(self) -> None:
        taken = self._live.slot.take() if self._live is not None else None
        if taken is not None:
            self.controller.try_frame(taken[0])

    def try_path(self, path: Path) -> None:
        self.try_label.setText(tr("Classifying {name}…").format(name=path.name))
        self.pages.setCurrentWidget(self.tried_page)
        self.controller.try_photo(path)

    def _show_tried(self, tried: Tried) -> None:
        """The photo or camera frame tried with its top classes over it and under it, on the
        "Tried" page (brought to the front when a photo or the camera is tried)."""
        run = self.controller.latest_run or {}
        top = tried.classification.top
        answers = "  ".join(f"{s.label} {s.probability:.1%}" for s in top)
        self.try_label.setText(f"{answers}  ({tr('run {n}').format(n=run.get('number'))})")
        self.tried_view.set_image(tried.picture)
        self.tried_view.set_labels(tried.classification.labels)

    def _show_try_failed(self, message: str) -> None:
        """Told once, on the "Tried" page in place of the picture, in the UI's language."""
        self.tried_view.set_image(None)
        self.tried_view.set_labels(None)
        translated = photo_message(message)
        self.try_label.setText(translated if translated != message else said(message))

    def _show_error(self, message: str) -> None:
        """Told once, under the Train button, in the UI's language."""
        self.progress_label.setText(said(message))


def kept_summary(kept: str) -> str:
    """What the run kept (`choice.HEAD`, `PLAIN` or `BLEND`; `GAUSSIANS` in runs of earlier
    versions; "" for Keras runs), and why."""
    if kept == HEAD:
        return tr(
            "Kept: the softmax head (clearly better in cross-validation on the training photos)."
        )
    if kept == BLEND:
        return tr(
            "Kept: the plain logistic regression and the class-conditional Gaussians together "
            "(each class its own mean and spread, weighed with the plain regression's answer; "
            "better than the plain regression alone in cross-validation on the training photos "
            "and no worse on the validation photos)."
        )
    if kept == GAUSSIANS:
        return tr(
            "Kept: the class-conditional Gaussians (each class its own mean and spread; no worse "
            "than the plain logistic regression in cross-validation on the training photos and "
            "on the validation photos)."
        )
    if kept == PLAIN:
        return tr(
            "Kept: the plain logistic regression (the other models did no better than it in "
            "cross-validation on the training photos or on the validation photos, or there "
            "were too few photos to tell)."
        )
    return ""


def kept_line(kept: str) -> str:
    """The name of the kept model's level line beside the softmax head's curves ("" where the
    curves are the kept model's own)."""
    if kept == PLAIN:
        return tr("kept: plain LR")
    if kept == BLEND:
        return tr("kept: plain LR + Gaussians")
    if kept == GAUSSIANS:
        return tr("kept: Gaussians")
    return ""


def said(message: str) -> str:
    """A message of the training core or process (English, from its templates) in the UI's
    language; a missing model or a model file's problem as the rest of the window says it."""
    translated = tr_template(message, MESSAGES)
    return translated if translated != message else model_problem(message)
