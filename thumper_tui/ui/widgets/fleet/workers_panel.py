"""Workers: host, pid, device, heartbeat age, state, and the GPU each one last reported."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.widgets import DataTable

from thumper_tui.ui.format import age
from thumper_tui.vocabulary.states import HEARTBEAT_SECONDS, STALE_SECONDS

if TYPE_CHECKING:  # the database layer loads after the first paint
    from thumper_tui.engine.workers import WorkerInfo
    from thumper_tui.telemetry.samples import Sample


def _gpu(samples: list[Sample]) -> str:
    if not samples:
        return "—"
    return " ".join(
        f"{s.util_percent or 0:.0f}%"
        + (
            f"/{100 * s.memory_used / s.memory_total:.0f}%m"
            if s.memory_used and s.memory_total
            else ""
        )
        for s in sorted(samples, key=lambda s: s.gpu_index or 0)
    )


def beat_age(seconds: float) -> str:
    """A heartbeat's age in steps of the beat (5 s) while it is fresh: a worker beats every
    5 s, so the seconds in between say nothing and would redraw the table every read."""
    if seconds < HEARTBEAT_SECONDS:
        return f"<{HEARTBEAT_SECONDS} s"
    if seconds < STALE_SECONDS:
        return age(HEARTBEAT_SECONDS * (seconds // HEARTBEAT_SECONDS))
    return age(seconds)


class WorkersPanel(DataTable[str]):
    """One row per live or recently lost worker."""

    DEFAULT_CSS = """
    WorkersPanel { height: auto; max-height: 8; overflow-x: hidden; }
    """

    def __init__(self) -> None:
        super().__init__(id="workers", classes="panel", cursor_type="none", zebra_stripes=False)
        self.border_title = "Workers"
        self._rows: list[tuple[str, str, str, str, str, str]] | None = None

    def on_mount(self) -> None:
        self.add_columns("host", "pid", "device", "beat", "state", "GPU")

    def show(self, workers: list[WorkerInfo], samples: list[Sample], now: datetime) -> None:
        """Replace the rows with ``workers`` as of ``now`` (when any of them changed)."""
        rows = [
            (
                w.host,
                str(w.pid),
                w.device,
                beat_age((now - w.heartbeat_at).total_seconds()),
                w.state if w.is_fresh(now) else "stale",
                _gpu([s for s in samples if s.worker_id == w.id]),
            )
            for w in workers
        ] or [("no worker", "", "", "", "", "")]
        self.border_title = f"Workers · {sum(w.is_fresh(now) for w in workers)} alive"
        if rows == self._rows:
            return  # a table rebuilt for nothing costs a layout pass
        self._rows = rows
        self.clear()
        for row in rows:
            self.add_row(*row)
