"""Workers: host, pid, device, heartbeat age, state, and the GPU each one last reported."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.widgets import DataTable

from thumper_tui.ui.format import age

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


class WorkersPanel(DataTable[str]):
    """One row per live or recently lost worker."""

    DEFAULT_CSS = """
    WorkersPanel { height: auto; max-height: 8; overflow-x: hidden; }
    """

    def __init__(self) -> None:
        super().__init__(id="workers", classes="panel", cursor_type="none", zebra_stripes=False)
        self.border_title = "Workers"

    def on_mount(self) -> None:
        self.add_columns("host", "pid", "device", "beat", "state", "GPU")

    def show(self, workers: list[WorkerInfo], samples: list[Sample], now: datetime) -> None:
        """Replace the rows with ``workers`` as of ``now``."""
        self.clear()
        for w in workers:
            fresh = w.is_fresh(now)
            self.add_row(
                w.host,
                str(w.pid),
                w.device,
                age((now - w.heartbeat_at).total_seconds()),
                w.state if fresh else "stale",
                _gpu([s for s in samples if s.worker_id == w.id]),
            )
        self.border_title = f"Workers · {sum(w.is_fresh(now) for w in workers)} alive"
        if not workers:
            self.add_row("no worker", "", "", "", "", "")
