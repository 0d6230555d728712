"""Why a photo was not read, in the UI's language: the photo reader (core/imageio.py) and the
read gate (core/user_files.py, asked for "an image") word their messages for the command line in
English; the tabs say them through these templates."""

from __future__ import annotations

from vision_agent.i18n import tr_template

PHOTO_TEMPLATES = (
    "{name} is empty (0 bytes).",
    "{name} is too small ({size} pixels) to be a photo.",
    "{name} is too large ({size} pixels): this app reads photos of up to {n} megapixels.",
    "{name} is too large to decode in the memory available.",
    "{name} is damaged or truncated ({detail}).",
    "{name} is a HEIC/HEIF or AVIF photo (the format of iPhones and some cameras), which this "
    "app cannot read: convert it to JPEG or PNG first.",
    "{name} is not an image this app can read (JPEG, PNG, BMP, WebP, TIFF or GIF).",
    "{path} is empty (0 bytes), not an image.",
    "{path} is a folder, not an image.",
    "{path} is not a regular file, not an image.",
    "{path} is a link to a file that does not exist.",
    "Cannot read {path}: permission denied.",
    "File not found: {path}",
    "Cannot read {path}: {error}",
)


def photo_message(message: str) -> str:
    """A photo reader's message (its first line and any others) in the UI's language."""
    return "\n".join(tr_template(line, PHOTO_TEMPLATES) for line in message.splitlines())
