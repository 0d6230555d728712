"""The model store against a real local HTTP server: download, verify, cache, import, cancel."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time

import pytest

from tests.support.model_server import FILE_NAME as NAME
from tests.support.model_server import (
    PAYLOAD,
    PAYLOAD_SHA256,
    cache_files,
    closed_port_url,
    model_entry,
    one_model_store,
    repo_assets_dir,
    write_registry,
)
from vision_agent.core.labels import load_labels
from vision_agent.models import store as store_module
from vision_agent.models.registry import (
    Registry,
    RegistryError,
    UnknownModelError,
    default_registry,
)
from vision_agent.models.store import (
    ChecksumError,
    DownloadCancelled,
    ModelMissingError,
    ModelStore,
    default_store,
)
from vision_agent.paths import resources_dir


def test_good_download_is_verified_and_cached(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("good", NAME))
    assert store.status("m") == "missing"
    calls = []
    paths = store.resolve("m", progress=lambda done, total, name: calls.append((done, total, name)))
    assert paths["weights"] == tmp_path / "cache" / "m" / NAME
    assert paths["weights"].read_bytes() == PAYLOAD
    assert calls[-1] == (len(PAYLOAD), len(PAYLOAD), NAME)
    assert cache_files(tmp_path) == [paths["weights"]]
    assert store.status("m") == "ready"
    store.resolve("m")
    assert model_server.requests["good"] == 1


def test_wrong_hash_is_rejected_and_nothing_is_kept(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("wrong", NAME), retries=1)
    with pytest.raises(ChecksumError, match="does not match its published checksum"):
        store.resolve("m")
    assert cache_files(tmp_path) == []
    assert model_server.requests["wrong"] == 1, "a checksum mismatch is not retried"
    assert store.status("m") == "missing"


def test_transfer_cut_in_the_middle(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("cut", NAME))
    with pytest.raises(ModelMissingError, match="interrupted"):
        store.resolve("m")
    assert cache_files(tmp_path) == []


def test_cut_transfer_is_retried(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("cut-once", NAME), retries=1)
    assert store.resolve("m")["weights"].read_bytes() == PAYLOAD
    assert model_server.requests["cut-once"] == 2


def test_404_names_the_file_the_address_and_the_way_to_import(tmp_path, model_server):
    url = model_server.url("missing", NAME)
    store = one_model_store(tmp_path, url, retries=2)
    with pytest.raises(ModelMissingError) as info:
        store.resolve("m")
    message = str(info.value)
    assert NAME in message and url in message and "HTTP 404" in message
    assert "vision-agent models import DIR" in message and "VISION_AGENT_MODEL_PATH" in message
    assert model_server.requests["missing"] == 1, "a 404 is not retried"
    assert cache_files(tmp_path) == []


def test_offline_says_so(tmp_path):
    store = one_model_store(tmp_path, closed_port_url(NAME))
    with pytest.raises(ModelMissingError, match="no connection"):
        store.resolve("m")


def test_slow_download_cancelled_by_the_user(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("slow", NAME))
    cancel = threading.Event()
    seen: list[int] = []
    outcome: list[BaseException] = []

    def progress(done, total, name):
        seen.append(done)
        if done >= 4096:
            cancel.set()

    def run():
        try:
            store.resolve("m", progress=progress, cancel=cancel)
        except BaseException as exc:
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 5, "the full slow download takes about 6 s"
    assert len(outcome) == 1 and isinstance(outcome[0], DownloadCancelled)
    assert max(seen) < len(PAYLOAD)
    assert cache_files(tmp_path) == []


def test_import_from_a_folder_then_resolve_offline(tmp_path):
    usb = tmp_path / "usb" / "models" / "deep"
    usb.mkdir(parents=True)
    (usb / NAME).write_bytes(PAYLOAD)
    bad = tmp_path / "usb" / "other"
    bad.mkdir()
    (bad / NAME).write_bytes(b"not the model")
    store = one_model_store(tmp_path, closed_port_url(NAME))

    results = store.import_dir(tmp_path / "usb")
    imported = [r for r in results if r.imported]
    rejected = [r for r in results if not r.imported]
    assert len(imported) == 1 and imported[0].dest == tmp_path / "cache" / "m" / NAME
    assert all(r.source == bad / NAME for r in rejected)
    assert store.status("m") == "ready"
    assert store.resolve("m")["weights"].read_bytes() == PAYLOAD
    again = store.import_dir(tmp_path / "usb")
    assert [r.detail for r in again if r.dest] == ["already in the cache"]


def test_corrupted_cache_file_is_detected_and_fetched_again(tmp_path, model_server):
    store = one_model_store(tmp_path, model_server.url("good", NAME))
    path = store.resolve("m")["weights"]
    path.write_bytes(PAYLOAD[:-10] + b"0123456789")
    assert store.status("m") == "corrupt"
    assert store.resolve("m")["weights"].read_bytes() == PAYLOAD
    assert model_server.requests["good"] == 2
    assert store.status("m") == "ready"


def test_search_path_wins_over_cache_and_network(tmp_path):
    folder = tmp_path / "models" / "sub"
    folder.mkdir(parents=True)
    (folder / NAME).write_bytes(PAYLOAD)
    store = one_model_store(tmp_path, closed_port_url(NAME), search_path=[tmp_path / "models"])
    assert store.resolve("m") == {"weights": folder / NAME}
    assert cache_files(tmp_path) == []


def test_env_variables_configure_the_default_store(tmp_path, monkeypatch):
    files = {"weights": {"name": NAME, "url": closed_port_url(NAME), "hash": PAYLOAD_SHA256}}
    registry_path = write_registry(tmp_path / "r.json", [model_entry("env_model", files)])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / NAME).write_bytes(PAYLOAD)
    monkeypatch.setenv("VISION_AGENT_REGISTRY", str(registry_path))
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    monkeypatch.setenv("VISION_AGENT_CACHE_DIR", str(tmp_path / "c"))
    store = default_store()
    assert store.cache_dir == tmp_path / "c"
    assert store.resolve("env_model")["weights"] == tmp_path / "b" / NAME


def test_shipped_model_is_read_from_resources(tmp_path, monkeypatch):
    files = {"weights": {"name": "d.onnx", "url": None, "hash": None, "resource": "m/d.onnx"}}
    entry = model_entry("digits", files, shipped=True, task="digits")
    store = ModelStore(
        Registry(write_registry(tmp_path / "r.json", [entry])), search_path=[], cache_dir=tmp_path
    )
    monkeypatch.setattr(store_module, "resources_dir", lambda: tmp_path / "res")
    assert store.status("digits") == "missing"
    with pytest.raises(ModelMissingError, match="missing from this installation"):
        store.resolve("digits")
    (tmp_path / "res" / "m").mkdir(parents=True)
    (tmp_path / "res" / "m" / "d.onnx").write_bytes(b"onnx")
    assert store.resolve("digits") == {"weights": tmp_path / "res" / "m" / "d.onnx"}


# ----------------------------------------------------------------- the real registry

ASSETS = repo_assets_dir()
needs_assets = pytest.mark.skipif(not ASSETS.is_dir(), reason="../shared/assets is absent")


@pytest.fixture
def offline_real_registry(tmp_path) -> Registry:
    """The shipped registry with every address pointing at a closed port."""
    data = json.loads(default_registry().path.read_text(encoding="utf-8"))
    for model in data["models"]:
        for f in model["files"].values():
            if f.get("url"):
                f["url"] = closed_port_url(f["name"])
    return Registry(write_registry(tmp_path / "offline.json", data["models"]))


@needs_assets
@pytest.mark.parametrize("model_id", ["res10_caffe_fp32", "res10_tf_uint8"])
def test_face_detector_resolves_from_shared_assets_without_network(
    tmp_path, monkeypatch, offline_real_registry, model_id
):
    import cv2
    import numpy as np

    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(ASSETS))
    store = ModelStore(offline_real_registry, cache_dir=tmp_path / "cache", retries=0)
    assert store.status(model_id) == "ready"
    paths = store.resolve(model_id)
    # res10_tf_uint8 ships with the app: its copy in resources/ is used, checked like the others
    where = resources_dir() if store.registry.get(model_id).shipped else ASSETS
    assert all(p.is_relative_to(where) for p in paths.values())
    if model_id == "res10_caffe_fp32":
        net = cv2.dnn.readNetFromCaffe(str(paths["config"]), str(paths["weights"]))
    else:
        net = cv2.dnn.readNetFromTensorflow(str(paths["weights"]), str(paths["config"]))
    frame = np.zeros((300, 300, 3), np.uint8)
    net.setInput(cv2.dnn.blobFromImage(frame, 1.0, (300, 300), (104, 177, 123)))
    assert net.forward().shape[-1] == 7
    assert not (tmp_path / "cache").exists()


@needs_assets
def test_missing_model_offline_fails_clearly(tmp_path, monkeypatch, offline_real_registry):
    monkeypatch.setenv("VISION_AGENT_MODEL_PATH", str(ASSETS))
    store = ModelStore(offline_real_registry, cache_dir=tmp_path / "cache", retries=0)
    assert store.status("res10_caffe_fp16") == "missing"
    with pytest.raises(ModelMissingError, match=r"res10_300x300_ssd_iter_140000_fp16\.caffemodel"):
        store.resolve("res10_caffe_fp16")


@needs_assets
def test_registry_hashes_match_the_development_copies():
    """Every registry file with a copy in ../shared/assets: its hashes describe that copy."""
    by_name = {p.name: p for p in ASSETS.rglob("*") if p.is_file()}
    checked = 0
    for entry in default_registry().all_entries():
        for f in entry.files.values():
            copy = by_name.get(f.name)
            if copy is None or not f.accepted_hashes:
                continue
            data = copy.read_bytes()

            def digest(value: str, data: bytes = data) -> str:
                algorithm, _, _ = value.partition(":")
                return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"

            accepted = [h for h in f.accepted_hashes if digest(h) == h]
            if accepted:
                checked += 1
                if f.published_hash:
                    assert digest(f.published_hash) == f.published_hash, f.name
    assert checked >= 6


def test_registry_has_the_agreed_ids():
    ids = default_registry().ids()
    for model_id in (
        "resnet50_imagenet",
        "densenet121_imagenet_notop",
        "mobilenet_v2_int8",
        "googlenet_caffe",
        "res10_caffe_fp32",
        "res10_caffe_fp16",
        "res10_tf_uint8",
        "digits_cnn",
    ):
        assert model_id in ids
    resnet = default_registry().get("resnet50_imagenet")
    assert resnet.extra["gradcam_layer"] == "conv5_block3_out"
    assert resnet.files["weights"].hash == "md5:2cb95161c43110f7111970584f804107"
    assert resnet.mean == (103.939, 116.779, 123.68) and resnet.color_order == "BGR"


def test_unknown_model_lists_known_ids():
    with pytest.raises(UnknownModelError, match="resnet50_imagenet"):
        default_registry().get("resnet51")


def test_malformed_registry_is_refused(tmp_path):
    files = {"weights": {"name": NAME, "url": "http://x/y", "hash": "sha256:abc"}}
    with pytest.raises(RegistryError, match="sha256"):
        Registry(write_registry(tmp_path / "r.json", [model_entry("m", files)]))


def test_imagenet_labels_ship_with_the_app():
    names = load_labels("imagenet_classes.txt")
    assert len(names) == 1000 and names[0].startswith("tench")
    keras_names = load_labels("imagenet_keras_names.json")
    assert len(keras_names) == 1000
    assert keras_names[207] == "golden_retriever" and keras_names[263] == "Pembroke"


def test_a_file_replaced_by_another_of_the_same_size_and_time_is_hashed_again(tmp_path):
    """The remembered digest is keyed on the file itself (its inode), not only its name, size and
    modification time: a copy renamed over it with the old time (`cp -p`, an import) is read."""
    path, other = tmp_path / "w.bin", tmp_path / "other.bin"
    path.write_bytes(b"a" * 1000)
    other.write_bytes(b"b" * 1000)
    stat = path.stat()
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    first = store_module.file_digest(path, "sha256")
    os.replace(other, path)
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    assert store_module.file_digest(path, "sha256") == hashlib.sha256(b"b" * 1000).hexdigest()
    assert first == hashlib.sha256(b"a" * 1000).hexdigest()
