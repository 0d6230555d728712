"""Draw a postal code into the running app with real mouse drags (xdotool), then screenshot.

Start the app under Xvfb first (DISPLAY set), then:
    python scripts/xdotool_draw_code.py 17101 out.png        # stroke templates
    python scripts/xdotool_draw_code.py writer:5:3 out.png   # real writer 5's 4th code
The second form draws the pen trajectories of a real writer (UCI pen-digits, ../shared) as they
were written, five digits in writing order. The canvas is found on screen by the colour of its
box guides.
"""

from __future__ import annotations

import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vision_agent.training.digit_checks import VARIANTS
from vision_agent.training.pen_digits import fit_strokes, read_unipen
from vision_agent.training.stroke_templates import DIGIT_STROKES
from vision_agent.ui.widgets.drawing_canvas import GUIDE_COLOR, SELECTED_COLOR

WRITERS = (
    Path(__file__).resolve().parents[2] / "shared/datasets/pendigits/pendigits-orig-writers1-6.tes"
)


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True)


def screenshot(path: str) -> np.ndarray:
    subprocess.run(["import", "-window", "root", path], check=True)
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def first_box_corner(image: np.ndarray) -> tuple[int, int]:
    """The top-left corner of the first box: guide lines, or the outline of a selected box."""
    mask = np.zeros(image.shape[:2], bool)
    for color in (GUIDE_COLOR, SELECTED_COLOR):
        target = np.array((color.red(), color.green(), color.blue()))
        mask |= np.all(np.abs(image - target) < 12, axis=2)
    ys, xs = np.nonzero(mask)
    if not len(xs):
        raise SystemExit("the postal-code canvas is not on screen")
    return int(xs.min()), int(ys.min())


def drag(pixels: list[tuple[int, int]]) -> None:
    xdotool("mousemove", str(pixels[0][0]), str(pixels[0][1]))
    xdotool("mousedown", "1")
    for x, y in pixels[1:]:
        xdotool("mousemove", str(x), str(y))
    xdotool("mouseup", "1")


def draw_code(code: str, left: int, top: int) -> None:
    for index, char in enumerate(code):
        box_x = left + 100 * index
        for stroke in DIGIT_STROKES[int(char)][0]:
            points = []
            for (x0, y0), (x1, y1) in pairwise(stroke):
                points += [(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t) for t in np.linspace(0, 1, 5)]
            drag([(round(box_x + 22 + x * 56), round(top + 12 + y * 76)) for x, y in points])


def draw_real_writer(writer: int, code_index: int, left: int, top: int) -> str:
    """Writer `writer`'s code number `code_index` (five digits in writing order); the code."""
    own = [d for d in read_unipen(WRITERS) if d.writer == writer]
    digits = own[5 * code_index : 5 * code_index + 5]
    placement = VARIANTS["default (pen 8, 66 px)"]
    for index, digit in enumerate(digits):
        for stroke in fit_strokes(digit.strokes, placement):
            drag([(round(left + 100 * index + x), round(top + y)) for x, y in stroke])
    return "".join(str(d.label) for d in digits)


def main() -> None:
    code, out = sys.argv[1], sys.argv[2]
    left, top = first_box_corner(screenshot(out))
    if code.startswith("writer:"):
        _, writer, index = code.split(":")
        print("drew", draw_real_writer(int(writer), int(index), left, top))
    else:
        draw_code(code, left, top)
    time.sleep(1.5)
    screenshot(out)


if __name__ == "__main__":
    main()
