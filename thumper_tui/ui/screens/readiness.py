"""Readiness (screen 2): the checklist, and charts of the herd's history.

The weekly profile count, new profiles per day (with the daily-health line) and the assignment
rate over time."""

from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header

from thumper_tui.analytics.readiness import on
from thumper_tui.ui.messages import RanchViewRead
from thumper_tui.ui.screens.ranch_view import RanchViewScreen
from thumper_tui.ui.services import Services
from thumper_tui.ui.widgets.readiness.checklist import Checklist
from thumper_tui.ui.widgets.readiness.history_chart import HistoryChart

WEEKS = 8
DAYS = 28


class ReadinessScreen(RanchViewScreen):
    """Is the herd ready to name?"""

    def __init__(self, services: Services) -> None:
        super().__init__(services, id="readiness")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Checklist()
        with Horizontal(id="readiness-charts"):
            yield HistoryChart("Profiles at each week's end", bars=True, id="weekly-profiles")
            with Vertical():
                yield HistoryChart("New profiles per day", bars=True, id="new-per-day")
                yield HistoryChart("Assignment rate", bars=False, id="assignment-rate", top=1.0)
        yield Footer()

    def on_ranch_view_read(self, message: RanchViewRead) -> None:
        view = self.view = message.view
        self.query_one(Checklist).show(view.readiness, view.health)
        history, as_of = view.history, view.readiness.as_of
        ends = [as_of - timedelta(days=7 * k) for k in range(WEEKS - 1, -1, -1)]
        totals = [float(d.total_profiles) if (d := on(history, end)) else 0.0 for end in ends]
        self.query_one("#weekly-profiles", HistoryChart).show(
            [e.strftime("%d %b") for e in ends], totals
        )
        days = [as_of - timedelta(days=k) for k in range(DAYS - 1, -1, -1)]
        new = {d.day: d.new_profiles for d in history}
        self.query_one("#new-per-day", HistoryChart).show(
            [d.strftime("%d %b") for d in days],
            [float(new.get(d, 0)) for d in days],
            limit=float(view.health.limit),
        )
        rates = [d for d in history if d.assignment_rate is not None][-DAYS:]
        self.query_one("#assignment-rate", HistoryChart).show(
            [d.day.strftime("%d %b") for d in rates], [d.assignment_rate or 0.0 for d in rates]
        )
