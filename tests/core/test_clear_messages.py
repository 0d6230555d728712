"""Refusals that used to be unclear say what the file is and what to do (issue 22, item 10)."""

from __future__ import annotations

import onnx
import pytest

from vision_agent.core.errors import UserError
from vision_agent.core.handwriting_profile import ProfileError, read_profile
from vision_agent.core.imageio import read_image
from vision_agent.core.postal import SHIPPED_MODEL, PostalRecognizer


def test_a_heic_photo_is_named_with_the_way_out(tmp_path):
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200))
    with pytest.raises(UserError, match=r"HEIC.*convert it to JPEG or PNG"):
        read_image(path)


def test_a_system_file_that_reports_no_size_is_not_called_empty():
    with pytest.raises(UserError, match="system file that reports no size") as refused:
        read_image("/proc/self/status")
    assert "empty" not in str(refused.value)


def test_an_onnx_model_whose_weights_file_is_missing_says_so(tmp_path):
    model = onnx.load(str(SHIPPED_MODEL))
    path = tmp_path / "digits.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True, location="digits.weights",
                    size_threshold=0)  # fmt: skip
    assert PostalRecognizer.from_file(path).model_name == "digits.onnx"  # weights beside: reads
    (tmp_path / "digits.weights").unlink()
    with pytest.raises(UserError, match=r"weights in another file \(digits\.weights\)"):
        PostalRecognizer.from_file(path)


def test_a_profile_that_is_not_a_zip_is_named_without_a_python_error_name(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("my notes")
    with pytest.raises(ProfileError) as refused:
        read_profile(path)
    assert "ValueError" not in str(refused.value) and "not a zip file" in str(refused.value)
