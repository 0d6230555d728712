"""What to build in a host: a factory (the class or function itself), its arguments, and where
to run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecognizerSpec:
    """A picklable recipe for a recognizer object.

    `factory` is a module-level class, function or classmethod (pickled by reference, so a child
    process imports its module); it is called with `kwargs`. With `model_id`, the service first
    finds that model's files through the model store (never downloading them) and passes them
    as `files={role: path}`. `in_process=False` runs the recognizer in a child process (needed
    for TensorFlow).

    `twin_methods` (child-process recognizers only): once the recognizer's `in_process_twin()`
    returns (factory, kwargs), the host builds that twin in its own process and sends these
    methods to it instead of the child (e.g. a Keras model whose ONNX export runs without
    TensorFlow).
    """

    factory: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    in_process: bool = True
    model_id: str | None = None
    label: str = ""
    twin_methods: tuple[str, ...] = ()

    def build(self, **extra: Any) -> Any:
        return self.factory(**self.kwargs, **extra)

    def describe(self) -> str:
        """The label, else the factory's name (for messages)."""
        return self.label or getattr(self.factory, "__qualname__", repr(self.factory))
