"""Build the one-folder app with PyInstaller, self-test it, and archive it.

    python packaging/build.py                  # uses this Python (installs PyInstaller if missing)
    python packaging/build.py --venv .build-venv   # a fresh venv with the runtime dependencies

Result: `dist/vision-agent/vision-agent[.exe]` (and `dist/Vision Agent.app` on macOS) plus
`dist/vision-agent-<version>-<os>-<arch>.tar.gz`. The bundle's `--self-test` runs with
`QT_QPA_PLATFORM=offscreen`; the script exits non-zero if the build or the self-test fails.
Only the standard library is used here.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tarfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "vision_agent.spec"
NAME = "vision-agent"
PYINSTALLER = "pyinstaller>=6.10"
PYINSTALLER_FLAGS = ["--noconfirm", "--clean", "--log-level", "WARN"]
SELF_TEST_TIMEOUT_S = 900


def project_version() -> str:
    """`__version__` from vision_agent/__init__.py, read without importing the package."""
    text = (ROOT / "vision_agent" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build: no __version__ in vision_agent/__init__.py")
    return match.group(1)


def runtime_requirements() -> list[str]:
    import tomllib  # Python 3.11+, needed only with --venv

    with (ROOT / "pyproject.toml").open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def archive_name(version: str) -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower() or "unknown"
    return f"{NAME}-{version}-{system}-{machine}.tar.gz"


def folder_size(folder: Path) -> int:
    """Bytes in `folder`, symbolic links counted as links (as the archive stores them)."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if not path.is_dir())


def human(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def run(command: list[str], **kwargs) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def build_python(venv_dir: Path | None) -> str:
    """The interpreter that runs PyInstaller: this one, or a venv made with the app's deps."""
    if venv_dir is None:
        python = sys.executable
        probe = subprocess.run([python, "-c", "import PyInstaller"], capture_output=True)
        if probe.returncode != 0:
            run([python, "-m", "pip", "install", PYINSTALLER])
        return python
    if not venv_dir.exists():
        venv.create(venv_dir, with_pip=True)
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    python = str(venv_dir / scripts / ("python.exe" if sys.platform == "win32" else "python"))
    run([python, "-m", "pip", "install", "--upgrade", "pip"])
    run([python, "-m", "pip", "install", *runtime_requirements(), PYINSTALLER])
    run([python, str(ROOT / "packaging" / "install_keras2.py")])  # Keras 2 for course files
    return python


def self_test(executable: Path) -> None:
    """Run the bundle's --self-test headless; raises CalledProcessError if it fails."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="2")
    run([str(executable), "--self-test"], env=env, timeout=SELF_TEST_TIMEOUT_S)


def make_archive(bundle: Path, archive: Path) -> None:
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="build in this venv (created if missing)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller work folder")
    parser.add_argument("--no-self-test", action="store_true", help="skip the bundle's self-test")
    parser.add_argument("--no-archive", action="store_true", help="skip the .tar.gz")
    args = parser.parse_args(argv)

    version = project_version()
    python = build_python(args.venv)
    started = time.perf_counter()
    folders = ["--distpath", str(args.dist), "--workpath", str(args.work)]
    run([python, "-m", "PyInstaller", *PYINSTALLER_FLAGS, *folders, str(SPEC)], cwd=ROOT)
    build_seconds = time.perf_counter() - started
    bundle = args.dist / NAME
    executable = bundle / (NAME + (".exe" if sys.platform == "win32" else ""))
    if not executable.is_file():
        print(f"build: {executable} was not produced", file=sys.stderr)
        return 1
    if not args.no_self_test:
        self_test(executable)

    print(f"vision-agent {version} ({sys.platform})")
    print(f"build time: {build_seconds:.0f} s")
    print(f"bundle: {bundle} ({human(folder_size(bundle))})")
    if not args.no_archive:
        archive = args.dist / archive_name(version)
        archive_started = time.perf_counter()
        make_archive(bundle, archive)
        seconds = time.perf_counter() - archive_started
        print(f"archive: {archive} ({human(archive.stat().st_size)}, {seconds:.0f} s to compress)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        print(f"build: failed (exit code {exc.returncode}): {exc.cmd}", file=sys.stderr)
        sys.exit(1)
    except subprocess.TimeoutExpired as exc:
        print(f"build: timed out: {exc.cmd}", file=sys.stderr)
        sys.exit(1)
