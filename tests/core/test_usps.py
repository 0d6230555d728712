"""Real mail (USPS ZIP-code digits) read and drawn as the canvas holds it; bad files refused."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from tests.support.paths import REPO_ROOT
from vision_agent.core.errors import UserError
from vision_agent.core.postal import BOX_MARGIN
from vision_agent.training.digit_corpus import normalized_box
from vision_agent.training.usps import read_usps, usps_box, usps_folds

USPS = REPO_ROOT.parent / "shared" / "datasets" / "usps" / "zip.train.gz"


@pytest.fixture(scope="module")
def usps():
    if not USPS.is_file():
        pytest.skip(f"USPS digits not available: {USPS}")
    return read_usps(USPS)


def test_the_training_half_holds_7291_labelled_frames(usps):
    frames, labels = usps
    assert frames.shape == (7291, 16, 16) and frames.dtype == np.uint8
    assert np.bincount(labels).tolist()[:2] == [1194, 1005] and labels[:3].tolist() == [6, 5, 4]
    assert frames.max() == 255 and frames.min() == 0  # -1 is paper, 1 is full ink


def test_folds_are_contiguous_blocks_in_file_order():
    folds = usps_folds(7291)
    assert np.all(np.diff(folds) >= 0) and np.bincount(folds).tolist() == [1459] + [1458] * 4


def test_a_frame_is_drawn_at_the_height_asked_and_read_by_the_apps_preprocessing(usps):
    frames, _ = usps
    box = usps_box(frames[0], 64)
    ink_rows = np.flatnonzero((box < 128).any(axis=1))
    assert 56 <= ink_rows[-1] - ink_rows[0] + 1 <= 64  # the frame's ink spans its height
    assert (box[:BOX_MARGIN] == 255).all() and (box[-BOX_MARGIN:] == 255).all()
    normalized = normalized_box(box)
    assert normalized is not None and normalized.shape == (28, 28)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not gzip at all", "is not a USPS zip file"),
        (gzip.compress(b"1 0.5 0.5\n"), "not a label and 256 values"),
        (gzip.compress(("12 " + " ".join(["0"] * 256) + "\n").encode()), "labels outside 0"),
    ],
)
def test_a_file_that_is_not_usps_digits_is_refused_in_words(tmp_path: Path, content, reason):
    path = tmp_path / "zip.train.gz"
    path.write_bytes(content)
    with pytest.raises(UserError, match=reason) as refused:
        read_usps(path)
    assert str(path) in str(refused.value)
