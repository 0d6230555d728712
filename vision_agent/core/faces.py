"""The SSD face detector (the course's "SSD 얼굴 검출"), run by OpenCV DNN in the calling thread.

res10 (ResNet-10 SSD at 300×300) comes as Caffe weights + deploy.prototxt or as a TensorFlow
uint8 graph + .pbtxt; a user's own SSD-style file works too if its output is the usual
[1, 1, N, 7] rows (image_id, label, confidence, x1, y1, x2, y2) with normalised coordinates.
OpenCV releases the GIL while the network runs, so this stays in-process (no TensorFlow).

Unlike the course program, every row is considered (the output is not guaranteed sorted),
y is scaled by the frame's height (the course used the width), boxes are clamped to the frame,
and empty boxes are dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from vision_agent.core.errors import ModelLoadError
from vision_agent.core.predictors import read_dnn_net, require_model_file, short_cv_error

INPUT_SIZE = (300, 300)
TRAINING_MEAN = (104.0, 177.0, 123.0)  # BGR; OpenCV's sample and training files
COURSE_MEAN = (104.0, 117.0, 123.0)  # what the course wrote (the ImageNet mean, wrong here)
DEFAULT_THRESHOLD = 0.5
PHOTO_MAX_SIDE = 4096  # the network sees 300×300; larger photos are decoded reduced
NMS_THRESHOLD = 0.4
BOX_COLOR = (0, 255, 0)  # green in RGB and BGR alike

# Names the CLI and the tab use for the registry's face models, best first (the CLI's choice
# without --model is the first present: the original fp32 weights, then their copies).
MODEL_CHOICES = {
    "res10-caffe": "res10_caffe_fp32",
    "res10-caffe-fp16": "res10_caffe_fp16",
    "res10-tf": "res10_tf_uint8",
}
SHIPPED_MODEL = "res10-tf"  # ships with the app (resources/models/faces): the tab starts on it
CONFIG_SUFFIXES = {".caffemodel": (".prototxt",), ".pb": (".pbtxt",), ".onnx": ()}
FACE_MODEL_FILE_FILTER = "Face detectors (*.caffemodel *.pb *.onnx)"


@dataclass(frozen=True)
class Face:
    """One face: (x, y, w, h) in pixels of the original frame, inside it, and the confidence."""

    box: tuple[int, int, int, int]
    confidence: float


@dataclass
class FaceDetection:
    """The result for one frame. `annotated` is the frame (RGB) with boxes, labels and blur.

    `scale` is the original photo's pixels per frame pixel (above 1 when a large photo was
    decoded reduced); `to_json` gives boxes in the original photo's pixels.
    """

    faces: list[Face]
    latency_ms: float
    annotated: np.ndarray = field(repr=False)
    frame_index: int = -1
    scale: float = 1.0

    def to_json(self, file: str | None = None) -> dict:
        record: dict = {} if file is None else {"file": file}
        record["faces"] = [
            {
                "box": [round(v * self.scale) for v in face.box],
                "confidence": round(face.confidence, 4),
            }
            for face in self.faces
        ]
        record["latency_ms"] = round(self.latency_ms, 2)
        return record


def parse_detections(
    output: np.ndarray,
    width: int,
    height: int,
    threshold: float,
    nms_threshold: float | None = NMS_THRESHOLD,
) -> list[Face]:
    """Faces from an SSD output blob (any shape ending in 7 columns), best first.

    x is scaled by `width` and y by `height`; boxes are clamped to the frame, and boxes that are
    empty after clamping are dropped. With `nms_threshold`, overlapping boxes are merged.
    """
    rows = np.asarray(output, np.float32).reshape(-1, 7)
    boxes: list[list[int]] = []
    scores: list[float] = []
    for row in rows:
        confidence = float(row[2])
        if not np.isfinite(confidence) or confidence < threshold:
            continue
        x1, x2 = (np.clip(row[[3, 5]], 0.0, 1.0) * width).round().astype(int)
        y1, y2 = (np.clip(row[[4, 6]], 0.0, 1.0) * height).round().astype(int)
        x1, x2 = sorted((int(x1), int(x2)))
        y1, y2 = sorted((int(y1), int(y2)))
        if x2 - x1 < 1 or y2 - y1 < 1:
            continue
        boxes.append([x1, y1, x2 - x1, y2 - y1])
        scores.append(confidence)
    if nms_threshold is not None and len(boxes) > 1:
        keep = cv2.dnn.NMSBoxes(boxes, scores, threshold, nms_threshold)
        indices = [int(i) for i in np.asarray(keep).reshape(-1)]
    else:
        indices = list(range(len(boxes)))
    faces = [Face(tuple(boxes[i]), scores[i]) for i in indices]
    return sorted(faces, key=lambda face: -face.confidence)


def blur_faces(rgb: np.ndarray, faces: list[Face]) -> None:
    """Blur every face box in place (strong enough that nobody is recognisable)."""
    for face in faces:
        x, y, w, h = face.box
        region = rgb[y : y + h, x : x + w]
        if region.size == 0:
            continue
        small = cv2.resize(region, (max(1, w // 12), max(1, h // 12)), interpolation=cv2.INTER_AREA)
        pixelated = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
        region[:] = cv2.GaussianBlur(pixelated, (0, 0), max(1.0, min(w, h) / 10))


def draw_faces(rgb: np.ndarray, faces: list[Face]) -> None:
    """Green boxes with their confidence ("0.97": the same in every UI language) above each,
    inside the frame when the box touches the top, and below the box when that place is taken
    by a label already drawn (faces close together)."""
    height, width = rgb.shape[:2]
    thickness = max(1, round(min(width, height) / 300))
    scale = max(0.4, min(width, height) / 800)
    for face in faces:
        x, y, w, h = face.box
        cv2.rectangle(rgb, (x, y), (x + w - 1, y + h - 1), BOX_COLOR, thickness)
    taken: list[tuple[int, int, int, int]] = []
    for face in faces:
        x, y, w, h = face.box
        label = f"{face.confidence:.2f}"
        (text_w, text_h), baseline = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        text_x = min(x, max(0, width - text_w))
        above = y - 4 if y - 4 - text_h >= 0 else y + text_h + 4
        below = min(height - baseline, y + h + text_h + 4)
        for text_y in (above, below, above):  # the last: both taken, overlap rather than hide
            box = (text_x, text_y - text_h - 2, text_x + text_w, text_y + baseline - 1)
            if not any(_overlap(box, other) for other in taken):
                break
        taken.append(box)
        cv2.rectangle(rgb, box[:2], box[2:], BOX_COLOR, cv2.FILLED)
        cv2.putText(
            rgb, label, (text_x, text_y - 1), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1,
            cv2.LINE_AA,
        )  # fmt: skip


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class FaceDetector:
    """An SSD face detector: `detect(frame) -> FaceDetection`."""

    def __init__(
        self,
        net: cv2.dnn.Net,
        name: str,
        mean: tuple[float, float, float] = TRAINING_MEAN,
        nms_threshold: float | None = NMS_THRESHOLD,
    ) -> None:
        self.net = net
        self.model_name = name
        self.mean = tuple(float(m) for m in mean)
        self.nms_threshold = nms_threshold
        self._check_output()

    # ----------------------------------------------------------------- loading
    @classmethod
    def from_files(
        cls,
        files: dict[str, Path],
        name: str | None = None,
        mean: tuple[float, ...] | None = None,
    ) -> FaceDetector:
        """From a model's files ({"weights": ..., "config": ...}), called `name` (the weights
        file's name by default); a registry model's name and mean come from
        `engine.registry_models.face_detector`."""
        net = read_dnn_net(Path(files["weights"]), files.get("config"))
        return cls(net, name or Path(files["weights"]).name, mean or TRAINING_MEAN)

    @classmethod
    def from_user_file(cls, path: str | Path, config: str | Path | None = None) -> FaceDetector:
        """A user's own SSD-style detector; its .prototxt/.pbtxt is found beside it if not given."""
        path = require_model_file(path)
        if config is None:
            config = find_config(path)
        return cls(read_dnn_net(path, config), path.name)

    def _check_output(self) -> None:
        try:
            output = self._forward(np.zeros((*INPUT_SIZE[::-1], 3), np.uint8))
        except cv2.error as exc:
            raise ModelLoadError(
                f"{self.model_name} is not a face detector this app can run: it does not take "
                f"a 300×300 colour image (OpenCV: {short_cv_error(exc)})."
            ) from None
        if output.size == 0 or output.shape[-1] != 7:
            raise ModelLoadError(
                f"{self.model_name} is not an SSD-style detector: its output has shape "
                f"{tuple(output.shape)}, not [1, 1, N, 7]."
            )

    # ----------------------------------------------------------------- detection
    def _forward(self, bgr: np.ndarray) -> np.ndarray:
        resized = cv2.resize(bgr, INPUT_SIZE, interpolation=cv2.INTER_LINEAR)
        blob = cv2.dnn.blobFromImage(resized, 1.0, INPUT_SIZE, self.mean, swapRB=False)
        self.net.setInput(blob)
        return self.net.forward()

    def detect(
        self,
        frame: np.ndarray,
        threshold: float = DEFAULT_THRESHOLD,
        blur: bool = False,
        frame_index: int = -1,
        bgr: bool = False,
    ) -> FaceDetection:
        """Find faces in an RGB (or, with `bgr`, BGR) uint8 frame; boxes in its pixels."""
        started = time.perf_counter()
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
        height, width = frame.shape[:2]
        as_bgr = frame if bgr else cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
        output = self._forward(as_bgr)
        faces = parse_detections(output, width, height, threshold, self.nms_threshold)
        annotated = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) if bgr else frame.copy()
        if blur:
            blur_faces(annotated, faces)
        draw_faces(annotated, faces)
        latency = (time.perf_counter() - started) * 1000
        return FaceDetection(faces, latency, annotated, frame_index)

    def detect_file(
        self, path: str | Path, threshold: float = DEFAULT_THRESHOLD, blur: bool = False
    ) -> FaceDetection:
        from vision_agent.core.imageio import read_photo

        photo = read_photo(path, max_side=PHOTO_MAX_SIDE)
        return replace(self.detect(photo.rgb, threshold, blur), scale=photo.scale)


def find_config(weights: Path) -> Path | None:
    """The network text that goes with `weights` (same stem, or the usual names beside it)."""
    suffixes = CONFIG_SUFFIXES.get(weights.suffix.lower())
    if suffixes is None:
        raise ModelLoadError(
            f"{weights.name}: open a face detector as .caffemodel (with its .prototxt beside "
            "it), .pb (with its .pbtxt) or .onnx."
        )
    for suffix in suffixes:
        candidates = [weights.with_suffix(suffix), *sorted(weights.parent.glob(f"*{suffix}"))]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
    if weights.suffix.lower() == ".caffemodel":
        raise ModelLoadError(
            f"{weights.name} needs its network description (a .prototxt such as "
            "deploy.prototxt) in the same folder."
        )
    return None
