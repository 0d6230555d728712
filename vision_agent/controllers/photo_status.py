"""The status-bar line for a photo that was not read: the state, not the reason (the tab shows
the reason beside the photo, once)."""

from __future__ import annotations

from vision_agent.i18n import tr


def no_result(name: str) -> str:
    return tr("No result for {name}.").format(name=name)
