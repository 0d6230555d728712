"""Digits as people draw them with a mouse or a pen: strokes through points in a unit box.

x points right and y down, both 0..1. Each digit has several ways of writing it, including the
ones real writers use and MNIST hardly has (measured on the UCI pen-digits writers): a 4 in one
stroke with an open top, a 9 with a tiny loop on a long tail, a 1 with a flag and a foot, a 7
crossed or with a curled foot. The first way of each digit is the plainest one.
"""

from __future__ import annotations

import numpy as np

Template = list[list[tuple[float, float]]]  # strokes, each a list of points


def ellipse(
    cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24
) -> list[tuple[float, float]]:
    angles = np.linspace(np.radians(start), np.radians(end), n)
    return [(cx + rx * float(np.cos(a)), cy + ry * float(np.sin(a))) for a in angles]


# A 5 from the top of its stem down round its belly (without the top bar).
FIVE_BODY = [
    (0.3, 0.05),
    (0.25, 0.45),
    (0.55, 0.38),
    (0.78, 0.55),
    (0.78, 0.8),
    (0.55, 0.96),
    (0.2, 0.88),
]

DIGIT_STROKES: dict[int, list[Template]] = {
    0: [
        [ellipse(0.5, 0.5, 0.3, 0.45, -90, 275)],
        [ellipse(0.5, 0.5, 0.32, 0.45, -100, 250)],
    ],
    1: [
        [[(0.5, 0.05), (0.5, 0.95)]],
        [[(0.3, 0.22), (0.55, 0.05), (0.55, 0.95)]],
        [[(0.2, 0.35), (0.6, 0.04), (0.6, 0.95)]],  # long flag
        [[(0.3, 0.22), (0.55, 0.05), (0.55, 0.95)], [(0.3, 0.95), (0.8, 0.95)]],  # flag and foot
    ],
    2: [
        [
            [
                (0.2, 0.28),
                (0.3, 0.1),
                (0.5, 0.04),
                (0.7, 0.1),
                (0.78, 0.27),
                (0.7, 0.45),
                (0.2, 0.95),
                (0.85, 0.95),
            ]
        ],
        [  # a loop at the bottom
            [
                (0.2, 0.25),
                (0.45, 0.04),
                (0.75, 0.15),
                (0.7, 0.45),
                (0.25, 0.9),
                (0.2, 0.8),
                (0.35, 0.8),
                (0.45, 0.95),
                (0.85, 0.92),
            ]
        ],
    ],
    3: [
        [
            [
                (0.2, 0.12),
                (0.45, 0.03),
                (0.72, 0.12),
                (0.72, 0.32),
                (0.45, 0.47),
                (0.75, 0.6),
                (0.8, 0.8),
                (0.55, 0.97),
                (0.2, 0.88),
            ]
        ],
        [  # flat top, like a 7 turning into a 3
            [
                (0.2, 0.05),
                (0.8, 0.05),
                (0.45, 0.42),
                (0.75, 0.55),
                (0.8, 0.78),
                (0.55, 0.96),
                (0.2, 0.88),
            ]
        ],
    ],
    4: [
        [[(0.6, 0.05), (0.12, 0.65), (0.85, 0.65)], [(0.65, 0.3), (0.65, 0.97)]],
        [[(0.25, 0.05), (0.2, 0.55), (0.82, 0.55)], [(0.7, 0.05), (0.7, 0.97)]],
        [  # one stroke: down, across, back up, then the long stem down (open top)
            [(0.3, 0.05), (0.15, 0.55), (0.85, 0.55), (0.7, 0.3), (0.68, 0.05), (0.66, 0.97)]
        ],
        [  # one stroke, curved like ς
            [
                (0.35, 0.05),
                (0.15, 0.45),
                (0.3, 0.6),
                (0.6, 0.55),
                (0.75, 0.3),
                (0.72, 0.1),
                (0.7, 0.55),
                (0.68, 0.97),
            ]
        ],
    ],
    5: [
        [[(0.78, 0.05), *FIVE_BODY]],  # the top bar first, in one stroke
        [FIVE_BODY, [(0.3, 0.05), (0.8, 0.05)]],  # the bar added afterwards
    ],
    6: [
        [[(0.7, 0.04), (0.42, 0.22), (0.26, 0.5), *ellipse(0.5, 0.73, 0.25, 0.23, 180, 540)]],
        [[(0.65, 0.04), (0.35, 0.4), *ellipse(0.5, 0.78, 0.2, 0.18, 180, 540)]],  # small loop
    ],
    7: [
        [[(0.15, 0.08), (0.85, 0.08), (0.4, 0.95)]],
        [[(0.15, 0.08), (0.85, 0.08), (0.4, 0.95)], [(0.38, 0.5), (0.78, 0.5)]],  # crossed
        [[(0.15, 0.2), (0.2, 0.08), (0.85, 0.08), (0.55, 0.55), (0.45, 0.95)]],  # hooked top
        [[(0.15, 0.08), (0.85, 0.08), (0.5, 0.7), (0.55, 0.95), (0.75, 0.9)]],  # curled foot
    ],
    8: [
        [ellipse(0.5, 0.27, 0.22, 0.22, 90, -270) + ellipse(0.5, 0.72, 0.27, 0.24, -90, 270)],
        [  # two strokes: an S and a closing stroke
            [
                (0.75, 0.12),
                (0.5, 0.03),
                (0.25, 0.15),
                (0.3, 0.35),
                (0.7, 0.6),
                (0.75, 0.85),
                (0.5, 0.97),
                (0.25, 0.85),
                (0.3, 0.6),
                (0.7, 0.35),
                (0.75, 0.12),
            ]
        ],
    ],
    9: [
        [[*ellipse(0.5, 0.3, 0.26, 0.25, 0, 360), (0.75, 0.3), (0.72, 0.96)]],
        [[*ellipse(0.55, 0.15, 0.14, 0.12, 0, 360), (0.69, 0.15), (0.62, 0.96)]],  # tiny loop
        [[*ellipse(0.5, 0.28, 0.25, 0.22, 0, 360), (0.75, 0.3), (0.7, 0.8), (0.5, 0.97)]],  # curl
    ],
}
