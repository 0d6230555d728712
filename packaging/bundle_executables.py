"""The executables of the one-folder bundle on each system (read by `vision_agent.spec`).

- Windows: `Vision Agent.exe`, a windowed program (no console window, ever) for double-clicking,
  and `vision-agent.exe`, the console program for a terminal (the subcommands, `--self-test`);
  its console is hidden at once when it is double-clicked anyway. Both carry the icon and a
  version resource (Explorer's Properties ▸ Details: product, version, description).
- macOS: a windowed executable (the spec wraps it in `Vision Agent.app`).
- Linux: a console executable (a terminal is optional; the window needs a display).

Both Windows programs run the same code from the same `_internal` folder: the bundle's size
grows by one small executable, not by a second copy of the libraries.
"""

from __future__ import annotations

import re
from pathlib import Path

NAME = "vision-agent"
WINDOW_NAME = "Vision Agent"
PRODUCT = "Vision Agent"
DESCRIPTION = "Vision Agent: postal codes, dog breeds, ImageNet top-5 and SSD faces"
COMPANY = "Vision Agent contributors"
COPYRIGHT = "MIT License, Vision Agent contributors"


def executables(platform: str, version: str, icon: str, work: Path) -> list[dict]:
    """Keyword arguments of PyInstaller's EXE for each executable on `platform`; Windows'
    version resources are written into `work` (PyInstaller reads them from a file)."""
    if platform == "win32":
        return [
            {
                "name": NAME,
                "console": True,
                "hide_console": "hide-early",
                "icon": icon,
                "version": write_version_file(work, NAME, version),
            },
            {
                "name": WINDOW_NAME,
                "console": False,
                "icon": icon,
                "version": write_version_file(work, WINDOW_NAME, version),
            },
        ]
    if platform == "darwin":
        return [{"name": NAME, "console": False, "icon": icon}]
    return [{"name": NAME, "console": True}]


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """Windows' four 16-bit version numbers from "0.1.0" (missing parts 0, each at most 65535)."""
    numbers = [min(int(n), 0xFFFF) for n in re.findall(r"\d+", version)[:4]]
    return (*numbers, 0, 0, 0, 0)[:4]  # type: ignore[return-value]


def version_text(file_name: str, version: str) -> str:
    """The VSVersionInfo expression PyInstaller's `version=` file holds (it evaluates it)."""
    numbers = version_numbers(version)
    strings = {
        "CompanyName": COMPANY,
        "FileDescription": DESCRIPTION,
        "FileVersion": version,
        "InternalName": file_name,
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": f"{file_name}.exe",
        "ProductName": PRODUCT,
        "ProductVersion": version,
    }
    structs = ",\n          ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    return (
        "VSVersionInfo(\n"
        f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,\n"
        "                    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),\n"
        "  kids=[\n"
        "    StringFileInfo([StringTable('040904B0', [\n"
        f"          {structs}])]),\n"
        "    VarFileInfo([VarStruct('Translation', [1033, 1200])]),\n"
        "  ],\n"
        ")\n"
    )


def write_version_file(work: Path, file_name: str, version: str) -> str:
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"version-{file_name.replace(' ', '-')}.txt"
    path.write_text(version_text(file_name, version), encoding="utf-8")
    return str(path)
