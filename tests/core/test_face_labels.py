"""The confidence drawn over each face: figures only (the same in both UI languages), and two
faces side by side do not write over each other's label."""

from __future__ import annotations

import cv2
import numpy as np

from vision_agent.core.faces import Face, draw_faces


def test_labels_of_faces_close_together_do_not_overlap(monkeypatch):
    drawn: list[tuple[str, tuple[int, int]]] = []
    labels: list[tuple[tuple[int, int], tuple[int, int]]] = []
    put_text, rectangle = cv2.putText, cv2.rectangle

    def recording_text(image, text, origin, *args, **kwargs):
        drawn.append((text, origin))
        return put_text(image, text, origin, *args, **kwargs)

    def recording_rectangle(image, a, b, color, thickness, *args, **kwargs):
        if thickness == cv2.FILLED:
            labels.append((a, b))
        return rectangle(image, a, b, color, thickness, *args, **kwargs)

    monkeypatch.setattr(cv2, "putText", recording_text)
    monkeypatch.setattr(cv2, "rectangle", recording_rectangle)
    frame = np.zeros((480, 640, 3), np.uint8)
    faces = [Face((200, 100, 60, 60), 0.97), Face((215, 110, 60, 60), 0.85)]
    draw_faces(frame, faces)
    assert [text for text, _ in drawn] == ["0.97", "0.85"]
    (a0, a1), (b0, b1) = labels
    assert a1[0] <= b0[0] or b1[0] <= a0[0] or a1[1] <= b0[1] or b1[1] <= a0[1]
