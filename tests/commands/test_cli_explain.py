"""`--explain OUT_DIR` on the command line: pictures and layers.json as a user gets them, and
clear refusals for an OUT_DIR that cannot be written."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support import photo_files
from tests.support.drawings import random_handwritten_canvas
from tests.support.imagenet_models import save_small_resnet
from tests.support.paths import asset
from vision_agent.cli import main
from vision_agent.core.feature_mosaic import GAP, grid_shape
from vision_agent.core.imageio import read_image, write_image
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer, box_rect


@pytest.fixture(scope="module")
def drawing(tmp_path_factory):
    """Digits in boxes 1, 2, 4 and 5; box 3 blank."""
    canvas, _code = random_handwritten_canvas(np.random.default_rng(3))
    x, _y, w, _h = box_rect(2)
    canvas[:, x : x + w] = 255
    path = tmp_path_factory.mktemp("drawings") / "우편 번호.png"
    write_image(path, canvas)
    return path, canvas


def test_postal_explain_writes_steps_layers_and_json(capsys, tmp_path, drawing):
    path, canvas = drawing
    out = tmp_path / "out"  # created on the way
    assert main(["postal", "--explain", str(out), str(path)]) == 0
    record = json.loads((out / "layers.json").read_text(encoding="utf-8"))
    assert record["model"] == SHIPPED_MODEL.name
    (entry,) = record["drawings"]
    folder = out / entry["folder"]
    boxes = entry["boxes"]
    assert [b["box"] for b in boxes] == [1, 2, 3, 4, 5]
    assert boxes[2] == {"box": 3, "blank": True, "layers": []}
    recognizer = PostalRecognizer.from_file(SHIPPED_MODEL)
    for box in (0, 1, 3, 4):
        explanation = recognizer.explain(canvas, box)
        layers = boxes[box]["layers"]
        assert [layer["name"] for layer in layers] == [o.name for o in explanation.layers]
        for written, output in zip(layers, explanation.layers, strict=True):
            assert written["shape"] == list(output.shape)
            assert np.allclose(written["channel_means"], output.channel_means(), atol=1e-5)
        box_folder = folder / f"box{box + 1}"
        assert read_image(box_folder / "step3_centre_of_mass.png").shape[:2] == (28, 28)
        first_layer, last_layer = explanation.layers[0], explanation.layers[-1]
        first = read_image(box_folder / f"layer01_{first_layer.name}.png")
        h, w, channels = first_layer.shape  # one tile per channel, in a grid
        rows, columns = grid_shape(channels)
        assert first.shape == (rows * (h + GAP) - GAP, columns * (w + GAP) - GAP, 3)
        assert (box_folder / "filters_first_conv.png").is_file()
        count = len(explanation.layers)
        assert (box_folder / f"layer{count:02d}_{last_layer.name}.png").is_file()
    assert not (folder / "box3").exists()


@pytest.mark.parametrize("where", ["a file", "inside a file"])
def test_postal_explain_refuses_an_out_dir_it_cannot_write(capsys, tmp_path, drawing, where):
    blocker = tmp_path / "taken.txt"
    blocker.write_text("not a folder")
    out = blocker if where == "a file" else blocker / "out"
    assert main(["postal", "--explain", str(out), str(drawing[0])]) == 2
    _out, err = capsys.readouterr()
    assert str(out) in err and "Traceback" not in err
    assert ("not a folder" in err) if where == "a file" else ("cannot write there" in err)
    assert blocker.read_text() == "not a folder"


@pytest.fixture(scope="module")
def small_resnet(tmp_path_factory):
    return save_small_resnet(tmp_path_factory.mktemp("models") / "small_resnet.keras")


def test_classify_explain_writes_one_layer_per_photo(capsys, tmp_path, small_resnet):
    import keras

    from vision_agent.core.classify import ImageClassifier

    photo = asset(*photo_files.ROBIN)
    out = tmp_path / "maps"
    args = ["classify", "--model", str(small_resnet), "--explain", str(out), "--layer", "s1_out"]
    assert main([*args, str(photo), str(photo)]) == 0
    record = json.loads((out / "layers.json").read_text(encoding="utf-8"))
    first, second = record["photos"]
    assert first["folder"] != second["folder"]  # the same name twice: two folders
    (layer,) = first["layers"]
    assert layer["name"] == "s1_out" and layer["shape"] == [32, 32, 8]
    model = keras.models.load_model(small_resnet)
    batch = ImageClassifier.from_file(small_resnet).preprocessing.prepare(read_image(photo))
    reference = np.asarray(keras.Model(model.inputs, model.get_layer("s1_out").output)(batch))[0]
    assert np.allclose(layer["channel_means"], reference.mean(axis=(0, 1)), atol=1e-4)
    picture = read_image(out / first["folder"] / "s1_out.png")
    assert picture.shape == (3 * 33 - 1, 3 * 33 - 1, 3)


def test_classify_explain_names_the_layers_there_are(capsys, tmp_path, small_resnet):
    photo = str(asset(*photo_files.ROBIN))
    args = ["classify", "--model", str(small_resnet), "--explain", str(tmp_path / "o")]
    assert main([*args, "--layer", "conv9", photo]) == 2
    err = capsys.readouterr().err
    assert "no layer 'conv9'" in err and "s2_out" in err and "Traceback" not in err
    assert main([*args, photo]) == 2
    assert "--layer" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
