"""One GPU: utilisation and VRAM bars with their history, temperature, power, clock, processes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from thumper_tui.telemetry.snapshots import GpuSnapshot
from thumper_tui.ui.format import gib
from thumper_tui.ui.widgets.telemetry.history import HistoryBar
from thumper_tui.ui.widgets.text import show_text


def _details(gpu: GpuSnapshot) -> str:
    parts = []
    if gpu.temperature_c is not None:
        parts.append(f"{gpu.temperature_c:.0f} °C")
    if gpu.power_w is not None:
        limit = f"/{gpu.power_limit_w:.0f}" if gpu.power_limit_w else ""
        parts.append(f"{gpu.power_w:.0f}{limit} W")
    if gpu.sm_clock_mhz is not None:
        parts.append(f"{gpu.sm_clock_mhz} MHz")
    parts.append(f"{len(gpu.processes)} proc")
    return " · ".join(parts)


class GpuPanel(Vertical):
    """A GPU's live readings; :meth:`show` feeds it one snapshot a second."""

    DEFAULT_CSS = """
    GpuPanel { height: auto; }
    GpuPanel .gpu-details { height: 1; }
    """

    def __init__(self, index: int) -> None:
        super().__init__(id=f"gpu-{index}", classes="panel")
        self.index = index

    def compose(self) -> ComposeResult:
        yield HistoryBar("GPU", id="util")
        yield HistoryBar("VRAM", id="vram")
        yield Label("", classes="gpu-details")

    def show(self, gpu: GpuSnapshot) -> None:
        """Draw ``gpu`` and append it to the history."""
        self.border_title = f"GPU {gpu.index} · {gpu.name}"
        self.query_one("#util", HistoryBar).record(gpu.util_percent or 0.0)
        self.query_one("#vram", HistoryBar).record(
            gpu.memory_percent, f"{gib(gpu.memory_used)}/{gib(gpu.memory_total)} GiB"
        )
        show_text(self.query_one(".gpu-details", Label), _details(gpu))
