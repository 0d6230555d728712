"""`vision-agent postal|dog|classify --model` on files saved by Keras 2: the outputs are Keras 2's,
Lambda files are refused with nothing run (files: tests/support/keras2_files.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support import keras2_files as k2
from tests.support.paths import REPO_ROOT, asset
from vision_agent.cli import main
from vision_agent.core.breed_names import readable_breed

POSTAL_DRAWING = REPO_ROOT / "tests" / "data" / "postal_06236.png"


@pytest.mark.parametrize("name", [*k2.DIGITS, "cnn_v2_savedmodel/saved_model.pb"])
def test_postal_reads_the_drawing_with_every_keras_2_format(keras2_files, capsys, name):
    assert main(["postal", str(POSTAL_DRAWING), "--model", str(keras2_files / name)]) == 0
    out, err = capsys.readouterr()
    assert ": 06236 " in out
    assert err == ""  # no Keras UserWarning lines


def test_dog_gives_keras_2s_top_5_for_every_course_and_tutorial_model(keras2_files, capsys):
    photo = asset(*k2.PHOTO)
    names = keras2_files / k2.NAMES_FILE
    with np.load(keras2_files / "reference.npz") as reference:
        for model in (*k2.NESTED, k2.TUTORIAL, k2.TUTORIAL_CAFFE, k2.RESCALING):
            args = ["dog", str(photo), "--model", str(keras2_files / model), "--classes"]
            assert main([*args, str(names), "--json"]) == 0, model
            top = json.loads(capsys.readouterr().out)["top"]
            expected = reference[f"{model}/output"][0]
            order = np.argsort(-expected)[:5]
            breeds = [readable_breed(k2.BREEDS[i]) for i in order]
            assert [entry["breed"] for entry in top] == breeds, model
            shown = [entry["probability"] for entry in top]
            np.testing.assert_allclose(shown, expected[order], atol=5e-5)  # 4 decimals


def test_classify_own_model_gives_keras_2s_probabilities(keras2_files, capsys):
    import tf_keras

    from vision_agent.core.classify import ImageClassifier
    from vision_agent.core.imageio import read_image

    photo, model = asset(*k2.PHOTO), keras2_files / k2.TUTORIAL
    assert main(["classify", str(photo), "--model", str(model), "--json", "--top", "6"]) == 0
    top = json.loads(capsys.readouterr().out)["top"]
    batch = ImageClassifier.from_file(model).preprocessing.prepare(read_image(photo))
    expected = tf_keras.models.load_model(model).predict(batch, verbose=0)[0]
    shown = np.zeros(len(expected))
    for entry in top:
        shown[entry["index"]] = entry["probability"]
    np.testing.assert_allclose(shown, expected, atol=1e-5)


@pytest.mark.parametrize("name", k2.LAMBDA_FILES)
def test_lambda_files_are_refused_with_the_whole_message(keras2_files, capsys, name):
    photo = asset(*k2.PHOTO)
    args = ["dog", str(photo), "--model", str(keras2_files / name)]
    assert main([*args, "--classes", str(keras2_files / k2.NAMES_FILE)]) == 2
    err = capsys.readouterr().err
    assert f"{name} was not opened: its layer 'lambda' is a Lambda layer" in err
    assert err.rstrip().endswith("new_model.save('model.keras').")
    assert not (keras2_files / k2.MARKER).exists()
