"""A labelled bar with a sparkline of its recent history."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar, Sparkline

from thumper_tui.ui.widgets.text import show_text

HISTORY_SAMPLES = 900  # 15 minutes at one sample a second
# Textual's sparkline scales between the smallest and largest value it is given; one value
# just above 100 at the end pins that scale to 0-100% (2% stays a low bar, not a full one),
# and the summary of each column leaves it out.
SCALE_TOP = 100.0001


def _column_height(values: Sequence[float]) -> float:
    shown = [v for v in values if v != SCALE_TOP]
    return max(shown) if shown else 0.0


class HistoryBar(Vertical):
    """``LABEL [bar] 42%`` over a sparkline of the last :data:`HISTORY_SAMPLES` readings."""

    DEFAULT_CSS = """
    HistoryBar { height: auto; }
    HistoryBar > Horizontal { height: 1; }
    HistoryBar .history-label { width: 5; }
    HistoryBar ProgressBar { width: 1fr; }
    HistoryBar ProgressBar Bar { width: 1fr; }
    HistoryBar .history-note { width: auto; padding-left: 1; }
    HistoryBar Sparkline { height: 2; margin-left: 5; }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = label
        self._note = ""
        self.history: deque[float] = deque(maxlen=HISTORY_SAMPLES)

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self._label, classes="history-label")
            yield ProgressBar(total=100, show_eta=False, show_percentage=True)
            yield Label("", classes="history-note")
        yield Sparkline([], summary_function=_column_height)

    def record(self, percent: float, note: str = "") -> None:
        """Show ``percent`` (0-100) now and add it to the history (drawn once mounted, when a
        sample comes before the widget's own parts exist)."""
        self.history.append(percent)
        self._note = note
        if self.is_mounted:
            self._draw()

    def on_mount(self) -> None:
        if self.history:
            self._draw()

    def _draw(self) -> None:
        percent, note = self.history[-1], self._note
        self.query_one(ProgressBar).update(progress=percent)
        show_text(self.query_one(".history-note", Label), note)
        # Padded to the whole window, so the sparkline's time scale never stretches.
        padding = [0.0] * (HISTORY_SAMPLES - len(self.history))
        self.query_one(Sparkline).data = [*padding, *self.history, SCALE_TOP]
