"""The host without a GPU: why there is none, CPU and memory with their history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from thumper_tui.telemetry.snapshots import HostSnapshot
from thumper_tui.ui.format import gib
from thumper_tui.ui.widgets.telemetry.history import HistoryBar
from thumper_tui.ui.widgets.text import show_text


class HostPanel(Vertical):
    """CPU and memory of this machine, with the reason NVML gave for seeing no GPU."""

    DEFAULT_CSS = """
    HostPanel { height: auto; }
    HostPanel .host-detail { height: 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="host", classes="panel")

    def compose(self) -> ComposeResult:
        yield Label("", id="no-gpu")
        yield HistoryBar("CPU", id="cpu")
        yield HistoryBar("MEM", id="mem")
        yield Label("", classes="host-detail")

    def show(self, host: HostSnapshot, reason: str | None) -> None:
        """Draw ``host``; ``reason`` says why no GPU is shown."""
        self.border_title = f"Host {host.hostname}".rstrip()
        show_text(self.query_one("#no-gpu", Label), f"no NVIDIA GPU: {reason or 'unknown'}")
        cores = len(host.cpu_percent)
        self.query_one("#cpu", HistoryBar).record(host.cpu_mean, f"{cores} cores")
        self.query_one("#mem", HistoryBar).record(
            host.memory_percent, f"{gib(host.memory_used)}/{gib(host.memory_total)} GiB"
        )
        load = " ".join(f"{v:.2f}" for v in host.load_average)
        show_text(self.query_one(".host-detail", Label), f"load {load}")
