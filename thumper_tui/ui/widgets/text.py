"""Setting a widget's text only when it changed.

Each update costs the screen a layout pass, and the dashboard redraws once a second."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def show_text(widget: Static, content: str | Text) -> None:
    """Give ``widget`` the text ``content`` unless it already shows exactly that."""
    if widget.content != content:  # a str never equals a Text, so a change of kind redraws
        widget.update(content)
