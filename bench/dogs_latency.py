"""Dog-breed speed: the default ImageNet recognizer vs a DenseNet121 breed model, per photo.

Prints medians (ms per photo, photo already decoded) over the 20 shared dog photos for
  * the default recognizer (MobileNetV2 int8 ONNX restricted to ImageNet's dog classes), with
    and without drawing the annotation, and through the app's service (request -> result signal);
  * a DenseNet121 breed model (course head, 120 classes, `weights=None`: timing only) run as the
    app runs it (compiled `tf.function` in `KerasBreedRecognizer`), beside Keras `model.predict`
    on the same input, and through the service (child process, result pickled back);
and the ratios between them within this run.

    python bench/dogs_latency.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ASSETS = REPO.parent / "shared" / "assets"
os.environ.setdefault("VISION_AGENT_MODEL_PATH", str(ASSETS))

from PyQt5.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402

from vision_agent.core.dogs import ImageNetDogRecognizer  # noqa: E402
from vision_agent.core.imageio import read_image  # noqa: E402
from vision_agent.core.keras_breeds import KerasBreedRecognizer  # noqa: E402
from vision_agent.engine.recipes import imagenet_dog_spec, keras_breed_spec  # noqa: E402
from vision_agent.engine.registry_models import dog_recognizer  # noqa: E402
from vision_agent.services.model_service import ModelService  # noqa: E402


def median_ms(function, photos, repeats: int) -> float:
    for photo in photos:  # warm-up: caches, thread pools, lazy initialisation
        function(photo)
    times = []
    for _ in range(repeats):
        for photo in photos:
            started = time.perf_counter()
            function(photo)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def service_ms(spec, photos, repeats: int) -> float:
    """Median call -> reply time through a ModelService (model loaded first)."""
    app = QCoreApplication.instance() or QCoreApplication([])
    service = ModelService("bench")
    loop = QEventLoop()
    service.sig_state_changed.connect(lambda state, _d: loop.quit() if state != "loading" else None)
    QTimer.singleShot(180_000, loop.quit)
    service.load(spec)
    loop.exec_()
    times = []
    for index in range(repeats * len(photos) + 1):
        started = time.perf_counter()
        service.call(ImageNetDogRecognizer.recognize, photos[index % len(photos)]).then(
            lambda _result: loop.quit(), lambda message: (print(message), loop.quit())
        )
        loop.exec_()
        if index:  # the first call warms up
            times.append((time.perf_counter() - started) * 1000)
    service.shutdown()
    del app
    return statistics.median(times)


def densenet_breed_model(folder: Path) -> tuple[Path, Path]:
    import json

    import keras

    from vision_agent.training.dogs import DogTrainingOptions, build_model

    options = DogTrainingOptions("", "", backbone_weights="none", head="course")
    model, _ = build_model(options, 120)
    model_path, classes_path = folder / "densenet121_breeds.keras", folder / "classes.json"
    model.save(model_path)
    classes_path.write_text(json.dumps([f"n{i:08d}-breed_{i}" for i in range(120)]))
    print(f"DenseNet121 breed model: {model.count_params() / 1e6:.1f} M weights, keras "
          f"{keras.__version__}")  # fmt: skip
    return model_path, classes_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    photos = [read_image(p) for p in sorted((ASSETS / "photos" / "dogs").glob("*.jpg"))]
    print(f"{len(photos)} dog photos, {args.repeats} repeats, {os.cpu_count()} CPUs")

    default = dog_recognizer("mobilenet_v2_int8")
    rows = {
        "default (MobileNetV2 int8 ONNX), no drawing": median_ms(
            lambda p: default.recognize(p, annotate=False), photos, args.repeats
        ),
        "default, with annotation": median_ms(default.recognize, photos, args.repeats),
        "default, through the service": service_ms(
            imagenet_dog_spec("mobilenet_v2_int8"), photos, args.repeats
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        model_path, classes_path = densenet_breed_model(Path(tmp))
        breeds = KerasBreedRecognizer(model_path, classes_path)
        rows["DenseNet121 breeds, tf.function (as the app runs it)"] = median_ms(
            lambda p: breeds.recognize(p, annotate=False), photos, 1
        )
        rows["DenseNet121 breeds, keras model.predict"] = median_ms(
            lambda p: breeds.model.predict(breeds.model_input(p), verbose=0), photos, 1
        )
        rows["DenseNet121 breeds, through the service (child process)"] = service_ms(
            keras_breed_spec(model_path, classes_path, "mobilenet_v2_int8"), photos, 1
        )
    base = rows["default (MobileNetV2 int8 ONNX), no drawing"]
    print(f"{'recognizer':60s} {'ms/photo':>9s} {'ratio':>7s}")
    for name, ms in rows.items():
        print(f"{name:60s} {ms:9.1f} {ms / base:7.1f}x")
    ratio = (
        rows["DenseNet121 breeds, keras model.predict"]
        / rows["DenseNet121 breeds, tf.function (as the app runs it)"]
    )
    print(f"model.predict / tf.function for DenseNet121: {ratio:.2f}x")


if __name__ == "__main__":
    main()
