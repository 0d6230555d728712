"""One wording for a model's state, shared by every tab's model line."""

from __future__ import annotations

from vision_agent.i18n import tr
from vision_agent.services.model_service import ModelState
from vision_agent.ui.model_problem_text import model_file_problem


def model_state_text(state: str, name: str, problem: str = "") -> tuple[str, bool]:
    """(text, is_problem) for a service in `state` holding the model called `name`.

    `problem` is the service's message for a failed load; a missing model needs none (the
    missing-model panel says what to do). Idle says nothing.
    """
    if state == ModelState.READY:
        return tr("Model: {name}").format(name=name), False
    if state == ModelState.LOADING:
        return tr("Loading {name}…").format(name=name), False
    if state == ModelState.FAILED:
        problem = model_file_problem(problem)
        return tr("{name} could not be loaded: {problem}").format(name=name, problem=problem), True
    if state == ModelState.MISSING:
        return tr("{name} is not on this computer.").format(name=name), True
    return "", False


def still_using_text(name: str | None) -> str:
    """The note under a model problem while the previous model stays in use ('' without one)."""
    return tr("Still using {name}.").format(name=name) if name else ""
