"""The face cam's wording: a source's name, the face count and the overlay over the picture."""

from __future__ import annotations

from pathlib import Path

from vision_agent.controllers.faces import StreamStats
from vision_agent.core.video_source import SourceSpec
from vision_agent.i18n import tr, tr_template

# What the capture thread says when a source fails or ends (core/video_source.py), as templates.
SOURCE_TEMPLATES = (
    "Camera {n} could not be opened: it is not connected, or another program is using it.",
    "Camera {n} opened but gives no picture: another program may be using it.",
    "Camera {n} stopped delivering frames after {frames} (unplugged?).",
    "{what} could not be opened as a video (damaged or unknown).",
    "{what} holds no frame that can be decoded.",
    "{what} stopped after {frames} of {expected} frames: the rest of the file is damaged or "
    "missing.",
    "{what} did not answer within {seconds} s.",
    "{what} could not be opened: {error}",
)


def source_message(message: str) -> str:
    """A source's failure or end, in the UI's language."""
    return tr_template(message, SOURCE_TEMPLATES)


def describe(spec: SourceSpec) -> str:
    """ "Camera 0", or the file's name."""
    if spec.kind == "camera":
        return tr("Camera {n}").format(n=spec.index)
    return Path(spec.path).name


def face_count_text(count: int) -> str:
    if count == 0:
        return tr("No face found")
    if count == 1:
        return tr("1 face")
    return tr("{n} faces").format(n=count)


def overlay_text(
    stats: StreamStats, width: int, height: int, paused: bool, stopped: bool = False
) -> str:
    """Face count, then what makes sense for the source: a photo's size, a paused or stopped
    stream's state (no rates: nothing is flowing), or a running stream's rates; then the
    inference time."""
    faces = face_count_text(stats.faces)
    if stats.still:
        return "\n".join(
            (
                faces,
                tr("photo {width}×{height} · inference {ms:.1f} ms").format(
                    width=width, height=height, ms=stats.inference_ms
                ),
            )
        )
    timing = tr("inference {ms:.1f} ms · skipped frames {dropped}").format(
        ms=stats.inference_ms, dropped=stats.dropped
    )
    if paused or stopped:
        state = tr("Paused") if paused else tr("Stopped")
        return "\n".join((" · ".join((faces, state)), timing))
    rates = tr("source {source:.1f} FPS · network {network:.1f} FPS · shown {shown:.1f} FPS")
    return "\n".join(
        (
            faces,
            rates.format(
                source=stats.camera_fps, network=stats.network_fps, shown=stats.displayed_fps
            ),
            timing,
        )
    )
