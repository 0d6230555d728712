"""Reading the arrays of a user's `.npz` without unpacking more than they may hold.

`np.load` inflates a member whole before anyone sees its shape: a 2 MB file can unpack to
gigabytes, and a 1 KB one can declare (10⁹, 28, 28). Here each member's `.npy` header is read
first (the shape and dtype it declares), checked against what the caller allows, and then
exactly that many bytes are inflated — never more. Nothing is unpickled (object arrays are
refused).
"""

from __future__ import annotations

import io
import math
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np

from vision_agent.core.errors import UserError

MAX_MEMBERS = 16


def read_npz_arrays(
    data: bytes,
    limits: Mapping[str, int],
    error: type[UserError] = UserError,
) -> dict[str, np.ndarray]:
    """The arrays named in `limits` (each at most that many bytes unpacked); `error` saying
    what is wrong (for the caller to put after the file's name) for anything else: not a zip,
    an array missing, too large, an object array."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise error("it is not a NumPy .npz archive (not a zip file)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise error(f"it holds {len(members)} arrays; at most {MAX_MEMBERS} are read")
        return {key: _member(archive, key, limit, error) for key, limit in limits.items()}


def _member(archive: zipfile.ZipFile, key: str, limit: int, error: type[UserError]) -> np.ndarray:
    try:
        with archive.open(f"{key}.npy") as stream:
            version = np.lib.format.read_magic(stream)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(stream)
            if dtype.hasobject:
                raise error(f"its '{key}' array holds Python objects, which are never loaded")
            size = math.prod(shape) * dtype.itemsize
            if size > limit:
                raise error(
                    f"its '{key}' array declares {shape} {dtype} ({size:,} bytes unpacked); "
                    f"at most {limit:,} bytes are read"
                )
            raw = stream.read(size)
    except KeyError:
        raise error(f"it has no '{key}' array") from None
    except (
        ValueError,
        OSError,
        EOFError,
        zipfile.BadZipFile,
        NotImplementedError,
        zlib.error,
    ) as exc:
        raise error(f"its '{key}' array is damaged ({_reason(exc)})") from None
    if len(raw) != size:
        raise error(f"its '{key}' array is cut short")
    return np.frombuffer(raw, dtype).reshape(shape, order="F" if fortran else "C").copy()


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
