"""The PyInstaller bundle: the build script's helpers (fast) and a full build + self-test (slow)."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vision_agent import __version__

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILD_SCRIPT = REPO_ROOT / "packaging" / "build.py"
LEFT_OUT_HOOK = REPO_ROOT / "packaging" / "rthook_tensorflow_left_out.py"
UNUSED_FILES = REPO_ROOT / "packaging" / "unused_files.py"
ASSETS = REPO_ROOT.parent / "shared" / "assets"


def _build_module():
    # Loaded by path: "packaging" is also the name of a pip library.
    spec = importlib.util.spec_from_file_location("vision_agent_build", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_archive_name_carries_the_version():
    build = _build_module()
    assert build.project_version() == __version__
    name = build.archive_name(__version__)
    assert name.startswith(f"vision-agent-{__version__}-") and name.endswith(".tar.gz")


def test_runtime_requirements_leave_dev_tools_out():
    requirements = " ".join(_build_module().runtime_requirements()).lower()
    assert "tensorflow" in requirements and "pyqt5" in requirements
    for dev_only in ("pytest", "ruff", "pyinstaller"):
        assert dev_only not in requirements


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_folder_size_counts_links_as_links(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "big.bin").write_bytes(b"x" * 10_000)
    (tmp_path / "link.bin").symlink_to(tmp_path / "sub" / "big.bin")
    size = _build_module().folder_size(tmp_path)
    assert 10_000 < size < 10_200


def test_left_out_tensorflow_modules_import_and_say_why_a_call_fails(monkeypatch):
    """The bundle's stand-ins for TF Lite and the profiler client: importable, inert, explicit."""
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))  # the hook appends its finder
    spec = importlib.util.spec_from_file_location("left_out_hook", LEFT_OUT_HOOK)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    finder = sys.meta_path[-1]
    assert finder.find_spec("tensorflow.python.framework.ops") is None  # only the listed ones

    name = "tensorflow.lite.python._pywrap_tensorflow_lite_metrics_wrapper"
    module_spec = finder.find_spec(name)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    wrapper = module.MetricsWrapper  # TensorFlow's import: `from ... import MetricsWrapper`
    assert not hasattr(module, "__all__") and not hasattr(wrapper, "__iter__")
    with pytest.raises(RuntimeError, match=f"{name}.MetricsWrapper is not part of the Vision"):
        wrapper()
    with pytest.raises(RuntimeError, match=r"MetricsWrapper\.Retrieve is not part"):
        wrapper.Retrieve("x")


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_unused_files_tells_loaded_opened_and_unused_apart(tmp_path, capsys):
    import _ctypes  # an extension module: a shared library to load

    bundle = tmp_path / "bundle"
    (bundle / "lib").mkdir(parents=True)
    loaded, opened, unused = bundle / "lib" / "a.so", bundle / "b.qm", bundle / "lib" / "c.so"
    shutil.copy(_ctypes.__file__, loaded)
    shutil.copy(_ctypes.__file__, unused)
    opened.write_bytes(b"q" * 300_000)
    (bundle / "a.so").symlink_to("lib/a.so")  # loaded through a link, as PyInstaller lays out
    trace = tmp_path / "trace"
    load = f"import ctypes; ctypes.CDLL({str(bundle / 'a.so')!r}); open({str(opened)!r}).read()"
    strace = ["strace", "-f", "-qq", "-y", "-e", "trace=openat,mmap", "-o", str(trace)]
    subprocess.run([*strace, sys.executable, "-c", load], check=True)
    spec = importlib.util.spec_from_file_location("unused_files", UNUSED_FILES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(bundle), str(trace), "--min-kb", "1"]) == 0
    report = capsys.readouterr().out.splitlines()
    size = loaded.stat().st_size / 1e6
    assert report[0] == f"loaded: {size:.1f} MB  opened: 0.3 MB  unused: {size:.1f} MB"
    assert report[1:] == [f"{size:8.2f} MB  {Path('lib', 'c.so')}"]


