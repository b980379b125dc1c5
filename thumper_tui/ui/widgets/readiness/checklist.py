"""The readiness checklist: each criterion with PASS or FAIL, its detail, and the verdict."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from thumper_tui.analytics.health import Health
from thumper_tui.analytics.readiness import Readiness

LABELS = {
    "profiles": "Profiles",
    "stable_count": "Stable count",
    "assignment_rate": "Assignment rate",
    "no_reprocess_due": "No reprocess due",
}


class Checklist(Static):
    """The four criteria, the verdict, and what daily health says."""

    DEFAULT_CSS = """
    Checklist { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__("reading the history…", id="checklist", classes="panel")
        self.border_title = "Ready to name?"

    def show(self, readiness: Readiness, health: Health) -> None:
        """Draw ``readiness`` and ``health``."""
        lines = [f"[b]{escape(readiness.verdict)}[/b]  as of {readiness.as_of.isoformat()}"]
        for c in readiness.criteria:
            mark = "[$success]PASS[/]" if c.passed else "[$error]FAIL[/]"
            lines.append(f"{mark} {LABELS.get(c.name, c.name):<16} {escape(c.detail)}")
        health_mark = "[$warning]WARN[/]" if health.too_strict else "[$success]OK  [/]"
        lines.append(f"{health_mark} {'Daily health':<16} {escape(health.message)}")
        self.update("\n".join(lines))
        self.set_class(not readiness.ready, "-not-ready")
