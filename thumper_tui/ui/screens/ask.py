"""A line of text to give (a name, notes): Enter gives it, Escape cancels.

Tab cycles the suggestions when there are any (the first one is filled in).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class AskScreen(ModalScreen[str | None]):
    """Dismisses with the text, or None when cancelled."""

    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > Vertical { width: 70; max-width: 95%; height: auto; }
    AskScreen Label { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("tab", "next_suggestion", "Next suggestion", priority=True),
        Binding("shift+tab", "previous_suggestion", "Previous", priority=True),
    ]

    def __init__(self, title: str, value: str = "", suggestions: list[str] | None = None) -> None:
        super().__init__()
        self._title = title
        self._suggestions = suggestions or []
        self._value = self._suggestions[0] if self._suggestions and not value else value
        self._at = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._title, classes="dialog-title", markup=False)
            yield Input(self._value, id="answer", select_on_focus=True)
            hint = "Enter: give it · Esc: cancel"
            if self._suggestions:
                hint = f"Tab: next of {len(self._suggestions)} suggestions · " + hint
            yield Label(hint, id="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _cycle(self, step: int) -> None:
        if not self._suggestions:
            return
        self._at = (self._at + step) % len(self._suggestions)
        answer = self.query_one(Input)
        answer.value = self._suggestions[self._at]
        answer.cursor_position = len(answer.value)

    def action_next_suggestion(self) -> None:
        """Fill in the next suggestion."""
        self._cycle(1)

    def action_previous_suggestion(self) -> None:
        """Fill in the suggestion before."""
        self._cycle(-1)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)
