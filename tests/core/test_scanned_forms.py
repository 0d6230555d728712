"""Digits drawn as a form scanner leaves them (`digit_corpus.scanned_frame`), for training:
stretched to fill a square or scaled 32 tall, black and white, then drawn as real mail is."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.commands.test_cli_postal import run_cli
from tests.support.paths import asset
from vision_agent.training.digit_corpus import (
    SCAN_SQUARE,
    SCAN_TALL,
    CorpusSizes,
    build_epoch,
    scanned_digit,
    scanned_frame,
)


def a_one(mnist) -> np.ndarray:
    """A narrow MNIST 1 (its ink box at least three times as tall as wide)."""
    images, labels = mnist["x_test"], mnist["y_test"]
    for image in images[labels == 1]:
        ys, xs = np.nonzero(image > 40)
        if np.ptp(ys) + 1 >= 3 * (np.ptp(xs) + 1):
            return image
    raise AssertionError("no narrow 1 among the first MNIST digits")


def test_a_narrow_one_is_either_stretched_to_fill_a_square_or_kept_narrow_32_tall(mnist):
    one = a_one(mnist)
    shapes = {}
    for seed in range(40):
        frame = scanned_frame(one, np.random.default_rng(seed))
        assert set(np.unique(frame)) <= {0, 255} and frame.any()  # thresholded, never empty
        ys, xs = np.nonzero(frame)
        shapes.setdefault(frame.shape, []).append((np.ptp(ys) + 1, np.ptp(xs) + 1))
    assert set(shapes) == {(SCAN_SQUARE, SCAN_SQUARE), (SCAN_TALL, SCAN_TALL)}
    # stretched: the 1 (a third as wide as tall) fills the square's height and at least half
    # its width, its aspect lost (as Semeion's 1s are)
    assert all(h == SCAN_SQUARE and w >= SCAN_SQUARE // 2 for h, w in shapes[(16, 16)])
    # scaled 32 tall: its height fills the frame, its width stays a third of it or less
    assert all(h >= SCAN_TALL - 1 and w <= SCAN_TALL // 3 + 2 for h, w in shapes[(32, 32)])


def test_a_scanned_digit_is_drawn_in_a_box_as_real_mail_and_an_epoch_can_hold_only_those(mnist):
    box = scanned_digit(a_one(mnist), np.random.default_rng(3))
    assert box.shape == (100, 100) and (box < 128).any() and (box[:3] == 255).all()
    images, labels = mnist["x_test"][:200], mnist["y_test"][:200]
    no_other = dict.fromkeys(("mnist", "pen_rows", "templates", "non_digits", "usps"), 0)
    sizes = CorpusSizes(**no_other, mnist_as_is=0, scanned=30)
    x, y = build_epoch(images, labels, None, None, np.random.default_rng(0), sizes)
    assert x.shape == (30, 28, 28, 1) and set(y) <= set(labels.tolist())
    assert (x.reshape(30, -1).max(axis=1) > 200).all()  # every one holds ink


def test_train_digits_refuses_a_negative_number_of_scanned_digits(tmp_path: Path):
    result = run_cli("train", "digits", "--scanned", "-1", "--out", str(tmp_path / "out"))
    assert result.returncode != 0 and "--scanned not negative" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_a_blind_training_run_measures_nothing_kept_for_reporting(tmp_path: Path):
    """A candidate is chosen on the validation digits alone: the run neither prints nor writes
    MNIST test's or any kept-out group's figure (they would be seen before the choice)."""
    mnist = asset("mnist", "mnist.npz")
    out = tmp_path / "out"
    result = run_cli(
        "train", "digits", "--data", str(mnist), "--epochs", "1", "--epoch-share", "0.002",
        "--blind", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    card = json.loads((out / "digits_cnn.card.json").read_text())
    assert set(card["checks_keras"]) == set(card["checks_onnx_opencv_dnn"]) == {"mnist_validation"}
    assert card["mnist_test_accuracy"] is None and "blind" in card["kept_out"]
    assert "mnist_test" not in result.stdout + result.stderr
