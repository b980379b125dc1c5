"""The run history: one row per run with its figures, newest first; j/k move the cursor."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable

from thumper_tui.analytics.facts import RecordedRun

COLUMNS = ("run", "kind", "clear", "trigger", "status", "done", "fail", "img/min", "new", "shift")


class RunTable(DataTable[str]):
    """Every run; the highlighted one is described beside it."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="run-table", classes="panel", cursor_type="row", zebra_stripes=True)
        self.border_title = "Runs"
        self.runs: list[RecordedRun] = []

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def show(self, runs: list[RecordedRun]) -> None:
        """Fill the table with ``runs`` (oldest first as given), newest on top."""
        newest_first = list(reversed(runs))
        if [(r.id, r.status, r.images_done) for r in newest_first] == [
            (r.id, r.status, r.images_done) for r in self.runs
        ]:
            return
        selected = self.selected
        self.runs = newest_first
        self.clear()
        for run in newest_first:
            pace = run.images_per_min
            self.add_row(
                str(run.id),
                run.kind,
                run.clear_mode,
                run.trigger,
                run.status,
                f"{run.images_done:,}",
                f"{run.images_failed:,}",
                f"{pace:,.0f}" if pace else "—",
                str(run.new_profiles),
                "—" if run.profiles_shift is None else f"{run.profiles_shift:+d}",
                key=str(run.id),
            )
        if selected is not None and any(r.id == selected.id for r in newest_first):
            self.move_cursor(row=[r.id for r in newest_first].index(selected.id))

    @property
    def selected(self) -> RecordedRun | None:
        """The highlighted run."""
        if not self.runs or not 0 <= self.cursor_row < len(self.runs):
            return None
        return self.runs[self.cursor_row]
