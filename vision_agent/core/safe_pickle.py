"""Reading a pickle that may only hold plain data, without executing anything.

A pickle is a small program: opcodes such as GLOBAL/STACK_GLOBAL import any callable and REDUCE,
BUILD, INST, OBJ and NEWOBJ call it, so `pickle.load` on a file from elsewhere can run arbitrary
code. The course saved its class names with `pickle.dump(list_of_str, f)`, which needs none of
those. `load_plain_pickle` first walks the opcodes with `pickletools.genops` (a parser that runs
nothing) and refuses the file unless every opcode builds plain data (str, bytes, numbers, bool,
None, list, tuple, dict, set); only then does it unpickle, with an unpickler that refuses to look
up any class even if one slipped through.
"""

from __future__ import annotations

import io
import pickle
import pickletools
from pathlib import Path
from typing import Any

from vision_agent.core.errors import UserError
from vision_agent.core.user_files import read_user_bytes

MAX_PICKLE_BYTES = 16 * 1024 * 1024

# Opcodes that only push constants, build containers or use the memo.
PLAIN_DATA_OPCODES = frozenset(
    {
        "PROTO", "FRAME", "STOP", "MARK", "POP", "POP_MARK", "DUP",
        "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4",
        "FLOAT", "BINFLOAT", "NONE", "NEWTRUE", "NEWFALSE",
        "STRING", "BINSTRING", "SHORT_BINSTRING",
        "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
        "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8",
        "EMPTY_LIST", "APPEND", "APPENDS", "LIST",
        "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3",
        "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
        "EMPTY_SET", "ADDITEMS", "FROZENSET",
        "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE", "GET", "BINGET", "LONG_BINGET",
    }
)  # fmt: skip


class UnsafePickleError(UserError):
    """The pickle would import or call something, so it was not loaded."""


class _NoClassesUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise UnsafePickleError(f"the pickle asks for {module}.{name}")

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("the pickle refers to a persistent object")


def is_pickle(data: bytes) -> bool:
    """True if `data` parses as one complete pickle (parsing runs nothing)."""
    try:
        for _ in pickletools.genops(data):
            pass
    except Exception:
        return False
    return True


def check_plain_pickle(data: bytes, name: str = "pickle") -> None:
    """Raise UnsafePickleError/UserError unless `data` is one pickle of plain data only."""
    try:
        for opcode, argument, position in pickletools.genops(data):
            if opcode.name not in PLAIN_DATA_OPCODES:
                what = f" ({argument})" if isinstance(argument, str) else ""
                raise UnsafePickleError(
                    f"{name} was not loaded: it is a pickle that would import or call code "
                    f"(opcode {opcode.name}{what} at byte {position}). Only plain lists of "
                    "names are read. Save the class names as JSON or text instead."
                )
    except UnsafePickleError:
        raise
    except Exception as exc:  # genops raises ValueError and friends on damaged data
        raise UserError(f"{name} is not a readable pickle ({exc}).") from None


def load_plain_pickle(source: bytes | str | Path, name: str | None = None) -> Any:
    """The data in a pickle that holds only plain data; nothing in it is ever executed."""
    if isinstance(source, bytes):
        data, label = source, name or "The pickle"
    else:
        path = Path(source)
        label = name or path.name
        data = read_user_bytes(path, "a pickle", MAX_PICKLE_BYTES)
    check_plain_pickle(data, label)
    try:
        return _NoClassesUnpickler(io.BytesIO(data)).load()
    except UserError:
        raise
    except Exception as exc:
        raise UserError(f"{label} is not a readable pickle ({exc}).") from None
