"""The photo view paints a labels panel over the photo where, and as large as, the saved
annotated picture has it."""

import numpy as np
import pytest

from tests.support import photo_files
from tests.support.paths import asset
from vision_agent.core.annotate import label_panel, laid_over, top_label_texts
from vision_agent.core.imageio import read_image
from vision_agent.ui.qimage import qimage_to_rgb
from vision_agent.ui.widgets.image_view import ImageView

LINES = [("robin", 0.93), ("water ouzel", 0.04), ("brambling", 0.01)]


@pytest.mark.parametrize("view_scale", [1.0, 0.8])
def test_the_view_shows_what_is_saved(qtbot, view_scale):
    photo = read_image(asset(*photo_files.ROBIN))  # 368×500: its labels are drawn at 720 px
    height, width = photo.shape[:2]
    panel = label_panel((width, height), top_label_texts(LINES))
    saved = laid_over(photo, panel)
    view = ImageView()
    qtbot.addWidget(view)
    size = (round(saved.shape[1] * view_scale), round(saved.shape[0] * view_scale))
    view.resize(*size)
    view.set_image(photo)
    view.set_labels(panel)
    view.show()
    qtbot.waitExposed(view)

    shown = qimage_to_rgb(view.grab().toImage()).astype(np.float64)
    expected = laid_over(photo, panel)
    if view_scale != 1.0:
        import cv2

        expected = cv2.resize(expected, size, interpolation=cv2.INTER_AREA)
    expected = expected.astype(np.float64)
    assert shown.shape == expected.shape
    ph, pw = (round(side * view_scale) for side in panel.pixels.shape[:2])
    # The panel's dark background and its text where the saved picture has them: the view's
    # corner matches the saved one closely, and much better than a panel a few pixels off.
    on_panel = similarity(shown[:ph, :pw], expected[:ph, :pw])
    shifted = similarity(shown[6 : ph + 6, 6 : pw + 6], expected[:ph, :pw])
    assert on_panel > 0.9 and shifted < on_panel - 0.2, (on_panel, shifted)
    assert similarity(shown[ph:], expected[ph:]) > 0.9  # the photo below it

    view.set_labels(None)  # and without it, the corner is the bare photo again
    bare = qimage_to_rgb(view.grab().toImage()).astype(np.float64)
    assert np.median(bare[:ph, :pw]) > 2 * np.median(shown[:ph, :pw])  # no dark panel


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two same-shaped images' pixels."""
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_the_panel_is_dark_and_its_text_is_bright():
    panel = label_panel((500, 368), top_label_texts(LINES))
    white = np.full((368, 500, 3), 255, np.uint8)
    corner = laid_over(white, panel)[: panel.pixels.shape[0], : panel.pixels.shape[1]]
    assert np.median(corner) < 100  # the white photo darkened under the panel
    black = np.zeros((368, 500, 3), np.uint8)
    text = laid_over(black, panel)[: panel.pixels.shape[0], : panel.pixels.shape[1]]
    assert (text.max(axis=2) > 200).mean() > 0.02  # the labels themselves
