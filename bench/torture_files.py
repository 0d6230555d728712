"""The second round of torture cases (issue 22): side files, bombs, output errors, links the app
must not write through, and two processes teaching one profile at once.

`more_runs` adds (command, bad input) runs to bench/torture.py's plan; `watched_targets` are the
files those runs must never change (`changed_targets` compares them after the runs);
`concurrent_teaching` counts the samples two concurrent teachers lose.
"""

from __future__ import annotations

import io
import json
import os
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from PIL import Image, PngImagePlugin

from tests.support.bad_inputs import npz_bomb
from vision_agent.core.postal import SHIPPED_MODEL

PROFILE_FORMAT = np.array("vision-agent handwriting profile 1")


def _device(path: Path, minor: int) -> Path | None:
    """A character device like /dev/null (minor 3) or /dev/zero (5), made here (root only)."""
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, minor))
    except (PermissionError, AttributeError):
        return None
    return path


def _jpeg_exif_bomb(path: Path, megabytes: int) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 120, 40)).save(buffer, "JPEG")
    data = buffer.getvalue()
    segment = b"\xff\xe1" + struct.pack(">H", 65535) + b"Exif\x00\x00" + bytes(65527)
    path.write_bytes(data[:2] + segment * ((megabytes << 20) // len(segment)) + data[2:])
    return path


def bad_photos(folder: Path) -> list[Path]:
    """Photos that hold a picture behind hostile metadata, or are not what they are named."""
    folder.mkdir()
    text_png = folder / "text-chunk-2MB.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "x" * (2 << 20), zip=True)
    Image.new("RGB", (80, 60), (40, 120, 200)).save(text_png, "PNG", pnginfo=info)
    heic = folder / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(4000))
    return [
        _jpeg_exif_bomb(folder / "exif-52MB.jpg", 52),
        text_png,
        heic,
        Path("/proc/self/status"),
    ]


def _npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def _declaring(path: Path, shape: tuple[int, ...]) -> Path:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    with zipfile.ZipFile(path, "w") as archive:
        for key, array in (("format", PROFILE_FORMAT), ("labels", np.zeros(1, np.int8))):
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"{key}.npy", member.getvalue())
        archive.writestr("inputs.npy", header.getvalue())
    return path


def bad_profiles(profiles: Path) -> list[Path]:
    """Profile files in the data folder's profiles/ (each read with `postal --profile NAME`)."""
    profiles.mkdir(parents=True)
    samples = 2_800_000
    arrays = {"format": PROFILE_FORMAT, "labels": np.zeros(samples, np.int8)}
    os.mkfifo(profiles / "fifo.npz")
    made = [
        npz_bomb(profiles / "bomb-2GB.npz", arrays, "inputs", (samples, 28, 28)),
        _declaring(profiles / "declares-billion.npz", (10**9, 28, 28)),
        _npz(profiles / "pickled.npz", format=PROFILE_FORMAT, inputs=np.array([object()])),
        profiles / "fifo.npz",
    ]
    (profiles / "text.npz").write_text("my notes")
    made.append(profiles / "text.npz")
    return made


def digit_models(folder: Path) -> tuple[list[Path], list[Path]]:
    """(models that must read: a fixed batch of 1, hostile side files), (models to refuse)."""
    folder.mkdir()
    model = onnx.load(str(SHIPPED_MODEL))
    for value in (*model.graph.input, *model.graph.output):
        value.type.tensor_type.shape.dim[0].ClearField("dim_param")
        value.type.tensor_type.shape.dim[0].dim_value = 1
    fixed = folder / "batch-of-one.onnx"
    onnx.save(model, str(fixed))
    good = [fixed]
    hostile_cards: dict[str, Callable[[Path], object]] = {
        "fifo-card": os.mkfifo,
        "deep-card": lambda p: p.write_text("[" * 50_000 + "]" * 50_000),
        "big-number-card": lambda p: p.write_text('{"calibration": {"temperature": 1e999}}'),
    }
    zero = _device(folder / "zero-device", 5)
    if zero is not None:
        hostile_cards["zero-card"] = lambda p: p.symlink_to(zero)
    for name, make in hostile_cards.items():
        copy = folder / f"{name}.onnx"
        copy.write_bytes(SHIPPED_MODEL.read_bytes())
        make(copy.with_suffix(".card.json"))
        good.append(copy)
    external = folder / "external-weights.onnx"
    onnx.save_model(
        onnx.load(str(SHIPPED_MODEL)), str(external), save_as_external_data=True,
        location="external-weights.bin", size_threshold=0,
    )  # fmt: skip
    (folder / "external-weights.bin").unlink()
    return good, [external]


def bad_registries(folder: Path) -> list[Path]:
    folder.mkdir()
    os.mkfifo(folder / "fifo-registry.json")
    big = folder / "big-size-registry.json"
    big.write_text(json.dumps({"models": []})[:-2] + '[{"id": "x", "size": 1e999}]}')
    deep = folder / "deep-registry.json"
    deep.write_text('{"models": ' + "[" * 50_000 + "]" * 50_000 + "}")
    return [folder / "fifo-registry.json", big, deep]


def write_targets(root: Path, profiles: Path) -> list[tuple[str, Path, Path]]:
    """(name, link the app is asked to write, what the link points to): links to a regular
    file, a FIFO and a device, all made in the corpus folder."""
    outside = root / "outside"
    outside.mkdir()
    (outside / "notes.txt").write_text("the user's own file")
    os.mkfifo(outside / "pipe")
    targets = [outside / "notes.txt", outside / "pipe"]
    device = _device(outside / "null-device", 3)
    if device is not None:
        targets.append(device)
    made = []
    for target in targets:
        link = profiles / f"link-to-{target.name}.npz"
        link.symlink_to(target)
        made.append((link.stem, link, target))
        csv = root / f"csv-link-to-{target.name}.csv"
        csv.symlink_to(target)
        made.append((csv.name, csv, target))
    return made


def snapshot(path: Path) -> tuple:
    info = os.lstat(path)
    content = path.read_bytes() if stat.S_ISREG(info.st_mode) else b""
    return info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns, content


def changed_targets(before: dict[Path, tuple]) -> list[Path]:
    return [path for path, seen in before.items() if snapshot(path) != seen]


def concurrent_teaching(
    root: Path, drawing: Path, code: str, env: dict, rounds: int = 20
) -> tuple[int, int]:
    """(samples taught, samples kept) by two `postal --profile P --teach` runs at once, `rounds`
    times, in a data folder of their own."""
    data = root / "teaching data"
    env = dict(env, VISION_AGENT_DATA_DIR=str(data))
    command = [sys.executable, "-m", "vision_agent", "postal", "--profile", "P", "--teach", code]
    taught = 0
    for _ in range(rounds):
        runs = [
            subprocess.Popen([*command, str(drawing)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]  # fmt: skip
        for run in runs:
            out, _ = run.communicate(timeout=300)
            taught += out.count("box ") if run.returncode == 0 else 0
    from vision_agent.core.handwriting_profile import read_profile

    kept = len(read_profile(data / "profiles" / "P.npz"))
    return taught, kept
