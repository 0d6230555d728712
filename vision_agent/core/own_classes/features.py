"""The frozen backbone: MobileNetV2 int8 (ONNX) cut at its pooled features, and their cache.

The shipped graph ends GlobalAveragePool -> Reshape -> MatMul/Add (the ImageNet classifier).
`feature_graph` keeps everything up to the pool and dequantises it: (N, 1280) float32 per
photo, the input of the new head. Features are cached per photo file (its path, size and
modification time, and the backbone file's hash) in the model cache, so a photo's features
are computed once, whatever the run.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision_agent.core.errors import ModelLoadError, UserError
from vision_agent.core.imagenet_preprocess import Preprocessing
from vision_agent.core.own_classes.head import Cancelled
from vision_agent.core.own_classes.messages import NOT_CUT

FEATURES_OUTPUT = "features"


@dataclass(frozen=True)
class Backbone:
    """The frozen feature extractor: its ONNX file, its preprocessing and what it is."""

    model_id: str
    path: Path
    preprocessing: Preprocessing
    name: str
    digest: str  # the file's SHA-256, part of every cache key


def feature_graph(path: Path):
    """The backbone's ONNX model cut at the global average pool: output `features` (N, 1280)."""
    import onnx
    from onnx import helper

    model = onnx.load(str(path))
    graph = model.graph
    pools = [
        n for n in graph.node if n.op_type in ("QLinearGlobalAveragePool", "GlobalAveragePool")
    ]
    if len(pools) != 1:
        raise ModelLoadError(f"{path.name} has no single global average pool to cut at.")
    pool = pools[0]
    keep: list = []
    for node in graph.node:
        keep.append(node)
        if node is pool:
            break
    pooled = pool.output[0]
    if pool.op_type == "QLinearGlobalAveragePool":
        # inputs: x, x_scale, x_zero_point, y_scale, y_zero_point
        dequant = helper.make_node(
            "DequantizeLinear", [pooled, pool.input[3], pool.input[4]], ["pooled_float"]
        )
        keep.append(dequant)
        pooled = "pooled_float"
    keep.append(helper.make_node("Flatten", [pooled], [FEATURES_OUTPUT], axis=1))
    del graph.node[:]
    graph.node.extend(keep)
    del graph.output[:]
    graph.output.append(
        helper.make_tensor_value_info(FEATURES_OUTPUT, onnx.TensorProto.FLOAT, ["N", None])
    )
    used = {name for node in keep for name in node.input}
    initializers = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    del graph.value_info[:]
    return model


class FeatureExtractor:
    """Pooled backbone features of photos (RGB uint8) or photo files, cached per file."""

    def __init__(self, backbone: Backbone, cache_dir: Path | None) -> None:
        from vision_agent.core.onnx_export import cpu_session

        self.backbone = backbone
        self.cache_dir = cache_dir
        graph = feature_graph(backbone.path)
        try:
            self._session = cpu_session(graph.SerializeToString())
        except Exception as exc:
            raise ModelLoadError(
                NOT_CUT.format(file=backbone.path.name, reason=str(exc)[:200])
            ) from None
        self._input = self._session.get_inputs()[0].name
        self.size = int(self.of_images([np.zeros((8, 8, 3), np.uint8)]).shape[1])

    def of_images(self, photos: Sequence[np.ndarray]) -> np.ndarray:
        """(N, D) float32 features of RGB uint8 photos of any size."""
        prep = self.backbone.preprocessing
        batch = np.stack([prep.normalize(prep.resized(p)) for p in photos])
        blob = np.ascontiguousarray(batch.transpose(0, 3, 1, 2), np.float32)
        return np.asarray(self._session.run(None, {self._input: blob})[0], np.float32)

    def of_files(
        self,
        paths: Sequence[Path],
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[np.ndarray, list[tuple[Path, str]]]:
        """Features of each readable photo file (rows in `paths` order, unreadable ones left
        out) and the (file, reason) of those left out. Stops early when `cancel` is set."""
        from vision_agent.core.imageio import read_image

        rows: list[np.ndarray] = []
        skipped: list[tuple[Path, str]] = []
        for done, path in enumerate(paths, 1):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            cached = self._cached(path)
            if cached is None:
                try:
                    photo = read_image(path, max_side=512)
                except UserError as exc:
                    skipped.append((Path(path), str(exc)))
                    continue
                cached = self.of_images([photo])[0]
                self._store(path, cached)
            rows.append(cached)
            if progress is not None:
                progress(done, len(paths))
        features = np.stack(rows) if rows else np.zeros((0, self.size), np.float32)
        return features, skipped

    # ------------------------------------------------------------------ cache

    def _key(self, path: Path) -> Path | None:
        if self.cache_dir is None:
            return None
        try:
            info = Path(path).stat()
        except OSError:
            return None
        text = f"{self.backbone.digest}|{Path(path).resolve()}|{info.st_size}|{info.st_mtime_ns}"
        return self.cache_dir / (hashlib.sha256(text.encode()).hexdigest()[:32] + ".npy")

    def _cached(self, path: Path) -> np.ndarray | None:
        key = self._key(path)
        if key is None or not key.is_file():
            return None
        try:
            row = np.load(key, allow_pickle=False)
        except (OSError, ValueError):
            return None
        return row if row.shape == (self.size,) and row.dtype == np.float32 else None

    def _store(self, path: Path, row: np.ndarray) -> None:
        key = self._key(path)
        if key is None:
            return
        try:
            key.parent.mkdir(parents=True, exist_ok=True)
            partial = key.with_suffix(f".{threading.get_ident()}.part")
            with open(partial, "wb") as handle:
                np.save(handle, row.astype(np.float32))
            partial.replace(key)
        except OSError:
            return  # a cache that cannot be written only costs time


def backbone_parameters(path: Path) -> int:
    """How many weights and biases the feature graph holds (its quantised tensors)."""
    from onnx import numpy_helper

    graph = feature_graph(path).graph
    return sum(
        numpy_helper.to_array(t).size for t in graph.initializer if t.name.endswith("_quantized")
    )
