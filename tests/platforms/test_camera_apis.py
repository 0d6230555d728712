"""Cameras open through each system's own capture API first (DirectShow, then Media Foundation on
Windows; AVFoundation on macOS; V4L2 on Linux), then through OpenCV's own choice.

What only a run there shows: that a real webcam opens through that API (docs/packaging.md)."""

from __future__ import annotations

import sys
from typing import ClassVar

import cv2
import pytest

from vision_agent.core import video_source
from vision_agent.core.video_source import camera_apis, open_camera


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("win32", [cv2.CAP_DSHOW, cv2.CAP_MSMF, cv2.CAP_ANY]),
        ("darwin", [cv2.CAP_AVFOUNDATION, cv2.CAP_ANY]),
        ("linux", [cv2.CAP_V4L2, cv2.CAP_ANY]),
        ("freebsd14", [cv2.CAP_ANY]),
    ],
)
def test_each_system_tries_its_own_camera_api_first(platform, expected):
    assert camera_apis(platform) == expected


class RecordedCapture:
    """Stands in for cv2.VideoCapture: opens only through the API `works`."""

    works: ClassVar[int] = -1
    calls: ClassVar[list[tuple[int, int]]] = []

    def __init__(self, index: int, api: int) -> None:
        self.api = api
        self.calls.append((index, api))
        self.released = False

    def isOpened(self) -> bool:
        return self.api == self.works

    def release(self) -> None:
        self.released = True


@pytest.fixture
def recorded(monkeypatch):
    RecordedCapture.calls = []
    monkeypatch.setattr(video_source.cv2, "VideoCapture", RecordedCapture)
    return RecordedCapture


def test_windows_falls_back_to_media_foundation(recorded, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    recorded.works = cv2.CAP_MSMF
    capture = open_camera(2)
    assert capture.isOpened() and capture.api == cv2.CAP_MSMF
    assert recorded.calls == [(2, cv2.CAP_DSHOW), (2, cv2.CAP_MSMF)]


def test_when_no_api_opens_the_camera_opencv_chooses(recorded, monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    recorded.works = -1
    capture = open_camera(0)
    assert not capture.isOpened()
    assert recorded.calls == [(0, cv2.CAP_AVFOUNDATION), (0, cv2.CAP_ANY)]
