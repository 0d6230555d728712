"""`--explain OUT_DIR` of `postal` and `classify`: pictures of what each layer makes of an input.

OUT_DIR gets one folder per input file (named after it) holding PNG pictures, and one
`layers.json` listing, per input, the layers in model order with their shapes and the mean
activation of each channel (see `LayerOutput.to_json`).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from vision_agent.core.digit_explain import file_safe
from vision_agent.core.errors import UserError
from vision_agent.core.user_writes import write_user_file

LAYERS_JSON = "layers.json"


def prepare_folder(folder: Path) -> None:
    """Create OUT_DIR if needed and check that files can be written there (UserError if not)."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--explain {folder}: this is a file, not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or exc
        raise UserError(f"--explain {folder}: cannot write there ({reason}).") from None


class ExplainFolder:
    """OUT_DIR while a command runs: a fresh subfolder per input, the records for layers.json."""

    def __init__(self, folder: Path, model: str) -> None:
        self.folder = folder
        self.model = model
        self.records: list[dict] = []
        self._used: set[str] = set()

    def subfolder(self, source: Path) -> Path:
        """A folder for `source` named after it, unique within this run."""
        stem = file_safe(source.stem) or "input"
        name, count = stem, 1
        while name in self._used:
            count += 1
            name = f"{stem}_{count}"
        self._used.add(name)
        return self.folder / name

    def add(self, record: dict) -> None:
        self.records.append(record)

    def write_json(self, key: str) -> None:
        """layers.json: {"model": ..., key: [records]} (UserError if it cannot be written)."""
        path = self.folder / LAYERS_JSON
        text = json.dumps({"model": self.model, key: self.records}, ensure_ascii=False, indent=1)
        write_user_file(path, text.encode("utf-8"))


def explain_folder(folder: Path, recognizer) -> ExplainFolder:
    """OUT_DIR checked, for a recognizer that can look inside its model (UserError if not)."""
    from vision_agent.core.digit_explain import check_explainable

    check_explainable(recognizer.path)
    prepare_folder(folder)
    return ExplainFolder(folder, recognizer.model_name)


def explain_layer_folder(folder: Path, classifier, layer: str) -> ExplainFolder:
    """OUT_DIR checked, for a classifier that has layer `layer` (UserError naming the layers
    there are, or saying why the model's layers cannot be shown)."""
    names = [info.name for info in classifier.network_layers()]
    if layer not in names:
        shown = ", ".join(names[:40]) + (" …" if len(names) > 40 else "")
        raise UserError(f"{classifier.model_name} has no layer {layer!r}. Its layers: {shown}")
    prepare_folder(folder)
    return ExplainFolder(folder, classifier.model_name)


def explain_drawing(recognizer, path: Path, out: ExplainFolder) -> None:
    """Every box of a drawing: `OUT/<drawing>/boxN/*.png` and its record for layers.json."""
    from vision_agent.core.digit_explain import write_explanation
    from vision_agent.core.postal import BOX_COUNT, read_canvas

    canvas = read_canvas(path)
    folder = out.subfolder(path)
    boxes = []
    for box in range(BOX_COUNT):
        explanation = recognizer.explain(canvas, box)
        if explanation is None:
            boxes.append({"box": box + 1, "blank": True, "layers": []})
            continue
        write_explanation(explanation, folder / f"box{box + 1}")
        boxes.append(explanation.to_json())
    out.add({"file": str(path), "folder": folder.name, "boxes": boxes})


def explain_photo(classifier, rgb, layer: str, path: Path, out: ExplainFolder) -> None:
    """One layer of a classifier for a photo: `OUT/<photo>/<layer>.png` and its record."""
    from vision_agent.core.imageio import write_image

    output, picture = classifier.layer_output(rgb, layer)
    folder = out.subfolder(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write into {folder}: {exc.strerror or exc}") from None
    if picture is not None:
        write_image(folder / f"{file_safe(layer)}.png", picture)
    out.add({"file": str(path), "folder": folder.name, "layers": [output.to_json()]})
