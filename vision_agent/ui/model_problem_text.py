"""What the window says about a missing model or a failed download, in the UI's language.

The model store writes its messages for the command line ("run `vision-agent models import
DIR`"). In the window they are replaced: the model's name and size from the registry, the reason
a download failed (translated), and advice naming the buttons of the missing-model panel.
"""

from __future__ import annotations

import re

from vision_agent.core.errors import UserError
from vision_agent.core.keras_files import MESSAGES as KERAS_FILE_MESSAGES
from vision_agent.i18n import language, tr, tr_template
from vision_agent.models import registry
from vision_agent.models.registry import ModelEntry, format_size

# The store's "Could not get FILE (model 'ID') from URL: REASON.\n…" and its other failures.
_TRANSFER = re.compile(
    r"Could not get (?P<file>\S+) \(model '[^']*'\) from \S+: (?P<reason>.+?)\.\n"
)
_CHECKSUM = re.compile(r"The file (?P<file>\S+) downloaded from \S+ does not match its published")
_STORE_MISSING = re.compile(r"Model '(?P<id>[^']+)' is not on this computer \(")
_CACHE = re.compile(r"The model cache (?P<folder>.+?) cannot be written \((?P<error>.*?)\)\. ")

# Reasons a transfer fails (models/download.py), as templates: {name} matches any text.
REASON_TEMPLATES = (
    "no connection (are you offline?)",
    "the server answered HTTP {status}",
    "no progress for {seconds} s, so it was stopped",
    "the transfer was interrupted ({detail})",
    "the file could not be written ({detail})",
    "the file is larger than {limit}, so it was stopped",
    "the server announced {size} bytes, larger than the expected {limit}",
)


def model_name(entry: ModelEntry) -> str:
    return entry.display_name(language())


def size_text(entry: ModelEntry) -> str:
    return format_size(*entry.known_size)


def missing_text(entry: ModelEntry, another: bool, corrupt: bool = False) -> str:
    """The model is not on this computer (or its file is damaged): what, how large, what to do."""
    return missing_what(entry, corrupt) + "\n" + advice(entry, another)


def missing_what(entry: ModelEntry, corrupt: bool = False) -> str:
    """That the model is not here (or damaged), with its download size where the registry says."""
    size = size_text(entry)
    if corrupt:
        what = tr("The file of {model} on this computer is damaged ({size} to download again).")
    elif size == "?":  # the registry does not say
        what = tr("{model} is not on this computer.")
    else:
        what = tr("{model} is not on this computer ({size} to download).")
    return what.format(model=model_name(entry), size=size)


def advice(entry: ModelEntry, another: bool) -> str:
    """The panel's ways out, by the names of its buttons ("Use another model" where offered)."""
    files = ", ".join(f.name for f in entry.files.values() if not f.optional)
    if another:
        text = tr(
            "Click Download, or Import from folder… a folder that holds {files} (from a USB "
            "stick or another computer), or Use another model."
        )
    else:
        text = tr(
            "Click Download, or Import from folder… a folder that holds {files} (from a USB "
            "stick or another computer)."
        )
    return text.format(files=files)


def download_failed_text(entry: ModelEntry | None, message: str, another: bool) -> str:
    """Why a download failed, from the store's message, with the panel's advice."""
    reason = failure_reason(message)
    if entry is None:
        return reason
    text = tr("Could not download {model}: {reason}.").format(
        model=model_name(entry), reason=reason
    )
    return text + "\n" + advice(entry, another)


def failure_reason(message: str) -> str:
    """The store's failure message as a short reason in the UI's language."""
    if match := _TRANSFER.search(message):
        return translate_reason(match["reason"])
    if match := _CHECKSUM.search(message):
        return tr("{file} did not match its published checksum, so it was deleted").format(
            file=match["file"]
        )
    if match := _CACHE.search(message):
        return tr("the model folder {folder} cannot be written ({error})").format(
            folder=match["folder"], error=match["error"]
        )
    return translate_reason(message.strip())


def translate_reason(reason: str) -> str:
    """A transfer failure's reason in the UI's language (unknown reasons are kept as they are)."""
    return tr_template(reason, REASON_TEMPLATES)


def model_file_problem(message: str) -> str:
    """Why a model file was not opened (core/keras_files' messages) in the UI's language; any
    other message is kept as it is."""
    return tr_template(message.strip(), KERAS_FILE_MESSAGES)


def model_problem(message: str) -> str:
    """Why a model could not be used, for a place without the missing-model panel: a registry
    model that is not here by its name and size with where to get it (View ▸ Models…); a model
    file's problem through model_file_problem."""
    if match := _STORE_MISSING.match(message):
        try:
            entry = registry.get(match["id"])
        except UserError:
            return message
        return missing_what(entry) + "\n" + tr("Download or import it in View ▸ Models….")
    return model_file_problem(message)
