"""Runs and reports (screen 3): the run history, the advisor, the weekly report.

Each run with its figures and what changed in its recipe since the one before; the advisor's
verdict (``a`` acts on it, after saying how long it takes); the weekly report (``e``)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header

from thumper_tui.analytics.advisor import Action
from thumper_tui.analytics.answers import current_report
from thumper_tui.analytics.report import to_markdown
from thumper_tui.store.engine import error_reason
from thumper_tui.ui.messages import RanchViewRead
from thumper_tui.ui.run_actions import queue_and_serve
from thumper_tui.ui.screens.confirm import ConfirmScreen
from thumper_tui.ui.screens.ranch_view import RanchViewScreen
from thumper_tui.ui.screens.report import ReportScreen
from thumper_tui.ui.services import Services
from thumper_tui.ui.widgets.runs.advice_panel import AdvicePanel, estimate_text
from thumper_tui.ui.widgets.runs.run_detail import RunDetail
from thumper_tui.ui.widgets.runs.run_table import RunTable
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.states import RunTrigger


class RunsScreen(RanchViewScreen):
    """Every run, the advisor, the weekly report."""

    BINDINGS = [
        Binding("a", "act_on_advice", "Act on advice"),
        Binding("e", "weekly_report", "Weekly report"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services, id="runs")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield RunTable()
        with Horizontal(id="runs-bottom"):
            yield AdvicePanel()
            yield RunDetail()
        yield Footer()

    def on_ranch_view_read(self, message: RanchViewRead) -> None:
        view = self.view = message.view
        self.query_one(RunTable).show(view.facts.runs)
        self.query_one(AdvicePanel).show(view.advice)
        self._describe()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe()

    def _describe(self) -> None:
        table = self.query_one(RunTable)
        run = table.selected
        before = None
        if run is not None and self.view is not None:
            earlier = [r for r in self.view.facts.runs if r.id < run.id]
            before = earlier[-1] if earlier else None
        self.query_one(RunDetail).show(run, before)

    def action_act_on_advice(self) -> None:
        """Start the advised run after a confirmation that says what it does and how long."""
        view = self.view
        if view is None or self.services.engine is None:
            self.notify("no reading yet", severity="warning")
            return
        advice, plan = view.advice, view.advice.plan
        if advice.action not in (Action.FULL, Action.INCREMENTAL) or plan is None:
            self.notify(f"the advisor says {advice.action.value}: {advice.reasons[0]}")
            return

        async def answered(yes: bool | None) -> None:
            if yes:
                await queue_and_serve(
                    self,
                    self.services,
                    plan.kind,
                    plan.clear_mode,
                    RunTrigger.ADVISOR,
                    worker_alive=view.live_workers > 0,
                )
                self.action_reload()

        self.app.push_screen(
            ConfirmScreen(
                f"Start a {plan.kind.value} run (clear mode {plan.clear_mode.value}) of "
                f"{counted(plan.images, 'photo')}? How long: {estimate_text(advice)}. "
                f"Because: {'; '.join(advice.reasons)}.",
                yes="Start it",
                no="Not now",
            ),
            answered,
        )

    async def action_weekly_report(self) -> None:
        """Open this week's report."""
        services = self.services
        if services.engine is None:
            self.notify("no reading yet", severity="warning")
            return
        try:
            report = await services.shielded(
                current_report(services.engine, services.settings, services.clock())
            )
        except Exception as exc:
            self.notify(f"cannot read the report: {error_reason(exc)}", severity="error")
            return
        self.app.push_screen(ReportScreen(to_markdown(report)))
