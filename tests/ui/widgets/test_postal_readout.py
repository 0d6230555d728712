"""The readings under the boxes are whole: "no digit" and "3 or 8?" fit their box in both
languages instead of being cut to "no …it"."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt5.QtGui import QFontMetrics

from vision_agent.core.digit_status import DigitStatus
from vision_agent.core.postal import DigitReading, PostalReading
from vision_agent.i18n import set_language
from vision_agent.ui.widgets.postal_readout import PostalReadout


@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_box_text_fits_its_box(qtbot, language):
    set_language(language)
    try:
        readout = PostalReadout(520)
        qtbot.addWidget(readout)
        readout.retranslate_ui()
        readout.show()
        digits = (
            DigitReading(None, 0.97, status=DigitStatus.NOT_DIGIT),
            DigitReading(3, 0.48, status=DigitStatus.UNSURE, alternatives=((3, 0.48), (8, 0.41))),
            DigitReading(7, 0.99, status=DigitStatus.OK),
            DigitReading(None, 0.0, status=DigitStatus.BLANK),
            DigitReading(1, 1.0, status=DigitStatus.OK, by_profile=True),
        )
        readout.show_reading(PostalReading(digits, np.zeros((5, 28, 28), np.float32)))
        for i in range(5):
            button = readout.box_buttons.button(i)
            metrics = QFontMetrics(button.font())
            widest = max(metrics.horizontalAdvance(line) for line in button.text().split("\n"))
            assert widest <= button.width() - 6, button.text()
    finally:
        set_language("en")
