"""Torture run of the CLI: bad inputs made here, every command on each with a good file beside it.

Builds a corpus of bad inputs in a temporary folder (truncated, corrupt, empty, huge and
mislabelled images and videos, FIFOs, /dev/zero, folders, link loops, a decompression bomb,
drawings that are not drawings, NaN and broken models, hostile label files, model folders for
`models import`) and runs `vision-agent` on each, one process per (command, bad input), with a
good file beside the bad one where the command takes several files. Each run has a time limit
and a memory watchdog. Prints one row per run and the totals:

  exit       the exit status (TIMEOUT when it ran past --timeout and was killed)
  bad file   refused (named on stderr) | answered (on stdout) | SILENT (neither)
  clear      a refusal names the file and says why, on one "vision-agent:" line per file
  tb         a Python traceback reached the user
  good       the good file beside it was answered (- where the command could not start by
             design, e.g. a broken model, or takes one input)
  stray      stderr lines that are not the app's own (library logs, warnings)
  peak MB    the process's peak resident memory

    python bench/torture.py [--jobs 2] [--timeout 90] [--only TEXT] [--messages] [--keep]
                            [--second-round] [--teaching-rounds 20]

Then two `postal --profile P --teach` runs at once, 20 rounds (lost samples), and the links to a
file, a FIFO and a device the runs were asked to write through are compared (writes outside the
app's own regular files).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
USER_ENV = dict(os.environ)  # the runs see what a user's shell has; the corpus builder is quiet
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ASSETS = REPO.parent / "shared" / "assets"

import numpy as np  # noqa: E402
import torture_files as more_cases  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from tests.support import photo_files  # noqa: E402
from tests.support.bad_inputs import link_loop, sparse_file  # noqa: E402
from tests.support.drawings import random_mnist_canvas  # noqa: E402
from tests.support.model_files import constant_onnx_model  # noqa: E402
from vision_agent.core.postal import SHIPPED_MODEL  # noqa: E402

TIME = "/usr/bin/time"
OUTCOMES = ("refused", "answered", "accepted", "SILENT")
MEMORY_LIMIT_BYTES = 1_500_000_000  # what every command must stay under
RUNAWAY_BYTES = 4 << 30  # the watchdog kills a run above this
FACE_PHOTO = ASSETS / "photos" / "faces" / "grace_hopper_matplotlib.jpg"
VIDEO = ASSETS / "photos" / "video" / "Megamind.avi"
MOBILENET = ASSETS / "imagenet_small" / "mobilenetv2-12-int8_onnx" / "mobilenetv2-12-int8.onnx"
RES10 = ASSETS / "face_detector" / "res10_300x300_ssd_iter_140000.caffemodel"
IMPORT_BAD_NAME = "bvlc_googlenet.caffemodel"  # a registry file name; the bad file wears it
RES10_PROTOTXT = ASSETS / "face_detector" / "deploy.prototxt"


@dataclass(frozen=True)
class Run:
    """One process: `argv` after `vision-agent`; `bad` is what the row is about."""

    label: str
    command: str
    argv: tuple[str, ...]
    bad: str
    good: str | None
    env: tuple[tuple[str, str], ...] = ()  # set for this run only
    stdout: str = "file"  # "full": stdout is /dev/full; "head": closed after its first line


@dataclass
class Outcome:
    run: Run
    code: int | None  # None: killed (time limit or memory runaway)
    killed: str
    seconds: float
    peak_bytes: int
    stdout: str
    stderr: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stdout + self.stderr

    def _names_bad(self, text: str) -> bool:
        """Whether `text` names the bad input (stderr writes a non-UTF-8 name escaped)."""
        names = {self.run.bad, os.path.basename(self.run.bad)}
        names |= {name.encode("utf-8", "backslashreplace").decode() for name in names}
        return any(name and name in text for name in names)

    @property
    def app_errors(self) -> list[str]:
        """The app's own stderr lines (`models import` lists refused files tab-separated)."""
        return [
            line
            for line in self.stderr.splitlines()
            if line.startswith(("vision-agent", "error:")) or "\t" in line
        ]

    @property
    def stray(self) -> list[str]:
        """stderr lines that are not the app's: library logs and warnings; the app's own
        continuation lines (advice after a message) and progress bars are not counted."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        own = set(self.app_errors)
        return [
            line
            for line in lines
            if line not in own and not line.startswith(("On a computer without", "\r"))
        ]

    @property
    def bad_outcome(self) -> str:
        """refused (named on stderr), answered (its result, or its folder's, on stdout),
        accepted (a model, names file or option the command ran with), or SILENT. A run whose
        stdout closes after one line is accepted when it ends quietly, as `cmd | head -1`."""
        if self.run.stdout == "head":
            return "accepted" if not self.stderr.strip() and self.code is not None else "SILENT"
        if any(self._names_bad(line) for line in self.app_errors):
            return "refused"
        if any(line.startswith(self.run.bad) for line in self.stdout.splitlines()):
            return "answered"
        if self.run.good is None and self.code == 0:
            return "accepted"
        return "SILENT"

    @property
    def clear(self) -> bool:
        if self.bad_outcome != "refused":
            return self.bad_outcome != "SILENT"
        line = next(line for line in self.app_errors if self._names_bad(line))
        reason = line.replace(self.run.bad, "").replace(os.path.basename(self.run.bad), "")
        return len(reason.strip(" :.-")) >= 12 and not self.traceback

    @property
    def good_answered(self) -> bool | None:
        if self.run.good is None:
            return None
        return self.run.good in self.stdout


# ------------------------------------------------------------------ the corpus


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bomb(path: Path, side: int = 100_000) -> Path:
    """A 1 KB PNG whose header claims side×side pixels (10 gigapixels for 100,000)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    body = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1024))
    return _write(path, b"\x89PNG\r\n\x1a\n" + body + _png_chunk(b"IEND", b""))


