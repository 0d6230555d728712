"""One model slot: the lifecycle of the model a tab (or a dialog) uses, written once.

A slot owns a `ModelService` and decides what the user sees of it:

* presence: a registry model that is not on this computer is never asked of the service; the
  check is cheap (each file exists with the registry's size, `ModelStore.is_present`), the full
  hash runs in the service's thread when the model loads;
* the previous-model policy: a model the user picked that fails to load, or is missing, never
  leaves the tab without the model it had: that one is loaded again;
* one status object, `SlotStatus`, for one widget to render (`ui/widgets/model_status.py`).

| what happens                        | the line (state, choice) | the refusal (the panel)  |
|-------------------------------------|--------------------------|--------------------------|
| load(choice)                        | loading choice           | none                     |
| the service says ready              | ready choice             | unchanged                |
| load(a missing registry model)      | unchanged                | missing: Download/Import |
| the load fails, a model before it   | loading the previous one | failed or missing, + note |
| the load fails, none before it      | idle (empty)             | failed or missing        |
| load(the model in use), dismiss()   | unchanged                | none                     |
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from vision_agent.core.errors import UserError
from vision_agent.engine.spec import RecognizerSpec
from vision_agent.i18n import language
from vision_agent.models import registry
from vision_agent.models.store import ModelStore, default_store
from vision_agent.services.model_service import ModelService, ModelState, Reply

__all__ = ["ModelChoice", "ModelSlot", "ModelState", "Pending", "Refusal", "Reply", "SlotStatus"]

_SETTLED = (ModelState.READY, ModelState.FAILED, ModelState.MISSING)


@dataclass(frozen=True)
class ModelChoice:
    """A model the user can pick: how its owner names it (`key`), how it is hosted, the
    registry model whose files it needs (None: a user's file, or nothing to fetch) and its
    caption in the UI's language of the moment (`caption()`, asked at each rendering)."""

    key: Hashable
    spec: RecognizerSpec
    caption: Callable[[], str] = field(compare=False)
    model_id: str | None = None


@dataclass(frozen=True)
class Refusal:
    """A model the user picked (`key`, `caption` as in its ModelChoice) that cannot be used:
    missing (`missing_id`; `corrupt` when its files are there but fail their check) or refused
    (`message` says why)."""

    key: Hashable
    caption: Callable[[], str] = field(compare=False)
    message: str = ""
    missing_id: str | None = None
    corrupt: bool = False


@dataclass(frozen=True)
class SlotStatus:
    """What a slot shows: the model in use or being loaded (`state`, `choice`; idle and None
    when none) and the model the user picked that cannot be used, if any."""

    state: ModelState = ModelState.IDLE
    choice: ModelChoice | None = None
    refusal: Refusal | None = None

    @property
    def kept(self) -> ModelChoice | None:
        """The model the slot goes on with despite the refusal (None without one)."""
        if self.refusal is None or self.state not in (ModelState.READY, ModelState.LOADING):
            return None
        choice = self.choice
        return choice if choice is not None and choice.key != self.refusal.key else None


class Pending:
    """The newest call of one kind whose answer is still wanted. Asking again or `discard()`
    drops the call before; when the answer comes, the call stops being pending (false), then
    the handler runs."""

    def __init__(self) -> None:
        self.reply: Reply | None = None

    def __bool__(self) -> bool:
        return self.reply is not None

    def ask(
        self, reply: Reply, on_finished: Callable[[Any], None], on_failed: Callable[[str], None]
    ) -> None:
        self.discard()
        self.reply = reply
        reply.then(lambda r: self._answered(on_finished, r), lambda m: self._answered(on_failed, m))

    def _answered(self, handler: Callable[[Any], None], value: Any) -> None:
        self.reply = None
        handler(value)

    def discard(self) -> None:
        if self.reply is not None:
            self.reply.discard()
            self.reply = None


def registry_caption(model_id: str) -> Callable[[], str]:
    """A registry model's name in the UI's language (registry.json holds every model's names)."""

    def caption() -> str:
        try:
            return registry.get(model_id).display_name(language())
        except UserError:
            return model_id

    return caption


def file_caption(path: str | Path) -> Callable[[], str]:
    name = Path(path).name
    return lambda: name


def store_presence(model_id: str, store: Callable[[], ModelStore] = default_store) -> bool:
    """Whether the registry model's files are on this computer with the registry's sizes (no
    hashing; an unknown id or an unreadable registry: False)."""
    try:
        return store().is_present(model_id)
    except UserError:
        return False


class ModelSlot(QObject):
    """The model a tab uses, with the previous-model policy and presence checks.

    Signals:
        sig_status(object): a SlotStatus; render it.
        sig_loading(object): a ModelChoice is being loaded (results of the previous model are
            gone; layers change).
        sig_ready(object): the ModelChoice now in use.
        sig_refused(object): a Refusal: the model the user picked cannot be used.
    """

    sig_status = pyqtSignal(object)
    sig_loading = pyqtSignal(object)
    sig_ready = pyqtSignal(object)
    sig_refused = pyqtSignal(object)

    def __init__(
        self,
        name: str,
        is_present: Callable[[str], bool] = store_presence,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = ModelService(name, self)
        self.service.sig_state_changed.connect(self._on_state_changed)
        self.sig_event = self.service.sig_event
        self._is_present = is_present
        self.current: ModelChoice | None = None  # the model that loaded last (it may be reloading)
        self.refusal: Refusal | None = None
        self._loads: deque[tuple[ModelChoice, bool]] = deque()  # (asked, by the user), in order

    @property
    def state(self) -> ModelState:
        return self.service.state

    @property
    def shown(self) -> ModelChoice | None:
        """The model being loaded last, else the one in use."""
        return self._loads[-1][0] if self._loads else self.current

    def status(self) -> SlotStatus:
        shown = self.shown
        state = self.service.state
        if shown is None or state in (ModelState.FAILED, ModelState.MISSING):
            return SlotStatus(refusal=self.refusal)
        return SlotStatus(state, shown, self.refusal)

    def load(self, choice: ModelChoice) -> bool:
        """The user picked `choice`: load it, unless it is missing (False: a refusal says so).
        Picking the model in use again only closes a refusal."""
        if choice == self.shown and self.service.state != ModelState.FAILED:
            self.dismiss()
            return True
        if choice.model_id is not None and not self._is_present(choice.model_id):
            self.refuse(Refusal(choice.key, choice.caption, missing_id=choice.model_id))
            return False
        self.refusal = None
        self._start(choice, by_user=True)
        return True

    def reload(self, choice: ModelChoice) -> None:
        """Load `choice` for the owner (its recipe changed), keeping any refusal shown."""
        self._start(choice, by_user=False)

    def dismiss(self) -> None:
        """The user has read the refusal."""
        if self.refusal is not None:
            self.refusal = None
            self._emit_status()

    def is_ready(self) -> bool:
        return self.service.state == ModelState.READY

    def call(self, method: Callable[..., Any], *args: Any, latest: bool = False) -> Reply:
        """Ask the model in use `method(*args)`; see `ModelService.call`."""
        return self.service.call(method, *args, latest=latest)

    def _start(self, choice: ModelChoice, by_user: bool) -> None:
        self._loads.append((choice, by_user))
        self.service.load(choice.spec)
        self.sig_loading.emit(choice)
        self._emit_status()

    def refuse(self, refusal: Refusal) -> None:
        """Say that the user's pick cannot be used (the owner found why before loading it)."""
        self.refusal = refusal
        self.sig_refused.emit(refusal)
        self._emit_status()

    def _emit_status(self) -> None:
        self.sig_status.emit(self.status())

    @pyqtSlot(str, str)
    def _on_state_changed(self, state: str, detail: str) -> None:
        if state not in _SETTLED or not self._loads:
            self._emit_status()
            return
        choice, by_user = self._loads.popleft()
        if self._loads:  # a newer load replaces this one: only its outcome counts
            return
        if state == ModelState.READY:
            self.current = choice
            self.sig_ready.emit(choice)
            self._emit_status()
            return
        missing = choice.model_id if state == ModelState.MISSING else None
        previous = self.current
        self.current = None if previous == choice else previous
        if by_user or self.refusal is None:  # a fallback's failure does not hide the user's
            corrupt = missing is not None and self._is_present(missing)
            message = "" if missing else detail
            self.refuse(Refusal(choice.key, choice.caption, message, missing, corrupt))
        if self.current is not None:
            self._start(self.current, by_user=False)
        elif not by_user:
            self._emit_status()

    def shutdown(self) -> None:
        self._loads.clear()
        self.service.shutdown()
