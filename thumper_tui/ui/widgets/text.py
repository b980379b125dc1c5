"""Setting a widget's text only when it changed.

Each update costs the screen a layout pass, and the dashboard redraws once a second."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def show_text(widget: Static, content: str | Text) -> None:
    """Give ``widget`` the text ``content`` unless it already shows exactly that."""
    shown = widget.content
    same = (isinstance(shown, Text) and isinstance(content, Text) and shown == content) or (
        isinstance(shown, str) and isinstance(content, str) and shown == content
    )
    if not same:
        widget.update(content)
