"""Metadata bounded before an image is decoded.

Pillow gathers a JPEG's EXIF segments by joining them one by one (52 MB of EXIF: 39 s), and
refuses a PNG whose compressed text chunk unpacks past 1 MB as if the picture were damaged. The
picture needs neither: `bounded_metadata` looks at the file's segments (JPEG) or chunks (PNG)
without decoding anything and, when their metadata is past the budget, gives the decoder a copy
without the excess — the picture itself is untouched.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import BinaryIO

METADATA_BUDGET = 1 << 20  # bytes of JPEG APPn/COM segments kept
MAX_SEGMENTS = 100_000
_JPEG = b"\xff\xd8"
_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length


def bounded_metadata(source: BinaryIO) -> BinaryIO:
    """`source` (rewound) when its metadata is within bounds; else a copy without the excess."""
    start = source.tell()
    head = source.read(8)
    source.seek(start)
    if head.startswith(_JPEG):
        kept = _jpeg_without_excess(source)
    elif head == _PNG:
        kept = _png_without_text(source)
    else:
        kept = None
    source.seek(start)
    return io.BytesIO(kept) if kept is not None else source


def _jpeg_segments(source: BinaryIO) -> tuple[list[tuple[int, int, int]], int] | None:
    """(marker, offset, size) of each segment before the scan, and the scan's offset."""
    base = source.tell()
    source.seek(2, io.SEEK_CUR)
    segments = []
    while len(segments) < MAX_SEGMENTS:
        if source.read(1) != b"\xff":
            return None  # not a marker: the decoder says what is wrong
        marker = source.read(1)
        while marker == b"\xff":  # fill bytes before a marker
            marker = source.read(1)
        if not marker:
            return None
        code, offset = marker[0], source.tell() - 2 - base
        if code in _STANDALONE:
            continue
        if code in (_SOS, _EOI):
            return segments, offset
        length = source.read(2)
        if len(length) < 2:
            return None
        size = struct.unpack(">H", length)[0] + 2
        segments.append((code, offset, size))
        source.seek(size - 4, io.SEEK_CUR)
    return None


def _is_metadata(code: int) -> bool:
    return 0xE0 <= code <= 0xEF or code == _COM


def _jpeg_without_excess(source: BinaryIO) -> bytes | None:
    start = source.tell()
    found = _jpeg_segments(source)
    source.seek(start)
    if found is None:
        return None
    segments, scan = found
    if sum(size for code, _, size in segments if _is_metadata(code)) <= METADATA_BUDGET:
        return None
    data = source.read()
    kept, budget = [_JPEG], METADATA_BUDGET
    for code, offset, size in segments:
        if _is_metadata(code):
            if size > budget:
                continue
            budget -= size
        kept.append(data[offset : offset + size])
    kept.append(data[scan:])
    return b"".join(kept)


def _png_without_text(source: BinaryIO) -> bytes | None:
    """The PNG without its text chunks when they hold (or unpack to) more than the budget."""
    start = source.tell()
    source.seek(8, io.SEEK_CUR)
    chunks, text = [], 0
    while len(chunks) < MAX_SEGMENTS:
        header = source.read(8)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header)
        chunks.append((kind, source.tell() - 8 - start, length + 12))
        if kind == b"IEND":
            break
        if kind in _PNG_TEXT and text <= METADATA_BUDGET:
            body = source.read(min(length, METADATA_BUDGET + 1))
            text += _text_size(kind, body) if len(body) == length else length
            source.seek(length - len(body) + 4, io.SEEK_CUR)
        else:
            source.seek(length + 4, io.SEEK_CUR)
    source.seek(start)
    if text <= METADATA_BUDGET:
        return None
    data = source.read()
    kept = [data[:8]]
    kept += [data[offset : offset + size] for kind, offset, size in chunks if kind not in _PNG_TEXT]
    if chunks:  # whatever follows the last chunk read stays as it was
        _, offset, size = chunks[-1]
        kept.append(data[offset + size :])
    return b"".join(kept)


def _text_size(kind: bytes, body: bytes) -> int:
    """How many bytes a text chunk's text takes once unpacked (at most the budget + 1)."""
    keyword, _, rest = body.partition(b"\0")
    if kind == b"zTXt":
        compressed = rest[1:]
    elif kind == b"iTXt" and rest[:1] == b"\1":
        compressed = rest[2:].split(b"\0", 2)[-1]
    else:
        return len(body)
    unpacker = zlib.decompressobj()
    try:
        return len(keyword) + len(unpacker.decompress(compressed, METADATA_BUDGET + 1))
    except zlib.error:
        return len(body)  # damaged text: Pillow skips it
