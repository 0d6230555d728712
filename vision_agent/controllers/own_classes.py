"""The "My classes" tab's pipeline: classes and their photos, the strategy, training in a child
process (each epoch's figures as they come), the runs of a project folder, and trying the
newest model on a photo.

Training runs in a `ModelService` hosting `training.own_classes_trainer.ClassTrainer` in a
child process; Cancel and closing stop that process at once (the service is shut down and a
fresh one is made for the next training). "Try it" runs the exported ONNX model in an
in-process service: no TensorFlow in the window's process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from vision_agent.controllers.model_slot import store_presence
from vision_agent.core.errors import UserError
from vision_agent.core.imageio import is_image_path
from vision_agent.core.own_classes.project import (
    SHOTS_FOLDER,
    ClassEntry,
    Project,
    delete_run,
    load_project,
    save_project,
)
from vision_agent.core.own_classes.runner import OwnModelRunner
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import tr
from vision_agent.paths import user_data_dir
from vision_agent.services.model_service import ModelService, Reply
from vision_agent.training.own_classes_trainer import ClassTrainer, TrainRequest

STRATEGIES = ("head", "partial", "all")


def default_project_folder() -> Path:
    return user_data_dir() / "own_classes" / "default"


class OwnClassesController(QObject):
    """Signals:
    sig_classes_changed(): a class was added, renamed, removed or given photos.
    sig_network_changed(): `network` (the stages and parameter counts) is new, or being made.
    sig_training_changed(): training started, made progress (`progress`), ended or stopped.
    sig_epoch(object): an `EpochFigures` of the run in progress.
    sig_runs_changed(): a run was added or chosen (`latest_run`), or the runs overlaid changed.
    sig_tried(object): the photo or frame tried and its classification (`runner.Tried`).
    sig_thumbnails(object): (run number, [RGB or None]) pictures of the run's wrong photos.
    sig_error(str): a message for the user.
    sig_try_failed(str): why the photo or frame tried gave no answer (unreadable, no model).
    """

    sig_classes_changed = pyqtSignal()
    sig_network_changed = pyqtSignal()
    sig_training_changed = pyqtSignal()
    sig_epoch = pyqtSignal(object)
    sig_runs_changed = pyqtSignal()
    sig_tried = pyqtSignal(object)
    sig_thumbnails = pyqtSignal(object)
    sig_error = pyqtSignal(str)
    sig_try_failed = pyqtSignal(str)

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = Project(folder or default_project_folder())
        self.request = TrainRequest(classes={}, out_dir="")
        self.network = None  # NetworkSummary of the chosen strategy, when known
        self.network_problem = ""
        self.training = False
        self.progress = ""
        self.history: list = []  # EpochFigures of the run in progress (or the one stopped)
        self.latest_run: dict | None = None
        self.overlaid: set[int] = set()
        self._trainer: ModelService | None = None
        self._runner: ModelService | None = None
        self._describing: Reply | None = None
        self._training_reply: Reply | None = None
        self._trying: Reply | None = None
        self._started = 0.0
        self._unsaveable = ""  # why the project file is not written (it could not be read)

    # --- project ----------------------------------------------------------------------------
    def start(self) -> None:
        self.open_project(self.project.folder)

    def open_project(self, folder: Path) -> None:
        self.cancel()
        try:
            self.project = load_project(folder)
            self._unsaveable = ""
        except UserError as exc:
            # An unreadable project file is never overwritten: work goes on unsaved.
            self.project, self._unsaveable = Project(Path(folder)), str(exc)
            self.sig_error.emit(str(exc))
        self.latest_run = self.project.runs[-1] if self.project.runs else None
        self.overlaid = set()
        if self.latest_run is not None:
            self._load_runner(self.latest_run)
        self.sig_classes_changed.emit()
        self.sig_runs_changed.emit()
        self.describe()

    def _save(self) -> None:
        if self._unsaveable:
            self.sig_error.emit(self._unsaveable)
            return
        try:
            save_project(self.project)
        except UserError as exc:
            self.sig_error.emit(str(exc))

    # --- classes and photos -----------------------------------------------------------------
    @property
    def classes(self) -> list[ClassEntry]:
        return self.project.classes

    def add_class(self, name: str = "") -> int:
        taken = {c.name for c in self.classes}
        number = len(self.classes) + 1
        while not name or name in taken:
            name, number = tr("Class {n}").format(n=number), number + 1
        self.classes.append(ClassEntry(name))
        self._classes_changed()
        return len(self.classes) - 1

    def rename_class(self, index: int, name: str) -> bool:
        name = name.strip()
        if not name or any(c.name == name for i, c in enumerate(self.classes) if i != index):
            self.sig_error.emit(tr("Each class needs a name of its own."))
            return False
        self.classes[index].name = name
        self._classes_changed()
        return True

    def remove_class(self, index: int) -> None:
        del self.classes[index]
        self._classes_changed()

    def add_photos(self, index: int, paths: list[Path]) -> int:
        """Add the image files among `paths` (folders: the images directly inside) to class
        `index`; returns how many were new."""
        found: list[Path] = []
        for path in map(Path, paths):
            if path.is_dir():
                try:
                    found += sorted(p for p in path.iterdir() if is_image_path(p) and p.is_file())
                except OSError as exc:
                    self.sig_error.emit(
                        tr("Cannot list {folder}: {why}").format(
                            folder=path, why=exc.strerror or exc
                        )
                    )
            elif is_image_path(path):
                found.append(path)
        entry = self.classes[index]
        known = set(entry.photos)
        new = [p.resolve() for p in found if p.resolve() not in known]
        entry.photos.extend(dict.fromkeys(new))
        if new:
            self._classes_changed()
        return len(new)

    def add_shots(self, index: int, frames: list[np.ndarray]) -> int:
        """Camera frames (RGB) saved into the project's shots folder and added to a class."""
        from vision_agent.core.imageio import write_image

        folder = self.project.folder / SHOTS_FOLDER
        saved = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            for k, frame in enumerate(frames):
                path = folder / f"shot-{stamp}-{index}-{k:03d}.jpg"
                write_image(path, frame)
                saved.append(path)
        except (OSError, UserError) as exc:
            self.sig_error.emit(str(exc))
        return self.add_photos(index, saved)

    def remove_photos(self, index: int, photos: list[Path]) -> None:
        """Take photos out of class `index` (the files themselves stay where they are)."""
        gone = set(photos)
        entry = self.classes[index]
        entry.photos = [p for p in entry.photos if p not in gone]
        self._classes_changed()

    def _classes_changed(self) -> None:
        self._save()
        self.sig_classes_changed.emit()

    # --- strategy and the network picture ---------------------------------------------------
    def set_strategy(self, **changes) -> None:
        """Change the strategy, backbone, unfrozen blocks, epochs or weights file."""
        self.request = replace(self.request, **changes)
        self.describe()

    def missing_model(self) -> str | None:
        """The model-store model the chosen strategy needs and this computer lacks (its files
        checked by size, no hashing): the tab offers its download, nothing downloads itself."""
        needed = self.request.store_model
        return needed if needed is not None and not store_presence(needed) else None

    def describe(self) -> None:
        """Ask the trainer for the chosen network's stages (a Keras backbone: TensorFlow in the
        training process, a few seconds); not while the weights it needs are missing."""
        if self.training:
            return
        if self._describing is not None:
            self._describing.discard()
            self._describing = None
        self.network, self.network_problem = None, ""
        self.sig_network_changed.emit()
        if self.missing_model() is not None:
            return
        request = replace(self.request, classes={c.name: [] for c in self.classes})
        self._describing = (
            self._trainer_service()
            .call(ClassTrainer.describe, request, latest=True)
            .then(self._on_described, self._on_describe_failed)
        )

    def _on_described(self, network) -> None:
        self.network = network
        self.sig_network_changed.emit()

    def _on_describe_failed(self, message: str) -> None:
        self.network_problem = message
        self.sig_network_changed.emit()

    # --- training ---------------------------------------------------------------------------
    def train(self) -> None:
        if self.training:
            return
        classes = {c.name: [str(p) for p in c.photos] for c in self.classes if c.photos}
        if len(classes) < 2:
            self.sig_error.emit(tr("Give at least two classes with photos in each."))
            return
        if self.missing_model() is not None:
            self.sig_error.emit(tr("Download the network's weights first (see above)."))
            return
        number = 1 + max((int(r.get("number", 0)) for r in self.project.runs), default=0)
        out_dir = self.project.run_folder(number)
        request = replace(self.request, classes=classes, out_dir=str(out_dir))
        self.training, self.history, self.progress = True, [], tr("Starting…")
        self._started = time.perf_counter()
        self.sig_training_changed.emit()
        service = self._trainer_service()
        self._training_reply = service.call(ClassTrainer.train, request).then(
            lambda result: self._on_trained(result, request, number), self._on_train_failed
        )

    def _on_event(self, event) -> None:
        if not self.training:
            return
        kind = event[0]
        if kind == "features":
            self.progress = tr("Features of photo {done} of {total}").format(
                done=event[1], total=event[2]
            )
            self.sig_training_changed.emit()
        elif kind == "epoch":
            figures = event[1]
            self.history.append(figures)
            self.progress = tr("Epoch {n} of {total}").format(
                n=figures.epoch, total=self.request.epochs
            )
            self.sig_epoch.emit(figures)
            self.sig_training_changed.emit()
        elif kind == "network":
            self.network = event[1]
            self.sig_network_changed.emit()

    def _on_trained(self, result, request: TrainRequest, number: int) -> None:
        record = result.to_json() | {
            "number": number,
            "unfreeze": request.unfreeze if request.strategy == "partial" else None,
            "finished": time.strftime("%Y-%m-%d %H:%M"),
        }
        self.project.runs.append(record)
        self.latest_run = record
        # Its epochs are shown from here on as the run's record (with the kept model's figures).
        self.training, self.progress, self.history = False, "", []
        self._save()
        self._load_runner(record)
        self.sig_training_changed.emit()
        self.sig_runs_changed.emit()

    def _on_train_failed(self, message: str) -> None:
        self.training, self.progress = False, ""
        self.sig_training_changed.emit()
        self.sig_error.emit(message)

    def cancel(self) -> None:
        """Stop a training at once: its process is ended; nothing of the run is kept."""
        if not self.training:
            return
        self._stop_trainer()
        self.training, self.progress = False, tr("Training stopped.")
        self.sig_training_changed.emit()

    def elapsed(self) -> float:
        return time.perf_counter() - self._started

    # --- runs -------------------------------------------------------------------------------
    def set_overlaid(self, number: int, shown: bool) -> None:
        (self.overlaid.add if shown else self.overlaid.discard)(number)
        self.sig_runs_changed.emit()

    def select_run(self, number: int) -> None:
        """Show run `number`'s results, and try photos on its model."""
        run = next((r for r in self.project.runs if r.get("number") == number), None)
        if run is None or run is self.latest_run:
            return
        self.latest_run, self.history = run, []
        self._load_runner(run)
        self.sig_runs_changed.emit()

    def delete_run(self, number: int) -> None:
        """Forget run `number` and delete its model; the newest run left is shown."""
        if self._unsaveable:
            self.sig_error.emit(self._unsaveable)
            return
        try:
            delete_run(self.project, number)
        except UserError as exc:
            self.sig_error.emit(str(exc))
            return
        self.overlaid.discard(number)
        if self.latest_run is not None and self.latest_run.get("number") == number:
            self.latest_run = self.project.runs[-1] if self.project.runs else None
            self.history = []
            if self.latest_run is not None:
                self._load_runner(self.latest_run)
            elif self._runner is not None:  # nothing left to try photos on
                self._runner.shutdown()
                self._runner = None
        self.sig_runs_changed.emit()

    def overlaid_runs(self) -> list[dict]:
        return [r for r in self.project.runs if r.get("number") in self.overlaid]

    # --- try it -----------------------------------------------------------------------------
    def _load_runner(self, run: dict) -> None:
        model = (run.get("files") or {}).get("model")
        if not model:
            return
        if self._runner is None:
            self._runner = ModelService("own-classes-try", self)
        self._runner.load(RecognizerSpec(OwnModelRunner, {"model": Path(model)}, label="own model"))

    def request_thumbnails(self, run: dict, side: int) -> None:
        """Small pictures of `run`'s wrong photos, read in the model's thread."""
        paths = [Path(w["file"]) for w in run.get("wrong", [])]
        if self._runner is None or not paths:
            return
        self._runner.call(OwnModelRunner.thumbnails, paths, side).then(
            lambda pictures: self.sig_thumbnails.emit((run.get("number"), pictures))
        )

    def try_photo(self, path: Path) -> None:
        self._try(OwnModelRunner.classify_file, Path(path))

    def try_frame(self, rgb: np.ndarray) -> None:
        """A camera frame through the chosen run's model (a newer frame replaces one waiting)."""
        self._try(OwnModelRunner.classify_image, rgb)

    def _try(self, method: Callable[..., object], subject: object) -> None:
        if self._runner is None:
            self.sig_try_failed.emit(tr("Train a model first."))
            return
        if self._trying is not None:
            self._trying.discard()
        self._trying = self._runner.call(method, subject, 3, latest=True).then(
            self.sig_tried.emit, self.sig_try_failed.emit
        )

    # --- services ---------------------------------------------------------------------------
    def _trainer_service(self) -> ModelService:
        if self._trainer is None:
            self._trainer = ModelService("own-classes-training", self)
            self._trainer.sig_event.connect(self._on_event)
            self._trainer.sig_state_changed.connect(self._on_trainer_state)
            self._trainer.load(RecognizerSpec(ClassTrainer, in_process=False, label="trainer"))
        return self._trainer

    def _on_trainer_state(self, state: str, detail: str) -> None:
        if state == "failed" and self.training:
            self._on_train_failed(detail)

    def _stop_trainer(self) -> None:
        for reply in (self._training_reply, self._describing):
            if reply is not None:
                reply.discard()
        self._training_reply = self._describing = None
        if self._trainer is not None:
            self._trainer.shutdown()
            self._trainer.deleteLater()
            self._trainer = None

    def shutdown(self) -> None:
        self.training = False
        self._stop_trainer()
        if self._runner is not None:
            self._runner.shutdown()
            self._runner = None
