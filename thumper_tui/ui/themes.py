"""Thumper's themes: TOML files in the top-level ``themes/`` folder, loaded as Textual themes.

The choice made in the app is remembered in the state folder. A ``theme`` set in the config
file wins again once it is changed there, so both places keep meaning something.
"""

from __future__ import annotations

import json
from pathlib import Path

from textual.theme import Theme

from thumper_tui import paths
from thumper_tui.config.themes import theme_files


def load_themes() -> list[Theme]:
    """Every theme file, as Textual ``Theme`` objects (first folder wins on a name clash)."""
    return [Theme(**data) for data in theme_files().values()]  # type: ignore[arg-type]


def _state_file() -> Path:
    return paths.state_dir() / "ui.json"


def chosen_theme(configured: str) -> str:
    """The theme to open with: the remembered choice, unless the config changed since."""
    try:
        state = json.loads(_state_file().read_text())
    except (OSError, ValueError):
        return configured
    if not isinstance(state, dict) or state.get("config_theme") != configured:
        return configured
    return str(state.get("theme") or configured)


def remember_theme(name: str, configured: str) -> None:
    """Keep ``name`` for the next start (along with the config value it overrode)."""
    try:
        _state_file().parent.mkdir(parents=True, exist_ok=True)
        _state_file().write_text(json.dumps({"theme": name, "config_theme": configured}))
    except OSError:
        pass  # a read-only home only costs the memory of the choice
