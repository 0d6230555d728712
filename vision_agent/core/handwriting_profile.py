"""Handwriting profiles: the user's own digits, each a 28×28 model input with its true label.

A profile is one `.npz` file (NumPy's zip of arrays, read with `allow_pickle=False`, so loading
never executes anything) holding `format` (a version string), `inputs` (n, 28, 28) uint8 and
`labels` (n,) int8 — 0-9, or 10 for "not a digit". Profiles live in `<user data>/profiles/`,
one file per name; the same file is what export and import move around. Writing goes to a
temporary file in the same folder that then replaces the old one, so a crash never leaves a
half-written profile.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision_agent.core.errors import UserError
from vision_agent.core.npz_gate import read_npz_arrays
from vision_agent.core.user_files import read_user_bytes
from vision_agent.core.user_writes import (
    remove_stale_temp_files,
    user_file_lock,
    write_user_file,
)

PROFILE_FORMAT = "vision-agent handwriting profile 1"
PROFILE_SUFFIX = ".npz"
DEFAULT_PROFILE = "default"
NOT_A_DIGIT_LABEL = 10
MAX_SAMPLES = 5000  # ~4 MB; far more than anyone teaches by hand
MAX_FILE_BYTES = 8 * 1024 * 1024
_MEMBER_BYTES = {"format": 4096, "inputs": MAX_SAMPLES * 28 * 28, "labels": MAX_SAMPLES * 8}
_NAME = re.compile(r"^[\w][\w .-]{0,63}$")


class ProfileError(UserError):
    """A profile that cannot be read, written or named as asked."""


def check_name(name: str) -> str:
    """A profile name: letters (any script), digits, spaces, '.', '-', '_'; no path parts."""
    name = name.strip()
    if not _NAME.match(name) or name in (".", "..") or name.endswith("."):
        raise ProfileError(
            f"'{name}' cannot be a profile name: use letters, digits, spaces, '-' or '_' "
            "(at most 64 characters)."
        )
    return name


@dataclass
class HandwritingProfile:
    """The samples of one profile; `teach` adds, `forget` empties."""

    name: str
    inputs: np.ndarray = field(default_factory=lambda: np.zeros((0, 28, 28), np.uint8))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))

    def __len__(self) -> int:
        return len(self.labels)

    def teach(self, inputs: np.ndarray, labels: list[int]) -> int:
        """Add samples (28×28, floats 0..1 or uint8) with labels 0-10; how many were added."""
        if len(inputs) != len(labels):
            raise ProfileError("Each sample needs one label.")
        if any(not 0 <= label <= NOT_A_DIGIT_LABEL for label in labels):
            raise ProfileError("Labels are digits 0-9, or 10 for 'not a digit'.")
        if not len(labels):
            return 0
        pixels = np.asarray(inputs)
        if pixels.dtype != np.uint8:
            pixels = np.round(np.clip(pixels, 0, 1) * 255).astype(np.uint8)
        pixels = pixels.reshape(len(labels), 28, 28)
        self.inputs = np.concatenate([self.inputs, pixels])[-MAX_SAMPLES:]
        self.labels = np.concatenate([self.labels, np.asarray(labels, np.int8)])[-MAX_SAMPLES:]
        return len(labels)

    def forget(self) -> None:
        self.inputs = self.inputs[:0]
        self.labels = self.labels[:0]

    def counts(self) -> list[int]:
        """Samples per label: ten digits, then 'not a digit'."""
        return [int(n) for n in np.bincount(self.labels, minlength=NOT_A_DIGIT_LABEL + 1)]

    def float_inputs(self) -> np.ndarray:
        return self.inputs.astype(np.float32)[..., None] / 255.0


def read_profile(path: Path, name: str | None = None) -> HandwritingProfile:
    """A profile file, checked; ProfileError (naming the file) for anything else."""
    path = Path(path)
    data = read_user_bytes(path, "a handwriting profile", MAX_FILE_BYTES, ProfileError)
    try:
        arrays = read_npz_arrays(data, _MEMBER_BYTES, ProfileError)
    except ProfileError as exc:
        raise ProfileError(f"{path.name} is not a handwriting profile: {exc}.") from None
    kind = str(arrays["format"])[:200] if arrays["format"].dtype.kind == "U" else "?"
    inputs, labels = arrays["inputs"], arrays["labels"]
    if kind != PROFILE_FORMAT:
        raise ProfileError(f"{path.name} is not a handwriting profile of this app ({kind[:60]}).")
    valid = (
        inputs.dtype == np.uint8
        and inputs.ndim == 3
        and inputs.shape[1:] == (28, 28)
        and labels.ndim == 1
        and len(labels) == len(inputs) <= MAX_SAMPLES
        and np.issubdtype(labels.dtype, np.integer)
        and (len(labels) == 0 or (labels.min() >= 0 and labels.max() <= NOT_A_DIGIT_LABEL))
    )
    if not valid:
        raise ProfileError(f"{path.name}: its samples are damaged (wrong shapes or labels).")
    return HandwritingProfile(name or path.stem, inputs, labels.astype(np.int8))


def profile_bytes(profile: HandwritingProfile) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, format=np.array(PROFILE_FORMAT), inputs=profile.inputs, labels=profile.labels
    )
    return buffer.getvalue()


def write_profile(profile: HandwritingProfile, path: Path) -> None:
    """Write atomically (`write_user_file`: never over or through a link or a device)."""
    write_user_file(path, profile_bytes(profile), ProfileError)


class ProfileStore:
    """The profiles of this user: one file each in a folder.

    Several processes (windows, CLI runs) may share the folder: every change of a profile file
    is a read-modify-write under its lock (`user_file_lock`), so taught samples are added to
    what is on disk, never to a stale copy.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        remove_stale_temp_files(self.folder)

    def path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}{PROFILE_SUFFIX}"

    def names(self) -> list[str]:
        try:
            found = sorted(p.stem for p in self.folder.glob(f"*{PROFILE_SUFFIX}") if p.is_file())
        except OSError:
            found = []
        return found if DEFAULT_PROFILE in found else [DEFAULT_PROFILE, *found]

    def load(self, name: str) -> HandwritingProfile:
        """The named profile; an empty one when it does not exist yet."""
        path = self.path(name)
        if not os.path.lexists(path):  # False too for a path the system cannot hold
            return HandwritingProfile(check_name(name))
        return read_profile(path, check_name(name))

    def save(self, profile: HandwritingProfile) -> HandwritingProfile:
        """Replace the named profile's samples with `profile`'s (a reset, an import)."""
        path = self.path(profile.name)
        with user_file_lock(path, ProfileError):
            write_profile(profile, path)
        return profile

    def add_samples(self, name: str, inputs: np.ndarray, labels: list[int]) -> HandwritingProfile:
        """Teach the stored profile these samples; the profile as saved (others' samples too)."""
        path = self.path(name)
        with user_file_lock(path, ProfileError):
            profile = self.load(name)
            profile.teach(inputs, labels)
            write_profile(profile, path)
        return profile

    def rename(self, old: str, new: str) -> None:
        source, target = self.path(old), self.path(new)
        with contextlib.ExitStack() as locks:
            for path in sorted((source, target)):  # one order for everyone: no deadlock
                locks.enter_context(user_file_lock(path, ProfileError))
            if os.path.lexists(target):
                raise ProfileError(f"A profile named '{check_name(new)}' exists already.")
            if not os.path.lexists(source):
                write_profile(HandwritingProfile(check_name(new)), target)
                return
            try:
                os.replace(source, target)
            except OSError as exc:
                raise ProfileError(f"Cannot rename the profile: {exc.strerror or exc}.") from None

    def set_aside(self, name: str) -> str:
        """Move a profile file that cannot be read out of the way (kept, no longer listed)."""
        source = self.path(name)
        target = source.with_suffix(".damaged")
        try:
            os.replace(source, target)
        except OSError:
            return source.name
        return target.name

    def import_file(self, source: Path, name: str | None = None) -> HandwritingProfile:
        profile = read_profile(source, check_name(name or Path(source).stem))
        self.save(profile)
        return profile

    def export_file(self, name: str, target: Path) -> None:
        write_profile(self.load(name), target)


def default_store() -> ProfileStore:
    from vision_agent.paths import user_data_dir

    return ProfileStore(user_data_dir() / "profiles")
