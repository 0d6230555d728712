"""The "My classes" tab's trainer, hosted in a child process (`ModelService` + `ProcessHost`):
one object that describes the network a strategy trains and runs the training, reporting
each step as an event. Only the Keras strategies import TensorFlow, and only here.

Events (through `engine.events.emit`): `("network", NetworkSummary)`, `("features", done,
total)`, `("epoch", EpochFigures)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vision_agent.core.own_classes.dataset import photo_set
from vision_agent.core.own_classes.train import TrainingResult
from vision_agent.engine.events import emit
from vision_agent.engine.registry_models import BACKBONE_ID
from vision_agent.training.own_classes_keras import (
    ARCHITECTURES,
    KerasOptions,
    NetworkSummary,
    Stage,
)


@dataclass(frozen=True)
class TrainRequest:
    classes: dict[str, list[str]]  # class name -> photo files
    out_dir: str
    strategy: str = "head"  # "head", "partial" or "all"
    backbone: str = "mobilenet_v2"
    unfreeze: int = 2
    epochs: int = 20
    validation: float = 0.2
    seed: int = 0
    weights: str | None = None  # Keras weights of the backbone (partial)
    image_size: int = 224
    alpha: float = 1.0

    @property
    def on_shipped_backbone(self) -> bool:
        """Strategy (3) on the shipped MobileNetV2 int8: no TensorFlow at all."""
        return self.strategy == "head" and self.backbone == "mobilenet_v2"

    @property
    def store_model(self) -> str | None:
        """The model-store model this strategy needs: the shipped MobileNetV2 for (3) on it,
        the backbone's no-top Keras weights for (2) without a weights file (where the store
        lists them); None where it needs none ((1) trains from scratch) or a user's file."""
        if self.on_shipped_backbone:
            return BACKBONE_ID
        if self.strategy == "partial" and self.weights is None:
            return ARCHITECTURES[self.backbone][2]
        return None

    def keras_options(self) -> KerasOptions:
        return KerasOptions(
            self.backbone,
            self.strategy,
            self.unfreeze,
            self.epochs,
            self.validation,
            self.seed,
            self.weights,
            self.image_size,
            self.alpha,
        )


class ClassTrainer:
    model_name = "own-classes trainer"

    def __init__(self) -> None:
        self._extractor = None

    def describe(self, request: TrainRequest) -> NetworkSummary:
        """The network's stages, frozen or trained, with their parameter counts."""
        classes = max(2, len(request.classes))
        if request.on_shipped_backbone:
            from vision_agent.core.own_classes.features import backbone_parameters

            extractor = self._shipped_extractor()
            frozen = backbone_parameters(extractor.backbone.path)
            head = (extractor.size + 1) * classes
            stages = [Stage(extractor.backbone.name, frozen, False), Stage("new head", head, True)]
            return NetworkSummary(stages, head, frozen)
        from vision_agent.training.own_classes_keras import build_model, summary

        return summary(build_model(request.keras_options(), classes))

    def train(self, request: TrainRequest) -> TrainingResult:
        photos = photo_set(
            {name: [Path(p) for p in files] for name, files in request.classes.items()}
        )
        if request.on_shipped_backbone:
            from vision_agent.core.own_classes.train import train_head_only

            emit(("network", self.describe(request)))
            return train_head_only(
                photos,
                self._shipped_extractor(),
                Path(request.out_dir),
                epochs=request.epochs,
                validation=request.validation,
                seed=request.seed,
                on_epoch=lambda figures: emit(("epoch", figures)),
                on_features=lambda done, total: emit(("features", done, total)),
            )
        from vision_agent.training.own_classes_keras import train_keras

        return train_keras(
            photos,
            request.keras_options(),
            Path(request.out_dir),
            on_epoch=lambda figures: emit(("epoch", figures)),
            on_summary=lambda network: emit(("network", network)),
        )

    def _shipped_extractor(self):
        if self._extractor is None:
            from vision_agent.core.own_classes.features import FeatureExtractor
            from vision_agent.engine.registry_models import features_cache, shipped_backbone

            self._extractor = FeatureExtractor(shipped_backbone(), features_cache())
        return self._extractor