@pytest.mark.slow
def test_bundle_builds_and_passes_its_self_test(tmp_path):
    """Build into a temporary folder with the build script, then run the frozen app."""
    dist, work = tmp_path / "dist", tmp_path / "work"
    try:
        completed = subprocess.run(
            [sys.executable, str(BUILD_SCRIPT), "--dist", str(dist), "--work", str(work)],
            capture_output=True,
            text=True,
            timeout=3000,
        )
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, output[-4000:]
        assert "PASS  postal: shipped digit model through the service" in output
        assert "PASS  postal: Keras model through the process host" in output
        assert "PASS  onnx export: Keras digit model to onnxruntime" in output
        assert "PASS  onnx pixel input: normalisation folded into a colour graph" in output
        assert "self-test passed" in output and "build time:" in output

        bundle = dist / "vision-agent"
        executable = bundle / ("vision-agent.exe" if sys.platform == "win32" else "vision-agent")
        internal = bundle / "_internal"
        assert (internal / "resources" / "models" / "digits" / "digits_cnn.keras").is_file()
        assert "PASS  models: registry and store (every shipped model ready)" in output
        assert "PASS  classify: mobilenet_v2 through the service" in output
        assert (internal / "resources" / "icons" / "vision-agent.png").is_file()
        modules = _bundled_modules(work)
        assert {"tensorflow", "keras", "tf2onnx", "onnx", "vision_agent.checks.faces"} <= modules
        dev_only = {"pytest", "_pytest", "pytestqt", "IPython", "matplotlib", "tensorboard"}
        assert not dev_only & modules
        assert "grpc" not in modules
        unused = internal / "tensorflow" / "compiler" / "tf2xla" / "ops" / "_xla_ops.so"
        assert not unused.exists()
        translations = internal / "PyQt5" / "Qt5" / "translations"
        assert [p.name for p in translations.iterdir()] == ["qtbase_ko.qm"]  # Qt's own, Korean
        assert [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()] == []
        if sys.platform == "linux":
            for left_out in (
                "tensorflow/lite/python/libpywrap_tflite_common.so",
                "tensorflow/python/profiler/internal/_pywrap_profiler_plugin.so",
                "PyQt5/Qt5/plugins/platforms/libqwebgl.so",
                "PyQt5/Qt5/lib/libQt5Quick.so.5",
            ):
                assert not (internal / left_out).exists(), left_out
            for library in ("tensorflow/libtensorflow_cc.so.2", "PyQt5/Qt5/lib/libQt5Core.so.5"):
                sections = subprocess.run(
                    ["readelf", "-S", "--wide", str(internal / library)],
                    capture_output=True,
                    text=True,
                ).stdout
                assert ".dynsym" in sections and ".symtab" not in sections, library
            _check_keras_classifier(executable, tmp_path)
        assert (internal / "onnxruntime").is_dir()  # binary packages sit beside the archive
        archives = list(dist.glob(f"vision-agent-{__version__}-*.tar.gz"))
        assert len(archives) == 1 and archives[0].stat().st_size > 100_000_000

        version = subprocess.run(
            [str(executable), "--version"], capture_output=True, text=True, timeout=120
        )
        assert version.stdout.strip() == f"vision-agent {__version__}"
        _check_model_store(executable, tmp_path / "cache")
        if sys.platform == "linux":  # the frozen app's fatal start-up path: message, not abort
            env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
            env.pop("WAYLAND_DISPLAY", None)
            no_display = subprocess.run(
                [str(executable)], capture_output=True, text=True, timeout=120, env=env
            )
            assert no_display.returncode == 1
            assert "cannot start the window: No display" in no_display.stderr
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)  # the bundle is ~2 GB


def _bundled_modules(work: Path) -> set[str]:
    """Python modules in the bundle's archive, from PyInstaller's table of contents."""
    [toc_file] = work.glob("*/PYZ-00.toc")
    _archive, entries = ast.literal_eval(toc_file.read_text(encoding="utf-8"))
    return {name for name, _path, _kind in entries}


