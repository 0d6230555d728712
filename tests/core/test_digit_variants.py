"""The ways a user's boxes may be redrawn, and how one is chosen from the taught samples."""

from __future__ import annotations

import numpy as np

from vision_agent.core.digit_variants import AS_DRAWN, chosen_variant, reshaped


def _bar(width: int) -> np.ndarray:
    """A vertical bar of ink `width` columns wide around column 14, as a (1, 28, 28, 1) batch."""
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 4:24, 14 - width // 2 : 14 - width // 2 + width] = 1.0
    return image


def _ink_columns(batch: np.ndarray) -> int:
    return int((batch[0, ..., 0].max(axis=0) > 0.5).sum())


def test_as_drawn_is_the_apps_own_input_and_the_others_change_the_shape():
    bar = _bar(8)
    assert reshaped(bar, AS_DRAWN) is bar
    assert _ink_columns(reshaped(bar, "wider")) == 10
    assert _ink_columns(reshaped(bar, "narrower")) in (6, 7)
    assert _ink_columns(reshaped(bar, "bolder")) == 9
    assert np.allclose(reshaped(bar, "upright"), bar)  # already upright


def test_a_variant_is_used_only_when_it_reads_the_samples_better_by_the_margin():
    scores = {AS_DRAWN: -0.10, "wider": -0.05, "narrower": -0.30}
    assert chosen_variant(scores, 0.03) == "wider"
    assert chosen_variant(scores, 0.1) == AS_DRAWN
    assert chosen_variant(scores, None) == AS_DRAWN
