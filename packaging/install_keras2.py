"""Install tf-keras (Keras 2, which opens the course's Keras-2 model files) at the installed
TensorFlow's version, into the environment of the Python that runs this script.

tf-keras requires the "tensorflow" distribution; Linux and Windows installs carry
"tensorflow-cpu", which provides the same package, so pip would add the 572 MB CUDA build beside
it: tf-keras is installed with --no-deps instead. (On macOS pyproject.toml lists it already.)
Used by .ci/run, packaging/build.py and the README's install line:

    .venv/bin/python packaging/install_keras2.py
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version


def tensorflow_version() -> str:
    for distribution in ("tensorflow-cpu", "tensorflow"):
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    raise SystemExit("install_keras2: TensorFlow is not installed in this environment")


def requirement() -> str:
    major, minor = tensorflow_version().split(".")[:2]
    return f"tf-keras~={major}.{minor}.0"


def main() -> int:
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", requirement()]
    return subprocess.run(command).returncode


if __name__ == "__main__":
    sys.exit(main())
