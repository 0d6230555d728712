"""Errors whose message is written for the user (shown in the window, printed by the CLI)."""


class UserError(Exception):
    """Something the user can act on: a bad file, a missing model, a model that does not fit."""


class ImageReadError(UserError):
    """An image file could not be read or decoded."""


class ModelLoadError(UserError):
    """A model file is missing, corrupt, or does not fit the task."""
