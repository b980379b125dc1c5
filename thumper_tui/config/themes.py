"""The dashboard themes a config may name: Thumper's theme files and Textual's built-in ones.

Read without loading Textual, so ``thumper config show`` can say that a configured theme does
not exist; the dashboard loads the same files as Textual themes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

# Textual's built-in themes (``textual.theme.BUILTIN_THEMES`` of the pinned Textual; a test
# keeps the two equal).
TEXTUAL_THEMES = frozenset(
    {
        "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
        "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
        "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
        "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
    }
)  # fmt: skip


def theme_dirs() -> list[Path]:
    """Where theme files live: inside the installed wheel, or the source checkout's ``themes/``."""
    package = Path(__file__).resolve().parents[1]
    return [package / "themes", package.parent / "themes"]


def theme_files() -> dict[str, dict[str, object]]:
    """Thumper's themes by name, each as its TOML table (the first folder wins a clash)."""
    found: dict[str, dict[str, object]] = {}
    for folder in theme_dirs():
        for file in sorted(folder.glob("*.toml")):
            data = tomllib.loads(file.read_text(encoding="utf-8"))
            found.setdefault(str(data["name"]), data)
    return found


def unknown_theme(name: str) -> str | None:
    """Why ``name`` cannot be the dashboard's theme, or None when it can."""
    ours = sorted(theme_files())
    if name in ours or name in TEXTUAL_THEMES:
        return None
    return (
        f"theme {name!r} does not exist: choose one of {', '.join(ours)} or a Textual theme "
        f"({', '.join(sorted(TEXTUAL_THEMES))})"
    )
