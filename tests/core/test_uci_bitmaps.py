"""The UCI digit bitmaps (optdigits, Semeion) read from their text formats, drawn into canvas
boxes as the app sees a drawing, and bad files refused in words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision_agent.core.errors import UserError
from vision_agent.core.postal import BOX_COUNT, canvas_inputs
from vision_agent.training.uci_bitmaps import (
    OPTDIGITS_FORM,
    bitmap_codes,
    optdigits_forms,
    read_optdigits,
    read_semeion,
)

HEADER = "BU handwritten digit database\nWriter-independent test file\n\nentwidth = 32\nntot = 2\n"


def bar(side: int, width: int) -> np.ndarray:
    """A vertical bar of ink `width` wide in the middle of a side×side frame, full height."""
    frame = np.zeros((side, side), bool)
    frame[:, (side - width) // 2 : (side + width) // 2] = True
    return frame


def ring(side: int) -> np.ndarray:
    y, x = np.mgrid[:side, :side] - (side - 1) / 2
    return np.abs(np.hypot(x, y) - side * 0.35) < side * 0.1


def optdigits_text(frames: list[np.ndarray], labels: list[int]) -> str:
    blocks = [
        "\n".join("".join("1" if v else "0" for v in row) for row in frame) + f"\n {label}"
        for frame, label in zip(frames, labels, strict=True)
    ]
    return HEADER + "\n".join(blocks) + "\n"


def semeion_line(frame: np.ndarray, label: int) -> str:
    pixels = " ".join(f"{v:.4f}" for v in frame.astype(float).ravel())
    return pixels + " " + " ".join("1" if d == label else "0" for d in range(10)) + " "


def test_optdigits_bitmaps_and_labels_are_read_in_file_order(tmp_path: Path):
    path = tmp_path / "optdigits-orig.windep"
    path.write_text(optdigits_text([ring(32), bar(32, 6)], [0, 1]) + "EOF\n")
    frames, labels = read_optdigits(path)
    assert frames.shape == (2, 32, 32) and frames.dtype == np.uint8
    assert labels.tolist() == [0, 1]
    assert (frames[1] == np.where(bar(32, 6), 255, 0)).all()


def test_semeion_rows_and_their_one_marked_label_are_read(tmp_path: Path):
    path = tmp_path / "semeion.data"
    path.write_text(semeion_line(ring(16), 0) + "\n" + semeion_line(bar(16, 3), 7) + "\n")
    frames, labels = read_semeion(path)
    assert frames.shape == (2, 16, 16) and labels.tolist() == [0, 7]
    assert (frames[0] == np.where(ring(16), 255, 0)).all()


def test_frames_are_drawn_five_to_a_canvas_at_the_users_height():
    frames = np.array([ring(32), bar(32, 6)] * 3, np.uint8) * 255
    labels = np.array([0, 1] * 3)
    canvases, codes = bitmap_codes(frames, labels, (64, 0))
    assert codes == ["01010"]  # the sixth frame makes no whole code
    inputs, present = canvas_inputs(canvases[0])
    assert present == [True] * BOX_COUNT
    x0, x1 = np.flatnonzero(inputs[1].max(axis=0) > 0.5)[[0, -1]]
    y0, y1 = np.flatnonzero(inputs[1].max(axis=1) > 0.5)[[0, -1]]
    assert y1 - y0 > 2 * (x1 - x0)  # a narrow 1 stays narrow: the aspect ratio is kept


def test_optdigits_forms_are_told_apart_by_the_digits_each_form_asks_for():
    """Four forms as the form software cut them, their digits run together: the first ends
    with a digit written other than asked (…490893, as in the real file), the second has an
    extra digit in its middle, the third lacks its first and last digits (…490898 then 12345…:
    the 8 ends the second form, it is not the third's 0 written otherwise), the fourth is
    whole."""
    text = [int(c) for c in OPTDIGITS_FORM]
    forms = [[*text[:-1], 3], [*text[:50], 7, *text[50:]], text[1:-1], text]
    labels = np.array([d for form in forms for d in form])
    expected = [k for k, form in enumerate(forms) for _ in form]
    assert optdigits_forms(labels).tolist() == expected


@pytest.mark.parametrize(
    ("reader", "content", "reason"),
    [
        (read_optdigits, HEADER, "no whole 32×32"),
        (read_optdigits, HEADER + "0" * 32 + "\n 3\n", "line 7 is neither"),
        (read_optdigits, HEADER + ("0" * 32 + "\n") * 32 + " 1\n01x\n", "line 39"),
        (read_semeion, "1 0 1\n", "not 256 pixels and ten label marks"),
        (read_semeion, "0.5 " * 266 + "\n", "values other than 0/1"),
        (read_semeion, "a b c\n", "not Semeion digits"),
        (read_semeion, "", "not 256 pixels"),
    ],
)
def test_a_file_that_is_not_these_bitmaps_is_refused_in_words(
    tmp_path: Path, reader, content, reason
):
    path = tmp_path / "digits.txt"
    path.write_text(content)
    with pytest.raises(UserError, match=reason) as refused:
        reader(path)
    assert str(path) in str(refused.value)


def test_a_binary_file_is_refused_in_words(tmp_path: Path):
    path = tmp_path / "semeion.data"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(UserError, match="cannot be read as text"):
        read_semeion(path)
