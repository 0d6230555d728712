"""Back-pressure in the photo reader: photos the user has moved past are neither kept nor sent.

The classifier tab's reader service decodes photos in its thread. While the window is busy, a
user scrolling through a folder makes one superseding request per photo; each decoded photo
used to wait in the window's event queue (500 photos held 710 MB).
"""

from __future__ import annotations

import time
import tracemalloc

from tests.support.paths import asset
from vision_agent.core.imageio import read_image
from vision_agent.core.photo_reader import PhotoReader
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.services.model_service import ModelService

REQUESTS = 150


def test_superseded_photos_are_dropped_while_the_window_is_busy(qtbot):
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    photo_bytes = read_image(photo).nbytes
    reader = ModelService("photo-reader-test")
    delivered: list[int] = []
    reader.load(RecognizerSpec(PhotoReader, label="photo reader"))
    qtbot.waitUntil(lambda: reader.state == "ready", timeout=10000)
    try:
        tracemalloc.start()
        for call in range(REQUESTS):  # the window's thread, busy: no events processed meanwhile
            reply = reader.call(PhotoReader.read, str(photo), None, latest=True)
            reply.finished.connect(lambda _rgb, call=call: delivered.append(call))
            time.sleep(0.01)  # a decode takes a few ms: the reader keeps up with each request
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        qtbot.waitUntil(lambda: REQUESTS - 1 in delivered, timeout=10000)
        assert held < 5 * photo_bytes, f"{held / photo_bytes:.0f} decoded photos were held"
        assert delivered == [REQUESTS - 1], "only the newest photo reaches the window"
    finally:
        tracemalloc.stop()
        reader.shutdown()


def test_every_call_without_latest_is_answered(qtbot):
    photo = asset("photos", "objects", "banana_jetson_banana_0.jpg")
    reader = ModelService("photo-reader-test")
    delivered: list[int] = []
    reader.load(RecognizerSpec(PhotoReader, label="photo reader"))
    try:
        for call in range(5):
            reply = reader.call(PhotoReader.read, str(photo), 64)
            reply.finished.connect(lambda _rgb, call=call: delivered.append(call))
        qtbot.waitUntil(lambda: len(delivered) == 5, timeout=10000)
        assert delivered == list(range(5))
    finally:
        reader.shutdown()
