"""The active run: what it does, a progress bar, counts, rate, ETA and where the time goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from thumper_tui.ui.format import duration, rate
from thumper_tui.ui.widgets.text import show_text
from thumper_tui.vocabulary.states import ENDED_STATUSES, STAGES

if TYPE_CHECKING:  # the database layer loads after the first paint
    from thumper_tui.monitor.overview import RunView

STAGE_LABELS = {"decode": "decode", "detect": "detect", "embed": "embed", "reid": "re-ID"}


def _stages(seconds: dict[str, float]) -> str:
    total = sum(seconds.values())
    if total <= 0:
        return "stages: —"
    return " · ".join(
        f"{STAGE_LABELS.get(s, s)} {100 * seconds.get(s, 0.0) / total:.0f}%" for s in STAGES
    )


def describe(run: RunView) -> str:
    """``Run 7 · full, clear detections · running``."""
    what = "incremental" if run.kind == "incremental" else f"{run.kind}, clear {run.clear_mode}"
    return f"Run {run.id} · {what} · {run.status}"


class RunPanel(Vertical):
    """Shows :class:`RunView` or how to start a run when there is none."""

    DEFAULT_CSS = """
    RunPanel { height: auto; }
    RunPanel ProgressBar { width: 1fr; }
    RunPanel ProgressBar Bar { width: 1fr; }
    RunPanel Label { width: 1fr; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__(id="run", classes="panel")
        self.border_title = "Run"

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=100, show_eta=False, show_percentage=True)
        yield Label("Reading the database…", id="run-counts")
        yield Label("", id="run-stages")

    def unknown(self, reason: str, stale: RunView | None) -> None:
        """The database cannot be read: say the run's state is unknown (never "no run")."""
        if stale is not None:
            self.border_title = f"{describe(stale)} · as last read"
            show_text(self.query_one("#run-counts", Label), f"Not current: {reason}")
            return
        self.border_title = "Run · unknown"
        show_text(self.query_one("#run-counts", Label), f"Run state unknown: {reason}")

    def show(self, run: RunView | None) -> None:
        """Draw ``run`` (``None``: idle)."""
        bar = self.query_one(ProgressBar)
        counts = self.query_one("#run-counts", Label)
        stages = self.query_one("#run-stages", Label)
        if run is None:
            self.border_title = "Run · idle"
            bar.update(total=100, progress=0)
            show_text(counts, "No active run. Press r to start one.")
            show_text(stages, "")
            return
        self.border_title = describe(run)
        bar.update(total=max(run.total, 1), progress=run.done + run.failed)
        finished = run.status in ENDED_STATUSES
        show_text(
            counts,
            f"{run.done:,} done · {run.failed:,} failed · {run.total:,} total · "
            f"{rate(run.images_per_min)}"
            + (" · r: start another" if finished else f" · ETA {duration(run.eta_s)}"),
        )
        show_text(stages, _stages(run.stage_seconds))
