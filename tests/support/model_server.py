"""A real HTTP server on 127.0.0.1 for model-store tests, and helpers to write test registries.

Routes (every path ends in the file name):
  /good/NAME      the payload
  /wrong/NAME     other bytes of the same length
  /cut/NAME       announces the full length, sends half, closes the connection
  /cut-once/NAME  like /cut on the first request, then like /good
  /slow/NAME      the payload in 1 KiB pieces every 20 ms
  /endless/NAME   no Content-Length, random bytes at loopback speed until the client hangs up
  /huge/NAME      announces 10 GB, then sends like /endless
  /trickle/NAME   announces the full length, then one byte every `trickle_seconds`
  /silent/NAME    reads the request and never answers
  anything else   404

Every response counts the body bytes it managed to send in `sent[route]`.
"""

from __future__ import annotations

import hashlib
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from vision_agent.models.registry import Registry
from vision_agent.models.store import ModelStore
from vision_agent.paths import resource

PAYLOAD = random.Random(3).randbytes(300_000)
FILE_NAME = "model.bin"  # the one file of `one_model_registry`'s model "m"
PAYLOAD_SHA256 = "sha256:" + hashlib.sha256(PAYLOAD).hexdigest()
HOSTILE_ROUTES = ("endless", "huge", "trickle", "silent")


class ModelServer:
    """Start with `with ModelServer() as server:`; `server.url("good", "m.bin")` is an address."""

    def __init__(self, payload: bytes = PAYLOAD, trickle_seconds: float = 20.0) -> None:
        self.payload = payload
        self.trickle_seconds = trickle_seconds
        self.requests: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, route: str, name: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/{route}/{name}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                route = self.path.strip("/").split("/")[0]
                server.requests[route] += 1
                data = server.payload
                if route == "cut-once":
                    route = "cut" if server.requests["cut-once"] == 1 else "good"
                if route in HOSTILE_ROUTES:
                    self._hostile(route)
                    return
                if route not in ("good", "wrong", "cut", "slow"):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    if route == "good":
                        self.wfile.write(data)
                    elif route == "wrong":
                        self.wfile.write(bytes(b ^ 0xFF for b in data[:1000]) + data[1000:])
                    elif route == "cut":
                        self.wfile.write(data[: len(data) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                    else:
                        for start in range(0, len(data), 1024):
                            self.wfile.write(data[start : start + 1024])
                            self.wfile.flush()
                            time.sleep(0.02)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _hostile(self, route: str) -> None:
                self.close_connection = True
                if route == "silent":
                    server.closing.wait()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                if route == "huge":
                    self.send_header("Content-Length", str(10**10))
                elif route == "trickle":
                    self.send_header("Content-Length", str(len(server.payload)))
                self.end_headers()
                block = random.Random(5).randbytes(64 * 1024)
                try:
                    while not server.closing.is_set():
                        piece = block[:1] if route == "trickle" else block
                        self.wfile.write(piece)
                        self.wfile.flush()
                        server.sent[route] += len(piece)
                        if route == "trickle":
                            server.closing.wait(server.trickle_seconds)
                except OSError:  # the client hung up
                    pass

        return Handler


def closed_port_url(name: str) -> str:
    """An address nothing listens on: connecting fails at once, as when offline."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/{name}"


def model_entry(model_id: str, files: dict[str, dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A registry entry with test defaults; `files` maps role -> {name, url, hash, ...}."""
    entry = {
        "id": model_id,
        "name_en": f"Test model {model_id}",
        "name_ko": f"테스트 모델 {model_id}",
        "task": "classify",
        "loader": "opencv_onnx",
        "files": files,
        "input_size": [224, 224],
        "color_order": "RGB",
        "layout": "NCHW",
        "mean": [0, 0, 0],
        "scale": 1.0,
        "std": None,
        "labels": None,
        "source": "test",
        "license": "test",
    }
    entry.update(fields)
    return entry


def write_registry(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"models": entries}, ensure_ascii=False), encoding="utf-8")
    return path


def one_model_registry(folder: Path, url: str, size: int | None = len(PAYLOAD), **fields) -> Path:
    """`folder`/registry.json holding one model, "m", whose weights are PAYLOAD at `url`
    (named FILE_NAME unless `name` is given); other `fields` go to its entry."""
    name = fields.pop("name", FILE_NAME)
    files = {"weights": {"name": name, "url": url, "hash": PAYLOAD_SHA256, "size": size}}
    return write_registry(folder / "registry.json", [model_entry("m", files, **fields)])


def one_model_store(
    folder: Path, url: str, size: int | None = len(PAYLOAD), entry: dict | None = None, **options
) -> ModelStore:
    """The store of `one_model_registry` (`entry`: its fields; cache `folder`/cache, no search
    path, no retries unless `options` say)."""
    options.setdefault("retries", 0)
    options.setdefault("search_path", [])
    registry = Registry(one_model_registry(folder, url, size, **(entry or {})))
    return ModelStore(registry, cache_dir=folder / "cache", **options)


def cache_files(folder: Path) -> list[Path]:
    """The files in `folder`/cache (the cache of `one_model_store`), sorted."""
    cache = folder / "cache"
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def served_registry(
    folder: Path, address: Callable[[str, str], str], models: list[dict] | None = None
) -> Path:
    """The app's registry (or `models`) with each file's download address `address(model id,
    file name)` — usually a ModelServer route — written to `folder`/registry-served.json."""
    if models is None:
        models = json.loads(resource("models", "registry.json").read_text(encoding="utf-8"))
        models = models["models"]
    for model in models:
        for f in model["files"].values():
            if f.get("url"):
                f["url"] = address(model["id"], f["name"])
    return write_registry(folder / "registry-served.json", models)


def repo_assets_dir() -> Path:
    """`../shared/assets` beside the repository root (development copies of model files)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "assets"


def only_digits_shipped(folder: Path) -> Path:
    """A copy of the app's registry in which only the digit model ships (the others download)."""
    models = json.loads(resource("models", "registry.json").read_text(encoding="utf-8"))["models"]
    for model in models:
        if model["task"] != "digits" and model.pop("shipped", False):
            for f in model["files"].values():
                f.pop("resource", None)
    return write_registry(folder / "registry-only-digits-shipped.json", models)
