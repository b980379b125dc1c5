"""Where Thumper keeps its files, following the XDG base directory specification."""

from __future__ import annotations

import os
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
