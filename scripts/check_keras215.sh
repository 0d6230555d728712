#!/usr/bin/env bash
# The Keras-2 tests on files written by TensorFlow 2.15's own Keras 2.15 (not tf_keras 2.21):
# a virtual environment with tensorflow-cpu 2.15 writes them, the project's venv reads them.
#   scripts/check_keras215.sh [WORK_FOLDER]     (about 5 minutes and 600 MB of downloads)
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-${TMPDIR:-/tmp}/vision-agent-keras215}"
assets="$(cd .. && pwd)/shared/assets"
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install -q "tensorflow-cpu==2.15.1" opencv-python-headless
fi
rm -rf "$work/files" && mkdir -p "$work/files"
TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python - "$work/digit_weights.npz" <<'PY'
import sys

import keras
import numpy as np

from vision_agent.core.postal import SHIPPED_MODEL

np.savez(sys.argv[1], *keras.models.load_model(SHIPPED_MODEL.with_suffix(".keras")).get_weights())
PY
TF_CPP_MIN_LOG_LEVEL=3 "$work/venv/bin/python" scripts/keras215_files.py "$work/files" "$assets" \
  "$work/digit_weights.npz" 2>&1 | grep -E "^writing with" || true
VISION_AGENT_KERAS2_FILES="$work/files" QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q \
  tests/core/test_keras2_files.py tests/commands/test_keras2_cli.py tests/ui/tabs/test_dog_tab_keras2.py
