"""The one writer: never over or through a link, a device, a FIFO or a folder; a lock for
read-modify-writes; a crash's temporary files removed at the next start."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import numpy as np
import pytest

from tests.support.bad_inputs import fifo
from vision_agent.core.errors import UserError
from vision_agent.core.handwriting_profile import HandwritingProfile, ProfileError, ProfileStore
from vision_agent.core.user_writes import (
    STALE_TEMP_AFTER_S,
    remove_stale_temp_files,
    user_file_lock,
    write_user_file,
)


def device_node(path: Path) -> Path | None:
    """A character device like /dev/null, made in a temporary folder (root only)."""
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        return None
    return path


def targets(tmp_path: Path) -> dict[str, Path]:
    """Things that are not a regular file the app made, each with the path the app would write."""
    made = {"fifo": fifo(tmp_path / "a.fifo")}
    device = device_node(tmp_path / "a.device")
    if device is not None:
        made["device"] = device
    (tmp_path / "real.txt").write_text("the user's own text")
    found = {}
    for kind, target in [*made.items(), ("regular file", tmp_path / "real.txt")]:
        link = tmp_path / f"link to {kind}"
        link.symlink_to(target)
        found[f"link to {kind}"] = link
    found.update(made)
    (tmp_path / "folder").mkdir()
    found["folder"] = tmp_path / "folder"
    return found


def test_write_refuses_links_devices_fifos_and_folders_and_leaves_them_untouched(tmp_path):
    for kind, path in targets(tmp_path).items():
        before = os.lstat(path)
        with pytest.raises(UserError, match="left untouched") as refused:
            write_user_file(path, b"settings text")
        assert str(path) in str(refused.value), kind
        after = os.lstat(path)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino), kind
    assert (tmp_path / "real.txt").read_text() == "the user's own text"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_replaces_a_regular_file_atomically(tmp_path):
    path = tmp_path / "settings.json"
    write_user_file(path, b"one")
    write_user_file(path, b"two")
    assert path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_a_file_where_the_folder_should_be_is_named(tmp_path):
    (tmp_path / "profiles").write_text("not a folder")
    store = ProfileStore(tmp_path / "profiles")
    with pytest.raises(ProfileError, match="is a file, not a folder"):
        store.save(HandwritingProfile("me"))


def test_a_path_longer_than_the_system_allows_is_said_so(tmp_path):
    with pytest.raises(UserError, match="longer than the system allows"):
        write_user_file(tmp_path / ("x" * 300), b"data")


def test_stale_temporary_files_are_removed_at_start_and_fresh_ones_kept(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    old = [folder / ".profile-abc123.tmp", folder / ".me.npz-x1y2.tmp"]
    fresh = folder / ".profile-new.tmp"
    for path in [*old, fresh]:
        path.write_bytes(b"half a profile")
    then = time.time() - STALE_TEMP_AFTER_S - 60
    for path in old:
        os.utime(path, (then, then))
    (folder / ".linked-x.tmp").symlink_to(tmp_path / "elsewhere")
    ProfileStore(folder)
    assert sorted(p.name for p in folder.iterdir()) == [".linked-x.tmp", ".profile-new.tmp"]
    assert remove_stale_temp_files(folder) == []


def test_the_lock_serializes_read_modify_writes_across_processes(tmp_path):
    import multiprocessing

    path = tmp_path / "counter"
    path.write_text("0")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_count, args=(path, 50)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert path.read_text() == "150"


def _count(path: Path, times: int) -> None:
    for _ in range(times):
        with user_file_lock(path):
            value = int(path.read_text())
            write_user_file(path, str(value + 1).encode())


def test_adding_samples_keeps_what_another_store_added(tmp_path):
    first, second = ProfileStore(tmp_path), ProfileStore(tmp_path)
    first.add_samples("me", np.zeros((2, 28, 28), np.uint8), [1, 2])
    second.add_samples("me", np.ones((3, 28, 28), np.uint8), [3, 4, 5])
    assert first.load("me").labels.tolist() == [1, 2, 3, 4, 5]


def test_cli_csv_export_to_a_link_leaves_its_target_alone(tmp_path, capsys):
    from tests.support.paths import asset
    from vision_agent.cli import main

    target = tmp_path / "target.txt"
    target.write_text("keep me")
    (tmp_path / "out.csv").symlink_to(target)
    photo = asset("photos", "faces", "grace_hopper_matplotlib.jpg")
    code = main(["classify", "--model", "mobilenet_v2", "--csv", str(tmp_path / "out.csv"),
                 str(photo)])  # fmt: skip
    assert code != 0 and "is a link" in capsys.readouterr().err
    assert target.read_text() == "keep me"


def test_an_interrupted_imports_temporary_file_is_removed_when_the_store_starts(tmp_path):
    from vision_agent.models.download import STALE_AFTER_S
    from vision_agent.models.registry import default_registry
    from vision_agent.models.store import ModelStore

    entry = next(iter(default_registry().all_entries()))
    folder = tmp_path / "cache" / entry.id
    folder.mkdir(parents=True)
    stale, fresh = folder / ".import-k2j3h4", folder / ".import-now123"
    for path in (stale, fresh):
        path.write_bytes(bytes(1 << 20))
    then = time.time() - STALE_AFTER_S - 60
    os.utime(stale, (then, then))
    ModelStore(cache_dir=tmp_path / "cache")
    assert not stale.exists() and fresh.exists()


def test_saved_images_never_go_through_a_link(tmp_path):
    from vision_agent.core.errors import ImageReadError
    from vision_agent.core.imageio import write_image

    target = tmp_path / "someone else's.png"
    target.write_bytes(b"keep me")
    (tmp_path / "drawing.png").symlink_to(target)
    with pytest.raises(ImageReadError, match="is a link"):
        write_image(tmp_path / "drawing.png", np.zeros((20, 30), np.uint8))
    assert target.read_bytes() == b"keep me"
    write_image(tmp_path / "own.png", np.zeros((20, 30), np.uint8))
    assert (tmp_path / "own.png").read_bytes().startswith(b"\x89PNG")
