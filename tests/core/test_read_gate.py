"""The one read gate: side files (model card, registry, class lists, settings, profiles) are read
only when they are regular files of a bounded size and nesting; `.npz` members are bounded by
their declared shape before anything is inflated. Every case runs in a child with a time limit
and a memory ceiling, so a regression fails instead of hanging or filling the machine."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.core.test_user_writes import device_node
from tests.support.bad_inputs import fifo, npz_bomb, raised_in_child, sparse_file
from vision_agent.core.breed_names import read_class_names
from vision_agent.core.digit_status import Calibration, calibration_for
from vision_agent.core.handwriting_profile import ProfileError, read_profile
from vision_agent.models.registry import Registry, RegistryError

DEEP = "[" * 50_000 + "]" * 50_000


def zero_device(path: Path) -> Path | None:
    """Like /dev/zero (endless zeros), made in the temporary folder (root only)."""
    made = device_node(path)
    if made is None:
        return None
    os.remove(made)
    import stat

    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    return path


def hostile_side_files(folder: Path, good_text: str) -> dict[str, Path]:
    """What a side file's place may hold instead of the file."""
    paths = {"fifo": fifo(folder / "fifo")}
    zero = zero_device(folder / "zero")
    if zero is not None:
        (folder / "link to zero").symlink_to(zero)
        paths["link to zero"] = folder / "link to zero"
    (folder / "deep").write_text(DEEP)
    paths["deep"] = folder / "deep"
    paths["huge"] = sparse_file(folder / "huge", 200 << 20)
    (folder / "big number").write_text(good_text.replace("0.5", "1e999"))
    paths["big number"] = folder / "big number"
    return paths


def test_a_model_card_that_is_a_fifo_a_device_deep_or_huge_gives_the_defaults(tmp_path):
    card = '{"calibration": {"temperature": 0.5, "unsure_below": 0.7}}'
    for kind, hostile in hostile_side_files(tmp_path, card).items():
        model = tmp_path / f"{kind}-model.onnx"
        model.with_suffix(".card.json").symlink_to(hostile)
        outcome = raised_in_child(10, lambda m=model: _same(calibration_for(m), Calibration()))
        assert outcome == ("returned", ""), kind
    (tmp_path / "good.card.json").write_text(card)
    assert calibration_for(tmp_path / "good.onnx").temperature == 0.5


def _same(found: Calibration, expected: Calibration) -> None:
    assert found == expected, found


def test_a_registry_that_is_a_fifo_deep_huge_or_overflowing_is_named(tmp_path):
    text = json.dumps({"models": [{"id": "x", "size": 0.5}]})
    for kind, hostile in hostile_side_files(tmp_path, text).items():
        name, message = raised_in_child(10, lambda p=hostile: Registry(p))
        assert name == RegistryError.__name__, (kind, name, message)
        assert str(hostile) in message, kind


def test_class_lists_are_read_through_the_gate(tmp_path):
    for kind, hostile in hostile_side_files(tmp_path, '["a", 0.5]').items():
        name, message = raised_in_child(10, lambda p=hostile: read_class_names(p))
        assert name == "UserError" and hostile.name in message, (kind, name, message)


def npz_declaring(shape: tuple[int, ...], payload: bytes = b"") -> bytes:
    """An .npz whose 'inputs' member declares `shape` uint8 but holds only `payload`."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in (
            ("format", np.array("vision-agent handwriting profile 1")),
            ("labels", np.zeros(shape[:1] if shape[0] < 10 else (1,), np.int8)),
        ):
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"{key}.npy", member.getvalue())
        archive.writestr("inputs.npy", header.getvalue() + payload)
    return buffer.getvalue()


def test_an_npz_declaring_a_billion_samples_is_refused_from_its_header(tmp_path):
    path = tmp_path / "huge.npz"
    path.write_bytes(npz_declaring((10**9, 28, 28)))
    assert path.stat().st_size < 2048
    name, message = raised_in_child(10, lambda: read_profile(path))
    assert name == "ProfileError", message
    assert "huge.npz" in message and "(1000000000, 28, 28)" in message


def test_a_small_npz_that_inflates_to_gigabytes_is_refused_before_inflating(tmp_path):
    samples = 2_800_000  # 2.2 GB of pixels in a few MB
    arrays = {
        "format": np.array("vision-agent handwriting profile 1"),
        "labels": np.zeros(samples, np.int8),
    }
    path = npz_bomb(tmp_path / "bomb.npz", arrays, "inputs", (samples, 28, 28))
    assert path.stat().st_size < 8 << 20
    with zipfile.ZipFile(path) as archive, archive.open("inputs.npy") as member:
        assert np.lib.format.read_magic(member) == (1, 0)
    name, message = raised_in_child(20, lambda: read_profile(path))
    assert name == "ProfileError" and "bomb.npz" in message, message


def test_a_profile_with_pickled_or_missing_arrays_is_named(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, format=np.array("x"), inputs=np.array([object()]), labels=np.zeros(1))
    with pytest.raises(ProfileError, match=r"objects\.npz .*Python objects"):
        read_profile(path)
    np.savez(tmp_path / "partial.npz", format=np.array("x"))
    with pytest.raises(ProfileError, match=r"partial\.npz .*no 'inputs' array"):
        read_profile(tmp_path / "partial.npz")


def test_feature_centres_beside_a_model_are_bounded_before_inflating(tmp_path):
    from vision_agent.core.digit_centres import FeatureCentres, centres_path
    from vision_agent.core.postal import SHIPPED_MODEL

    assert FeatureCentres.load(centres_path(SHIPPED_MODEL)) is not None  # the shipped ones read
    samples = 1_400_000  # the whitening declares 1.1 GB of float32… as uint8 zeros, a few MB
    bomb = npz_bomb(tmp_path / "m.centres.npz", {"centres": np.zeros((10, 4))}, "whitening",
                    (samples, 28, 28))  # fmt: skip
    assert raised_in_child(20, lambda: _none(FeatureCentres.load(bomb))) == ("returned", "")
    os.mkfifo(tmp_path / "fifo.centres.npz")
    assert (
        raised_in_child(10, lambda: _none(FeatureCentres.load(tmp_path / "fifo.centres.npz")))[0]
        == "returned"
    )


def _none(value: object) -> None:
    assert value is None, value
