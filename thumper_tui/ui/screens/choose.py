"""One of a few answers, each on its own key (b buck, d doe…); Escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Label


class ChooseScreen(ModalScreen[str | None]):
    """Dismisses with the chosen answer, or None."""

    DEFAULT_CSS = """
    ChooseScreen { align: center middle; }
    ChooseScreen > Vertical { width: 60; max-width: 95%; height: auto; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        """``answers``: (key, answer) pairs; the answer is what the screen dismisses with."""
        super().__init__()
        self._question = question
        self._answers = dict(answers)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._question, classes="dialog-title", markup=False)
            for key, answer in self._answers.items():
                yield Label(f"{key}  {answer}", markup=False)
            yield Label("Esc  cancel", markup=False)

    def on_key(self, event: Key) -> None:
        if event.character in self._answers:
            event.stop()
            self.dismiss(self._answers[event.character])
