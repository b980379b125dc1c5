"""Alerts: stale workers, runs nobody serves, failure spikes, a database that went away."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from thumper_tui.ui.widgets.text import show_text
from thumper_tui.vocabulary.states import START_WORKER

if TYPE_CHECKING:  # the database layer loads after the first paint
    from thumper_tui.monitor.alerts import Alert

HINTS = {START_WORKER: "press w to start a worker"}


class AlertsPanel(Static):
    """One line per alert, worst first; quiet when all is well."""

    DEFAULT_CSS = """
    AlertsPanel { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__("no alerts", id="alerts", classes="panel")
        self.border_title = "Alerts"

    def show(self, alerts: list[Alert]) -> None:
        """Draw ``alerts`` (levels style through the ``-warning`` / ``-error`` classes)."""
        self.set_class(any(a.level == "warning" for a in alerts), "-warning")
        self.set_class(any(a.level == "error" for a in alerts), "-error")
        if not alerts:
            show_text(self, "no alerts")
            return
        ordered = sorted(alerts, key=lambda a: a.level != "error")
        lines = [a.text + (f" ({HINTS[a.action]})" if a.action in HINTS else "") for a in ordered]
        show_text(self, Text("\n".join(lines)))