def _check_keras_classifier(executable: Path, folder: Path) -> None:
    """TensorFlow works frozen, TF Lite and the profiler client left out: a user's Keras model
    classifies a photo in the bundle's model process."""
    from tests.support.imagenet_models import save_small_resnet

    photo = ASSETS / "photos" / "dogs" / "Beagle_01141.jpg"
    if not photo.is_file():
        return
    model = save_small_resnet(folder / "small_resnet.keras")
    tops = []
    for command in ([str(executable)], [sys.executable, "-m", "vision_agent"]):  # frozen, source
        result = subprocess.run(
            [*command, "classify", "--model", str(model), "--json", str(photo)],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=REPO_ROOT,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        tops.append([entry["index"] for entry in json.loads(result.stdout)["top"]])
    assert tops[0][:3] == tops[1][:3]


def _check_model_store(executable: Path, cache: Path) -> None:
    """The frozen app's store: the shipped models are ready with nothing else around, others
    are found on VISION_AGENT_MODEL_PATH and in its cache."""
    models = ASSETS / "face_detector"
    if not models.is_dir():
        return
    env = dict(os.environ, VISION_AGENT_CACHE_DIR=str(cache), VISION_AGENT_MODEL_PATH="")

    def frozen(*args: str, **extra: str) -> str:
        result = subprocess.run(
            [str(executable), "models", *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=dict(env, **extra),
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def state(listing: str, model_id: str) -> str:
        return next(line.split()[1] for line in listing.splitlines() if line.startswith(model_id))

    listing = frozen("list")
    assert state(listing, "mobilenet_v2_int8") == state(listing, "res10_tf_uint8") == "ready"
    assert state(listing, "res10_caffe_fp32") == "missing"
    listing = frozen("list", VISION_AGENT_MODEL_PATH=str(ASSETS))
    assert state(listing, "res10_caffe_fp32") == "ready"
    frozen("import", str(models))
    assert state(frozen("list"), "res10_caffe_fp32") == "ready"
    assert any(cache.rglob("*.caffemodel"))


def _executables_module():
    spec = importlib.util.spec_from_file_location(
        "bundle_executables", REPO_ROOT / "packaging" / "bundle_executables.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pyinstaller_versioninfo(monkeypatch):
    """PyInstaller's own version-resource module, importable here with its Windows-only imports
    (pywin32, pefile) stubbed: loading a version file and packing it to bytes is plain Python."""
    import types

    compat = pytest.importorskip("PyInstaller.compat")
    monkeypatch.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
    monkeypatch.setattr(compat, "win32api", None, raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    import PyInstaller.utils.win32.versioninfo as versioninfo

    return versioninfo


def test_windows_gets_a_windowed_program_and_a_console_one_with_icon_and_version(
    tmp_path, monkeypatch
):
    bundle = _executables_module()
    windows = bundle.executables("win32", "0.1.0", "icon.png", tmp_path)
    by_name = {options["name"]: options for options in windows}
    assert by_name["Vision Agent"]["console"] is False  # double-clicked: no console window
    assert by_name["vision-agent"]["console"] is True  # the terminal's: CLI and --self-test
    versioninfo = _pyinstaller_versioninfo(monkeypatch)
    for name, options in by_name.items():
        assert options["icon"] == "icon.png"
        info = versioninfo.load_version_info_from_text_file(options["version"])
        assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == (0 << 16 | 1, 0)
        strings = {s.name: s.val for s in info.kids[0].kids[0].kids}
        assert strings["ProductVersion"] == "0.1.0" and strings["ProductName"] == "Vision Agent"
        assert strings["OriginalFilename"] == f"{name}.exe"
        assert len(info.toRaw()) > 500  # packs into the resource the .exe carries


def test_macos_and_linux_get_one_executable():
    bundle = _executables_module()
    [mac] = bundle.executables("darwin", "0.1.0", "icon.png", Path("unused"))
    assert mac == {"name": "vision-agent", "console": False, "icon": "icon.png"}
    [linux] = bundle.executables("linux", "0.1.0", "icon.png", Path("unused"))
    assert linux == {"name": "vision-agent", "console": True}
    assert bundle.version_numbers("1.2") == (1, 2, 0, 0)
    assert bundle.version_numbers("2.0.0rc1") == (2, 0, 0, 1)