def _cut(source: Path, path: Path, fraction: float) -> Path:
    data = source.read_bytes()
    return _write(path, data[: int(len(data) * fraction)])


def bad_images(root: Path) -> list[Path]:
    """Files a photo command may be given; most must be refused, some read."""
    folder = root / "images"
    folder.mkdir()
    photo = photo_files.asset(*photo_files.BANANA).read_bytes()
    png = folder / "source.png"
    Image.open(FACE_PHOTO).save(png)
    png_bytes = png.read_bytes()
    png.unlink()
    rng = np.random.default_rng(14)
    made = [
        _write(folder / "zero-bytes.jpg", b""),
        _write(folder / "truncated.jpg", photo[: len(photo) // 5]),
        _write(folder / "soi-only.jpg", b"\xff\xd8"),
        _write(folder / "truncated.png", png_bytes[: len(png_bytes) // 3]),
        _write(
            folder / "bad-crc.png", png_bytes[:60] + bytes([png_bytes[60] ^ 0xFF]) + png_bytes[61:]
        ),
        _write(folder / "random-bytes.jpg", rng.bytes(50_000)),
        _write(folder / "notes.png", b"these are my notes, not a picture\n" * 50),
        _write(folder / "page.png", b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n"),
        _write(folder / "document.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
        _write(folder / "archive.jpg", b"PK\x03\x04" + rng.bytes(2000)),
        _write(folder / "png-named.jpg", png_bytes),
        _write(folder / "video-named.jpg", VIDEO.read_bytes()[:200_000]),
        _png_bomb(folder / "bomb.png"),
        sparse_file(folder / "huge-sparse.jpg", 2 << 30),
        photo_files.corrupt_exif(folder),
        photo_files.exif_rotated(folder),
        photo_files.gray16(folder),
    ]
    line = folder / "line-1x10000.png"
    Image.new("RGB", (1, 10000), (90, 90, 90)).save(line)
    dot = folder / "dot-1x1.png"
    Image.new("RGB", (1, 1), (90, 90, 90)).save(dot)
    cmyk = folder / "cmyk.jpg"
    Image.open(FACE_PHOTO).convert("CMYK").save(cmyk)
    nan_tif = folder / "float-nan.tif"
    Image.fromarray(np.full((64, 64), np.nan, np.float32), "F").save(nan_tif)
    gif = folder / "animated.gif"
    frames = [Image.new("P", (64, 64), i) for i in range(3)]
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    big_png = folder / "big-20000.png"
    Image.new("L", (20000, 20000), 200).save(big_png, compress_level=1)
    big_jpeg = folder / "big-20000.jpg"
    drawn = Image.new("L", (20000, 20000), 235)
    ImageDraw.Draw(drawn).ellipse((6000, 6000, 14000, 14000), fill=30)
    drawn.save(big_jpeg, quality=80)
    del drawn
    colour_144 = folder / "colour-12000.jpg"
    Image.open(FACE_PHOTO).resize((12000, 12000)).save(colour_144, quality=85)
    made += [line, dot, cmyk, nan_tif, gif, big_png, big_jpeg, colour_144]
    for suffix, fmt in ((".bmp", "BMP"), (".webp", "WEBP"), (".tif", "TIFF"), (".gif", "GIF")):
        whole = folder / f"whole{suffix}"
        Image.open(FACE_PHOTO).save(whole, fmt)
        made.append(_cut(whole, folder / f"truncated{suffix}", 0.4))
        whole.unlink()
    os.mkfifo(folder / "fifo.jpg")
    (folder / "folder.jpg").mkdir()
    (folder / "dangling.jpg").symlink_to(folder / "gone.jpg")
    made += [
        folder / "fifo.jpg",
        Path("/dev/zero"),
        Path("/dev/null"),
        folder / "folder.jpg",
        link_loop(folder, "loop.jpg"),
        folder / "dangling.jpg",
        _write(folder / "사진 한글.jpg", photo),
        _write(folder / "caf\udce9-latin1.jpg", photo),  # a name that is not UTF-8
    ]
    return made


def bad_folders(root: Path) -> list[Path]:
    """Folders given to classify and dog: empty, only bad files, unlistable."""
    empty = root / "empty folder"
    empty.mkdir()
    only_bad = root / "only bad files"
    only_bad.mkdir()
    _write(only_bad / "zero.jpg", b"")
    os.mkfifo(only_bad / "pipe.png")
    locked = root / "locked folder"
    locked.mkdir()
    _write(locked / "photo.jpg", FACE_PHOTO.read_bytes())
    locked.chmod(0)
    return [empty, only_bad, locked]


def bad_drawings(root: Path, mnist) -> list[Path]:
    folder = root / "drawings"
    folder.mkdir()
    files = {
        "black.png": np.zeros((200, 520), np.uint8),
        "white.png": np.full((200, 520), 255, np.uint8),
        "tiny.png": np.full((10, 10), 255, np.uint8),
    }
    canvas, _ = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(3))
    files["inverted.png"] = 255 - canvas
    made = []
    for name, array in files.items():
        Image.fromarray(array).save(folder / name)
        made.append(folder / name)
    dog = ASSETS / "photos" / "dogs" / "Beagle_01141.jpg"
    made.append(Path(shutil.copyfile(dog, folder / "colour-photo.jpg")))
    Image.open(dog).convert("L").save(folder / "grey-photo.png")
    made.append(folder / "grey-photo.png")
    return made


def bad_videos(root: Path) -> list[Path]:
    folder = root / "videos"
    folder.mkdir()
    os.mkfifo(folder / "fifo.avi")
    (folder / "folder.avi").mkdir()
    return [
        _write(folder / "zero-bytes.avi", b""),
        _cut(VIDEO, folder / "truncated.avi", 0.5),
        _cut(VIDEO, folder / "header-only.avi", 0.01),
        _write(folder / "random.mp4", np.random.default_rng(5).bytes(200_000)),
        _write(folder / "notes.mkv", b"not a video\n" * 100),
        _write(folder / "photo-named.avi", FACE_PHOTO.read_bytes()),
        sparse_file(folder / "huge-sparse.mp4", 5 << 30),
        folder / "fifo.avi",
        folder / "folder.avi",
        Path("/dev/zero"),
    ]


def bad_digit_models(root: Path) -> list[Path]:
    folder = root / "digit models"
    folder.mkdir()
    onnx = SHIPPED_MODEL.read_bytes()
    os.mkfifo(folder / "fifo.onnx")
    (folder / "folder.onnx").mkdir()
    return [
        constant_onnx_model(folder / "nan.onnx", float("nan")),
        constant_onnx_model(folder / "overflow.onnx", 1e38),
        _write(folder / "zero-bytes.onnx", b""),
        _write(folder / "truncated.onnx", onnx[: len(onnx) // 2]),
        _write(folder / "random.onnx", np.random.default_rng(6).bytes(100_000)),
        _write(folder / "text.h5", b"not a model\n" * 100),
        _cut(SHIPPED_MODEL.with_suffix(".keras"), folder / "truncated.keras", 0.5),
        Path(shutil.copyfile(MOBILENET, folder / "imagenet-classifier.onnx")),
        sparse_file(folder / "huge-sparse.onnx", 5 << 30),
        _write(folder / "model.txt", b"weights\n"),
        folder / "fifo.onnx",
        folder / "folder.onnx",
        Path("/dev/zero"),
    ]


def bad_face_models(root: Path) -> list[Path]:
    folder = root / "face models"
    folder.mkdir()
    alone = folder / "alone"
    alone.mkdir()
    random_pair = folder / "random pair"
    random_pair.mkdir()
    shutil.copyfile(RES10_PROTOTXT, random_pair / "deploy.prototxt")
    fifo_pair = folder / "fifo pair"
    fifo_pair.mkdir()
    shutil.copyfile(RES10_PROTOTXT, fifo_pair / "deploy.prototxt")
    os.mkfifo(fifo_pair / "res10.caffemodel")
    return [
        constant_onnx_model(folder / "wrong-shape.onnx", 0.5),
        Path(shutil.copyfile(SHIPPED_MODEL, folder / "digits.onnx")),
        Path(shutil.copyfile(RES10, alone / "res10.caffemodel")),
        _write(random_pair / "res10.caffemodel", np.random.default_rng(7).bytes(100_000)),
        fifo_pair / "res10.caffemodel",
        Path(shutil.copyfile(MOBILENET, folder / "classifier.onnx")),
    ]


def bad_class_files(root: Path) -> list[Path]:
    folder = root / "class names"
    folder.mkdir()
    os.mkfifo(folder / "fifo.txt")
    (folder / "folder.json").mkdir()
    evil = b"cos\nsystem\n(S'echo pwned > /tmp/torture-pwned'\ntR."
    return [
        _write(folder / "huge-name.txt", b"Chihuahua\n" + b"x" * 15_000_000 + b"\nbeagle\n"),
        sparse_file(folder / "too-large.txt", 20 << 20),
        _write(folder / "binary.txt", np.random.default_rng(8).bytes(5000)),
        _write(folder / "empty.txt", b""),
        _write(folder / "bad.json", b'{"zero": "a", "one": "b"}'),
        _write(folder / "broken.json", b'["a", "b"'),
        _write(folder / "evil.pkl", evil),
        _write(folder / "two-names.json", b'["Chihuahua", "beagle"]'),
        folder / "fifo.txt",
        folder / "folder.json",
        link_loop(folder, "loop.txt"),
        Path("/dev/zero"),
    ]


def bad_datasets(root: Path) -> list[Path]:
    """MNIST files for `train digits --data`."""
    folder = root / "datasets"
    folder.mkdir()
    os.mkfifo(folder / "fifo.npz")
    np.savez(folder / "other-arrays.npz", a=np.zeros(3))
    return [
        _write(folder / "zero-bytes.npz", b""),
        _write(folder / "notes.npz", b"not arrays\n" * 10),
        folder / "other-arrays.npz",
        folder / "fifo.npz",
        Path("/dev/zero"),
    ]


def import_folders(root: Path) -> list[Path]:
    """Folders for `models import`, each with a bad file named like a registry file (GoogLeNet's
    weights) and the real res10 face detector (the good file, not shipped) beside it."""
    made = []
    cases = {
        "fifo": lambda p: os.mkfifo(p),
        "dev-zero-link": lambda p: p.symlink_to("/dev/zero"),
        "huge-sparse": lambda p: sparse_file(p, 5 << 30),
        "corrupt": lambda p: _write(p, b"not the weights\n"),
        "link-loop": lambda p: link_loop(p.parent, p.name),
    }
    for name, make in cases.items():
        folder = root / "imports" / name
        folder.mkdir(parents=True)
        make(folder / IMPORT_BAD_NAME)
        shutil.copyfile(RES10, folder / RES10.name)
        made.append(folder / IMPORT_BAD_NAME)
    empty = root / "imports" / "empty"
    empty.mkdir()
    not_folder = _write(root / "imports" / "a file.txt", b"not a folder")
    return [*made, empty, not_folder]


def breed_model(root: Path) -> Path:
    from tests.support.model_files import keras_model_file

    return keras_model_file(root / "breeds.h5", (32, 32, 3), 3)


# ------------------------------------------------------------------ the runs


def plan(root: Path, mnist, second_only: bool = False) -> tuple[list[Run], int]:
    """Every (command, bad input) run, and how many distinct bad inputs there are."""
    good_photo = str(shutil.copyfile(FACE_PHOTO, root / "good photo.jpg"))
    canvas, _ = random_mnist_canvas(mnist["x_test"], mnist["y_test"], np.random.default_rng(1))
    good_drawing = root / "good drawing.png"
    Image.fromarray(canvas).save(good_drawing)
    good_drawing = str(good_drawing)
    if second_only:
        return second_round(root, good_photo, good_drawing)
    runs: list[Run] = []
    images, folders = bad_images(root), bad_folders(root)
    drawings, videos = bad_drawings(root, mnist), bad_videos(root)
    digit_models, face_models = bad_digit_models(root), bad_face_models(root)
    class_files, imports = bad_class_files(root), import_folders(root)
    datasets = bad_datasets(root)
    for bad in map(str, images):
        runs.append(Run("image", "postal", ("postal", bad, good_drawing), bad, good_drawing))
        for command, extra in (
            ("classify", ("--model", "mobilenet_v2")),
            ("dog", ()),
            ("faces", ()),
        ):
            runs.append(Run("image", command, (command, *extra, bad, good_photo), bad, good_photo))
    for bad in map(str, folders):
        for command, extra in (("classify", ("--model", "mobilenet_v2")), ("dog", ())):
            runs.append(Run("folder", command, (command, *extra, bad, good_photo), bad, good_photo))
    for bad in map(str, drawings):
        runs.append(Run("drawing", "postal", ("postal", bad, good_drawing), bad, good_drawing))
    for bad in map(str, videos):
        runs.append(Run("video", "faces", ("faces", bad, good_photo), bad, good_photo))
    for bad in map(str, digit_models):
        runs.append(
            Run("digit model", "postal", ("postal", good_drawing, "--model", bad), bad, None)
        )
    for bad in map(str, face_models):
        runs.append(Run("face model", "faces", ("faces", good_photo, "--model", bad), bad, None))
    for bad in map(str, digit_models[:8]):
        argv = ("classify", good_photo, "--model", bad)
        runs.append(Run("classifier", "classify", argv, bad, None))
    runs.append(Run("option", "dog", ("dog", good_photo, "--classifier", "bogus"), "bogus", None))
    target = _write(root / "annotated-is-a-file.png", b"x")
    argv = ("faces", good_photo, "--save-annotated", str(target))
    runs.append(Run("option", "faces", argv, str(target), None))
    model = str(breed_model(root))
    for bad in map(str, class_files):
        argv = ("dog", good_photo, "--model", model, "--classes", bad)
        runs.append(Run("class names", "dog", argv, bad, None))
    for bad in map(str, datasets):
        argv = ("train", "digits", "--data", bad, "--epochs", "1", "--out", str(root / "trained"))
        runs.append(Run("dataset", "train digits", argv, bad, None))
    for bad in imports:
        folder = bad.parent if bad.name == IMPORT_BAD_NAME else bad
        argv = ("models", "import", str(folder))
        good = None if folder == bad else RES10.name
        runs.append(Run("import", "models import", argv, str(bad), good))
    inputs = len(set(images) | set(folders) | set(drawings) | set(videos) | set(digit_models))
    inputs += len(face_models) + len(class_files) + len(imports) + len(datasets) + 2
    more, more_inputs = second_round(root, good_photo, good_drawing)
    return runs + more, inputs + more_inputs


def second_round(root: Path, good_photo: str, good_drawing: str) -> tuple[list[Run], int]:
    """Issue 22's cases: metadata bombs, profiles, side files, registries, output errors, a data
    folder path past the system limit, and links the app is asked to write through."""
    runs: list[Run] = []
    photos = more_cases.bad_photos(root / "photos 2")
    for bad in map(str, photos):
        runs.append(Run("image", "postal", ("postal", bad, good_drawing), bad, good_drawing))
        argv = ("classify", "--model", "mobilenet_v2", bad, good_photo)
        runs.append(Run("image", "classify", argv, bad, good_photo))
    profiles = more_cases.bad_profiles(root / "data" / "profiles")
    for profile in profiles:
        argv = ("postal", "--profile", profile.stem, good_drawing)
        runs.append(Run("profile", "postal", argv, profile.name, good_drawing))
    readable, refused = more_cases.digit_models(root / "digit models 2")
    for model in map(str, readable):
        argv = ("postal", good_drawing, "--model", model)
        runs.append(Run("digit model", "postal", argv, model, None))
    for model in map(str, refused):
        runs.append(Run("digit model", "postal", ("postal", good_drawing, "--model", model),
                        model, None))  # fmt: skip
    registries = more_cases.bad_registries(root / "registries")
    for registry in map(str, registries):
        env = (("VISION_AGENT_REGISTRY", registry),)
        runs.append(Run("registry", "models list", ("models", "list"), registry, None, env))
    runs.append(Run("output", "models list", ("models", "list"), "output", None, stdout="full"))
    argv = ("classify", "--model", "mobilenet_v2", str(ASSETS / "photos" / "objects"))
    runs.append(Run("output", "classify", argv, "closed pipe", None, stdout="head"))
    long = str(root.joinpath(*["d" * 200] * 25))
    argv = ("postal", "--profile", "me", good_drawing)
    runs.append(Run("data folder", "postal", argv, long, good_drawing,
                    (("VISION_AGENT_DATA_DIR", long),)))  # fmt: skip
    for name, link, _ in more_cases.write_targets(root, root / "data" / "profiles"):
        if link.suffix == ".csv":
            argv = ("classify", "--model", "mobilenet_v2", good_photo, "--csv", str(link))
            runs.append(Run("write", "classify --csv", argv, str(link), good_photo))
        else:
            argv = ("postal", "--profile", name, "--teach", "?????", good_drawing)
            runs.append(Run("write", "postal --teach", argv, link.name, None))
    inputs = len(photos) + len(profiles) + len(readable) + len(refused) + len(registries) + 3
    return runs, inputs + len(list(root.glob("outside/*")))


def execute(run: Run, env: dict, timeout: float) -> Outcome:
    """Run one process with a time limit and a memory watchdog; its peak from /usr/bin/time
    (a child forked from this big process would count this one's pages until it execs)."""
    with tempfile.TemporaryDirectory(prefix="run-") as scratch:
        out_path, err_path, peak_path = (Path(scratch) / n for n in ("out", "err", "peak"))
        command = [TIME, "-f", "%M", "-o", str(peak_path), sys.executable, "-m", "vision_agent"]
        started = time.monotonic()
        target = {"full": "/dev/full"}.get(run.stdout, out_path)
        with open(target, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                [*command, *run.argv], stdout=subprocess.PIPE if run.stdout == "head" else out,
                stderr=err, stdin=subprocess.DEVNULL, env={**env, **dict(run.env)}, cwd=REPO,
                start_new_session=True,
            )  # fmt: skip
            if run.stdout == "head":
                out.write(process.stdout.readline())
                process.stdout.close()
            killed, watched = "", 0
            while process.poll() is None:
                watched = max(watched, _rss(process.pid))
                if time.monotonic() - started > timeout:
                    killed = "TIMEOUT"
                elif watched > RUNAWAY_BYTES:
                    killed = "MEMORY"
                if killed:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    break
                time.sleep(0.05)
        seconds = time.monotonic() - started
        try:
            peak = int(peak_path.read_text().split()[-1]) * 1024
        except (OSError, ValueError, IndexError):
            peak = watched
        return Outcome(
            run,
            None if killed else process.returncode,
            killed,
            seconds,
            peak,
            (out_path.read_bytes() if out_path.exists() else b"").decode(
                "utf-8", "surrogateescape"
            ),
            err_path.read_bytes().decode("utf-8", "surrogateescape"),
        )


def _rss(pid: int) -> int:
    """Resident bytes of the run: /usr/bin/time's child (the app) when it has one."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    if children:
        pid = int(children[0])
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) * 1024 if match else 0


def _short(path: str, root: Path) -> str:
    text = path.replace(str(root) + "/", "")
    text = text.encode("utf-8", "backslashreplace").decode()
    return text if len(text) <= 44 else "…" + text[-43:]


def report(outcomes: list[Outcome], root: Path, inputs: int, wall: float) -> None:
    header = (
        f"{'input':<45} {'command':<14} {'exit':>7} {'bad file':<9} {'clear':<5} {'tb':<3} "
        f"{'good':<4} {'stray':>5} {'peak MB':>8} {'s':>5}"
    )
    print(header)
    print("-" * len(header))
    for o in outcomes:
        good = {None: "-", True: "yes", False: "NO"}[o.good_answered]
        code = o.killed or str(o.code)
        print(
            f"{_short(o.run.bad, root):<45} {o.run.command:<14} {code:>7} {o.bad_outcome:<9} "
            f"{'yes' if o.clear else 'NO':<5} {'YES' if o.traceback else 'no':<3} {good:<4} "
            f"{len(o.stray):>5} {o.peak_bytes / 1e6:>8.0f} {o.seconds:>5.1f}"
        )
    print()
    problems = {
        "tracebacks": [o for o in outcomes if o.traceback],
        "hangs (killed at the time limit)": [o for o in outcomes if o.killed == "TIMEOUT"],
        "memory runaways (killed)": [o for o in outcomes if o.killed == "MEMORY"],
        f"peaks over {MEMORY_LIMIT_BYTES / 1e9:.1f} GB": [
            o for o in outcomes if o.peak_bytes > MEMORY_LIMIT_BYTES
        ],
        "lost good files": [o for o in outcomes if o.good_answered is False],
        "bad files neither answered nor refused": [
            o for o in outcomes if o.bad_outcome == "SILENT"
        ],
        "unclear refusals": [o for o in outcomes if not o.clear],
        "runs with stray stderr lines": [o for o in outcomes if o.stray],
    }
    counts = {kind: sum(o.bad_outcome == kind for o in outcomes) for kind in OUTCOMES}
    print(
        f"{len(outcomes)} runs on {inputs} bad inputs in {wall:.0f} s: {counts['refused']} "
        f"refused, {counts['answered']} read anyway, {counts['accepted']} accepted; peak memory "
        f"{max(o.peak_bytes for o in outcomes) / 1e6:.0f} MB"
    )
    for name, found in problems.items():
        print(f"  {name}: {len(found)}")
    for name, found in problems.items():
        for o in found[:12]:
            detail = (o.stray[:1] if name.startswith("runs with stray") else o.app_errors[:1]) or [
                o.stderr.strip().splitlines()[-1] if o.stderr.strip() else "(no stderr)"
            ]
            print(f"  [{name}] {o.run.command} {_short(o.run.bad, root)}: {detail[0][:160]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="runs at once (default 2)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per run (default 90)")
    parser.add_argument("--only", help="only runs whose command or input contains this text")
    parser.add_argument("--messages", action="store_true", help="also list every refusal")
    parser.add_argument("--keep", action="store_true", help="keep the corpus folder")
    parser.add_argument(
        "--second-round", action="store_true", help="only issue 22's cases (bench/torture_files)"
    )
    parser.add_argument(
        "--teaching-rounds", type=int, default=20,
        help="rounds of two concurrent `postal --teach` runs (default 20; 0 skips)",
    )  # fmt: skip
    args = parser.parse_args()
    if not ASSETS.is_dir():
        print(f"needs the shared assets in {ASSETS}", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="vision-agent-torture-"))
    env = dict(
        USER_ENV,
        PYTHONPATH=str(REPO),
        VISION_AGENT_MODEL_PATH=str(ASSETS),
        VISION_AGENT_CACHE_DIR=str(root / "cache"),
        VISION_AGENT_DATA_DIR=str(root / "data"),
        XDG_CONFIG_HOME=str(root / "config"),
        QT_QPA_PLATFORM="offscreen",
    )
    try:
        with np.load(ASSETS / "mnist" / "mnist.npz") as data:
            mnist = {key: data[key] for key in ("x_test", "y_test")}
        started = time.monotonic()
        runs, inputs = plan(root, mnist, args.second_round)
        print(f"corpus of {inputs} bad inputs in {root} ({time.monotonic() - started:.0f} s)")
        if args.only:
            runs = [r for r in runs if args.only in r.command or args.only in r.bad]
        watched = [*root.glob("outside/*"), *root.glob("data/profiles/link-to-*"),
                   *root.glob("csv-link-to-*")]  # fmt: skip
        before = {path: more_cases.snapshot(path) for path in watched}
        lock = threading.Lock()
        done: list[Outcome] = []

        def one(run: Run) -> Outcome:
            outcome = execute(run, env, args.timeout)
            with lock:
                done.append(outcome)
                print(f"\r{len(done)}/{len(runs)} runs", end="", file=sys.stderr, flush=True)
            return outcome

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(one, runs))
        print(file=sys.stderr)
        report(outcomes, root, inputs, time.monotonic() - started)
        if args.messages:
            print("\nWhat each run said on stderr:")
            for o in outcomes:
                for line in o.app_errors:
                    text = line.replace(str(root) + "/", "")
                    print(
                        f"  {o.run.command:<13} {text.encode('utf-8', 'backslashreplace').decode()}"
                    )
        pwned = Path("/tmp/torture-pwned").exists()
        print(f"  hostile pickle ran: {'YES' if pwned else 'no'}")
        changed = more_cases.changed_targets(before)
        print(f"  writes outside the app's own regular files: {len(changed)}")
        for path in changed:
            print(f"  [written] {_short(str(path), root)}")
        if args.teaching_rounds:
            canvas, code = random_mnist_canvas(
                mnist["x_test"], mnist["y_test"], np.random.default_rng(7)
            )
            drawing = root / "teaching drawing.png"
            Image.fromarray(canvas).save(drawing)
            taught, kept = more_cases.concurrent_teaching(
                root, drawing, code, env, args.teaching_rounds
            )
            print(
                f"  lost samples: {taught - kept} (two teachers at once, "
                f"{args.teaching_rounds} rounds: {kept} of {taught} kept)"
            )
    finally:
        locked = root / "locked folder"
        if locked.exists():
            locked.chmod(0o755)
        if args.keep:
            print(f"corpus kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
