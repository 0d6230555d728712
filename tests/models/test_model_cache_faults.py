"""A model cache that cannot be written and registries that lead astray: messages, no tracebacks.

Tests run as root here, where chmod cannot make a folder read-only: the cache is a file in place
of a folder, or (where `unshare` may mount) a real read-only bind mount or a full tmpfs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.model_server import FILE_NAME as NAME
from tests.support.model_server import (
    PAYLOAD,
    PAYLOAD_SHA256,
    ModelServer,
    model_entry,
    one_model_registry,
    only_digits_shipped,
    write_registry,
)
from tests.support.paths import asset
from vision_agent.models.registry import Registry, RegistryError

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str], wrap: list[str] | None = None):
    command = [sys.executable, "-m", "vision_agent", *args]
    return subprocess.run(
        (wrap or []) + command,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_message(result, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    for word in words:
        assert word in result.stderr, result.stderr[-3000:]


def test_fetch_with_the_test_registry_works(tmp_path, model_server) -> None:
    """The baseline: this one-model registry, served by the local server, downloads."""
    env = registry_env(tmp_path, model_server)
    result = cli("models", "fetch", "m", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cache" / "m" / NAME).read_bytes() == PAYLOAD


def registry_env(tmp_path: Path, server: ModelServer, cache: Path | None = None) -> dict[str, str]:
    registry = one_model_registry(tmp_path, server.url("good", NAME), size=None)
    (tmp_path / "empty").mkdir(exist_ok=True)
    return {
        "VISION_AGENT_REGISTRY": str(registry),
        "VISION_AGENT_CACHE_DIR": str(cache or tmp_path / "cache"),
        "VISION_AGENT_MODEL_PATH": str(tmp_path / "empty"),
    }


@pytest.fixture
def cache_is_a_file(tmp_path) -> Path:
    path = tmp_path / "cache-file"
    path.write_text("a file where the cache folder should be")
    return path


def test_fetch_into_a_cache_that_is_a_file(tmp_path, model_server, cache_is_a_file):
    result = cli("models", "fetch", "m", env=registry_env(tmp_path, model_server, cache_is_a_file))
    assert_message(result, str(cache_is_a_file), "cannot be written", "VISION_AGENT_CACHE_DIR")
    assert model_server.requests["good"] == 0


def test_import_into_a_cache_that_is_a_file(tmp_path, model_server, cache_is_a_file):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / NAME).write_bytes(PAYLOAD)
    env = registry_env(tmp_path, model_server, cache_is_a_file)
    result = cli("models", "import", str(usb), env=env)
    assert_message(result, str(cache_is_a_file), "cannot be written")


def test_classify_with_a_cache_that_is_a_file(tmp_path, cache_is_a_file):
    onnx = asset("imagenet_small", "mobilenetv2-12-int8_onnx", "mobilenetv2-12-int8.onnx")
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    # MobileNetV2 ships with the app: a registry in which it is a download
    models = json.loads(only_digits_shipped(tmp_path).read_text(encoding="utf-8"))["models"]
    with ModelServer(payload=onnx.read_bytes()) as server:
        for model in models:
            for f in model["files"].values():
                if f.get("url"):
                    f["url"] = server.url("good", f["name"])
        (tmp_path / "empty").mkdir()
        env = {
            "VISION_AGENT_REGISTRY": str(write_registry(tmp_path / "r.json", models)),
            "VISION_AGENT_CACHE_DIR": str(cache_is_a_file),
            "VISION_AGENT_MODEL_PATH": str(tmp_path / "empty"),
        }
        result = cli("classify", str(photo), "--model", "mobilenet_v2", env=env)
    assert_message(result, str(cache_is_a_file), "cannot be written")


@pytest.mark.parametrize(
    "data",
    [
        {"models": "oops"},
        ["not", "an", "object"],
        {"models": ["oops"]},
        {"models": [{"id": "m", "files": "oops"}]},
    ],
)
def test_malformed_registry_is_a_message(tmp_path, data):
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RegistryError):
        Registry(path)
    result = cli("models", "list", env={"VISION_AGENT_REGISTRY": str(path)})
    assert_message(result, str(path))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "../../evil"),
        ("id", "a/b"),
        ("id", ".."),
        ("name", "../evil.bin"),
        ("name", ".."),
        ("resource", "../../etc/passwd"),
        ("resource", "/etc/passwd"),
        ("labels", "../../secret.txt"),
    ],
)
def test_registry_paths_cannot_leave_their_folders(tmp_path, model_server, field, value):
    file = {"name": NAME, "url": model_server.url("good", NAME), "hash": PAYLOAD_SHA256}
    entry = model_entry("m", {"weights": file})
    if field == "resource":
        entry["shipped"], file["resource"] = True, value
    elif field == "name":
        file["name"] = value
    else:
        entry[field] = value
    path = write_registry(tmp_path / "registry.json", [entry])
    with pytest.raises(RegistryError, match="must"):
        Registry(path)
    cache = tmp_path / "deep" / "er" / "cache"
    env = {"VISION_AGENT_REGISTRY": str(path), "VISION_AGENT_CACHE_DIR": str(cache)}
    result = cli("models", "fetch", entry["id"], env=env)
    assert_message(result, "must")
    assert not (tmp_path / "deep" / "evil").exists() and not (tmp_path / "evil").exists()
    assert model_server.requests["good"] == 0


# --------------------------------------------------------------- real read-only and full disks


def private_mount(*commands: str) -> list[str]:
    """A command prefix that runs in a private mount namespace after `commands` (root only)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to mount a read-only or full folder")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare cannot make a mount namespace here")
    script = " && ".join([*commands, 'exec "$@"'])
    return ["unshare", "-m", "sh", "-c", script, "sh"]


def test_read_only_cache_holding_a_corrupt_file(tmp_path, model_server):
    cache = tmp_path / "cache"
    (cache / "m").mkdir(parents=True)
    (cache / "m" / NAME).write_bytes(b"corrupt")
    wrap = private_mount(f"mount --bind {cache} {cache}", f"mount -o remount,bind,ro {cache}")
    env = registry_env(tmp_path, model_server, cache)
    result = cli("models", "fetch", "m", env=env, wrap=wrap)
    assert_message(result, str(cache / "m"), "Read-only file system")
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / NAME).write_bytes(PAYLOAD)
    result = cli("models", "import", str(usb), env=env, wrap=wrap)
    assert_message(result, str(cache / "m"), "Read-only file system")
    assert (cache / "m" / NAME).read_bytes() == b"corrupt"


def test_full_disk_under_the_cache(tmp_path, model_server):
    cache = tmp_path / "cache"
    cache.mkdir()
    wrap = private_mount(f"mount -t tmpfs -o size=64k tmpfs {cache}")
    result = cli("models", "fetch", "m", env=registry_env(tmp_path, model_server, cache), wrap=wrap)
    assert_message(result, NAME, "No space left on device")
    assert list(cache.iterdir()) == [], "the namespace's tmpfs never reaches this folder"


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_import_skips_a_file_that_is_no_regular_file(tmp_path, model_server, kind):
    """A FIFO (or a link to a device) named like a model file hung `models import` forever."""
    usb = tmp_path / "usb"
    usb.mkdir()
    if kind == "fifo":
        os.mkfifo(usb / NAME)
    else:
        (usb / NAME).symlink_to("/dev/zero")
    result = cli("models", "import", str(usb), env=registry_env(tmp_path, model_server))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob(NAME))
