"""Where Thumper keeps its files, following the XDG base directory specification."""

from __future__ import annotations

import os
import re
from pathlib import Path

APP = "thumper"


def _xdg(variable: str, fallback: str) -> Path:
    # The spec says a relative value is invalid and must be ignored.
    value = os.environ.get(variable, "")
    base = Path(value) if value and Path(value).is_absolute() else Path.home() / fallback
    return base / APP


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/thumper``, by default ``~/.config/thumper``."""
    return _xdg("XDG_CONFIG_HOME", ".config")


def data_dir() -> Path:
    """``$XDG_DATA_HOME/thumper``, by default ``~/.local/share/thumper``."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def state_dir() -> Path:
    """``$XDG_STATE_HOME/thumper``, by default ``~/.local/state/thumper`` (logs, pid files)."""
    return _xdg("XDG_STATE_HOME", ".local/state")


def default_config_file() -> Path:
    """The config file read when neither ``--config`` nor ``THUMPER_CONFIG`` names one."""
    return config_dir() / "config.toml"


# A file name is bytes. One that is not UTF-8 (a Latin-1 name from an old card reader) is kept
# as text this prefix marks, each undecodable byte written \xNN and each backslash doubled: an
# absolute path never starts with it, so a stored path reads back to the very same bytes.
RAW_PREFIX = "bytes:"
_RAW_TOKEN = re.compile(r"\\\\|\\x([0-9a-f]{2})|[^\\]+|\\")


def stored_path(path: str) -> str:
    """An OS path (a ``str`` that may hold surrogate-escaped bytes) as text any database and
    terminal takes: itself when it is UTF-8, else its ``bytes:`` form."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(path).replace(b"\\", b"\\\\")
        return RAW_PREFIX + raw.decode("utf-8", "backslashreplace")
    return path


def os_path(stored: str) -> str:
    """The OS path a :func:`stored_path` text stands for, to open the file."""
    if not stored.startswith(RAW_PREFIX):
        return stored
    raw = bytearray()
    for token in _RAW_TOKEN.finditer(stored[len(RAW_PREFIX) :]):
        if token[1] is not None:
            raw.append(int(token[1], 16))
        elif token[0] == "\\\\":
            raw.extend(b"\\")
        else:
            raw.extend(token[0].encode("utf-8", "surrogateescape"))
    return os.fsdecode(bytes(raw))


def readable(name: str) -> str:
    """A file or folder name as valid text (undecodable bytes as ``\\xNN``), for a label such
    as a camera's name that is shown and never opened."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name
