"""The dashboard: devices, throughput, the active run, workers, the database and alerts.

Two loops feed it and neither starts a poll before the last one ended: a thread reads NVML and
the host once a second, and an async worker on the app's loop reads the database every second
or two, backing off while the database is unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from thumper_tui.ui.format import moment
from thumper_tui.ui.messages import (
    AdviceRead,
    DatabaseUnreachable,
    OverviewRead,
    TelemetrySampled,
)
from thumper_tui.ui.run_actions import attempt, queue_and_serve, start_worker
from thumper_tui.ui.screens.confirm import ConfirmScreen
from thumper_tui.ui.screens.run_dialog import RunChoice, RunDialog, nothing_to_do
from thumper_tui.ui.services import Services
from thumper_tui.ui.widgets.fleet.alerts_panel import AlertsPanel
from thumper_tui.ui.widgets.fleet.database_panel import DatabasePanel
from thumper_tui.ui.widgets.fleet.workers_panel import WorkersPanel
from thumper_tui.ui.widgets.run.run_panel import RunPanel
from thumper_tui.ui.widgets.run.throughput_chart import ThroughputChart
from thumper_tui.ui.widgets.telemetry.devices import Devices
from thumper_tui.vocabulary.states import ENDED_STATUSES, RunTrigger

if TYPE_CHECKING:  # the database layer loads with the first read, after the first paint
    from thumper_tui.monitor.overview import Overview, RunView

ADVICE_EVERY = 30.0  # seconds between the advisor's readings (it hashes the model file)


HIDDEN_INTERVAL = 30.0  # seconds between reads while another screen covers the dashboard


class DashboardScreen(Screen[None]):
    """The default screen of ``thumper``."""

    BINDINGS = [
        Binding("r", "start_run", "Run"),
        Binding("p", "toggle_pause", "Pause/resume"),
        Binding("c", "cancel_run", "Cancel run"),
        Binding("w", "start_worker", "Worker"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(id="dashboard")
        self.services = services
        self.overview: Overview | None = None
        self.database_label = "(database)"  # the masked URL, once the database layer is loaded
        self._stopping = threading.Event()
        self._refresh = asyncio.Event()
        self._in_flight: asyncio.Future[Overview] | None = None
        self._upgraded = False
        self._advised_at = -ADVICE_EVERY

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static("", id="db-banner")
        with Horizontal(id="columns"):
            with Vertical(id="left"):
                yield Devices(id="devices")
                yield ThroughputChart()
            with Vertical(id="right"):
                yield RunPanel()
                yield WorkersPanel()
                yield DatabasePanel()
                yield AlertsPanel()
        yield Footer()

    def on_mount(self) -> None:
        self.sample_telemetry()
        # After the first paint: the database layer takes longer to load than the screen.
        self.call_after_refresh(self.watch_database)

    def on_unmount(self) -> None:
        self._stopping.set()
        self._refresh.set()

    def _seen(self) -> bool:
        """Whether the dashboard is the screen in view (a dialog over it leaves it in view)."""
        for screen in reversed(self.app.screen_stack):
            if not screen.is_modal:
                return screen is self
        return False

    def on_screen_resume(self) -> None:
        self._refresh.set()  # shown again (or for the first time): read now

    async def stop_polling(self) -> None:
        """End both loops, letting a database read in flight finish first."""
        self._stopping.set()
        self._refresh.set()
        if self._in_flight is not None and not self._in_flight.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._in_flight, 10)

    async def _read(self) -> Overview:
        # Shielded: Textual cancels workers as it quits, and a query cancelled half-way
        # leaves aiosqlite a connection it can never close; the read finishes on its own.
        from thumper_tui.monitor.overview import read_overview
        from thumper_tui.store.engine import make_engine
        from thumper_tui.store.migrate import upgrade

        services = self.services

        async def read() -> Overview:
            if services.engine is None:  # made here, so a bad path is retried like a dead server
                services.engine = make_engine(services.settings.database_url)
            engine = services.engine
            if not self._upgraded:
                await upgrade(engine)
                self._upgraded = True
            return await read_overview(engine, self.database_label, now=services.clock())

        self._in_flight = asyncio.ensure_future(read())
        return await asyncio.shield(self._in_flight)

    @work(thread=True, group="telemetry", exit_on_error=False)
    def sample_telemetry(self) -> None:
        """Read NVML and the host, post the sample, wait; until the screen goes."""
        worker = get_current_worker()
        while not worker.is_cancelled and not self._stopping.is_set():
            try:
                sample = TelemetrySampled(self.services.gpus.sample(), self.services.host())
            except Exception as exc:  # a sampler failing must not take the dashboard down
                self.app.call_from_thread(self.notify, f"telemetry: {exc}", severity="error")
                return
            self.post_message(sample)
            self._stopping.wait(self.services.telemetry_interval)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._refresh.wait(), seconds)
        self._refresh.clear()

    @work(group="database", exit_on_error=False)
    async def watch_database(self) -> None:
        """Read the overview every interval; while the database is away, retry with backoff."""
        from thumper_tui.store.engine import error_reason
        from thumper_tui.store.url import mask_url

        services = self.services
        self.database_label = mask_url(services.settings.database_url)
        delay = services.retry_base
        while not self._stopping.is_set():
            try:
                overview = await self._read()
            except Exception as exc:  # whatever the driver raised, the screen shows it
                self._upgraded = False  # a database that came back may be a new, empty one
                self.post_message(DatabaseUnreachable(error_reason(exc), delay))
                await self._pause(delay)
                delay = min(delay * 2, services.retry_max)
                continue
            delay = services.retry_base
            self.post_message(OverviewRead(overview))
            await self._ask_the_advisor()
            # Under another screen its panels are not seen: read seldom, and at once on return;
            # with no run and no worker, little changes: read less often (a key reads at once).
            if not self._seen():
                await self._pause(HIDDEN_INTERVAL)
            else:
                busy = self._busy(overview)  # this reading: its message is not handled yet
                await self._pause(services.database_interval if busy else services.idle_interval)

    async def _ask_the_advisor(self) -> None:
        """Every ``ADVICE_EVERY`` seconds: the advisor's verdict and the next scheduled run."""
        from thumper_tui.analytics.answers import current_advice
        from thumper_tui.store.engine import error_reason

        services = self.services
        now = time.monotonic()
        if services.engine is None or now - self._advised_at < ADVICE_EVERY:
            return
        self._advised_at = now
        try:
            advice = await services.shielded(
                current_advice(services.engine, services.settings, services.clock())
            )
        except Exception as exc:  # the overview's own reads report the database
            self.sub_title = f"advisor: {error_reason(exc)}"
            return
        self.post_message(AdviceRead(advice))

    def on_advice_read(self, message: AdviceRead) -> None:
        advice = message.advice
        text = f"advisor: {advice.action.value}"
        if advice.next_scheduled:
            text += f" · next scheduled run {moment(advice.next_scheduled)}"
        self.sub_title = text

    async def on_telemetry_sampled(self, message: TelemetrySampled) -> None:
        await self.query_one(Devices).show(message.gpus, message.host)

    def on_overview_read(self, message: OverviewRead) -> None:
        banner = self.query_one("#db-banner", Static)
        # Only the panels whose data changed are drawn again (all of them after an outage).
        previous = None if banner.display else self.overview
        overview = self.overview = message.overview
        banner.display = False

        def changed(*parts: str) -> bool:
            return previous is None or any(
                getattr(previous, part) != getattr(overview, part) for part in parts
            )

        if changed("run"):
            self.query_one(RunPanel).show(overview.run)
        self.query_one(ThroughputChart).show(overview.throughput, overview.run is not None)
        if changed("workers", "gpu_samples") or overview.workers:  # ages move on with the clock
            self.query_one(WorkersPanel).show(
                overview.workers, overview.gpu_samples, overview.taken_at
            )
        if changed("summary", "assignment_rate"):
            self.query_one(DatabasePanel).show(overview)
        if changed("alerts"):
            self.query_one(AlertsPanel).show(overview.alerts)

    @staticmethod
    def _busy(overview: Overview) -> bool:
        """Whether a run is active or a worker alive: then the panels change by the second."""
        active = overview.run is not None and overview.run.status not in ENDED_STATUSES
        return active or any(w.is_fresh(overview.taken_at) for w in overview.workers)

    def on_database_unreachable(self, message: DatabaseUnreachable) -> None:
        banner = self.query_one("#db-banner", Static)
        banner.update(
            f"database {self.database_label} unreachable: {message.reason} "
            f"(retrying in {message.retry_in:.0f} s)"
        )
        banner.display = True
        stale = self.overview.run if self.overview else None
        self.query_one(RunPanel).unknown("the database is unreachable", stale)
        if self.overview is None:
            self.query_one(DatabasePanel).update("no reading yet: the database is unreachable")

    def _reachable(self) -> bool:
        if self.overview is None or self.query_one("#db-banner", Static).display:
            self.notify("the database is not reachable right now", severity="error")
            return False
        return True

    def _worker_alive(self) -> bool:
        overview = self.overview
        return overview is not None and any(w.is_fresh(overview.taken_at) for w in overview.workers)

    def action_start_run(self) -> None:
        """Open the run dialog."""
        if self._reachable():
            summary = self.overview.summary if self.overview else None
            self.app.push_screen(RunDialog(summary), self._queue_run)

    async def _queue_run(self, choice: RunChoice | None) -> None:
        if choice is None or self.services.engine is None:
            return
        if nothing_to_do(choice, self.overview.summary if self.overview else None):
            self.notify("nothing to process: every image is done", severity="warning")
            return
        await queue_and_serve(
            self,
            self.services,
            choice.kind,
            choice.clear_mode,
            RunTrigger.MANUAL,
            worker_alive=self._worker_alive(),
        )
        self._refresh.set()

    async def action_start_worker(self) -> None:
        """Start ``thumper worker --detach`` unless one is running already."""
        await start_worker(self, self.services)
        self._refresh.set()

    def _active(self, doing: str) -> RunView | None:
        """The active run, or None after saying why there is none to ``doing``."""
        if not self._reachable():
            return None
        run = self.overview.run if self.overview else None
        if run is None:
            self.notify(f"no run to {doing}: r starts one", severity="warning")
            return None
        if run.status in ENDED_STATUSES:
            self.notify(
                f"run {run.id} is {run.status}: nothing to {doing} (r starts another)",
                severity="warning",
            )
            return None
        return run

    async def action_toggle_pause(self) -> None:
        """Pause the active run, or resume it when paused."""
        run = self._active("pause or resume")
        if run is None:
            return
        action = "resume" if run.status == "paused" else "pause"
        await self._request(run.id, action)
        if action == "resume" and not self._worker_alive():
            await self.action_start_worker()

    def action_cancel_run(self) -> None:
        """Cancel the active run after a confirmation."""
        run = self._active("cancel")
        if run is None:
            return
        done = run.done + run.failed

        async def answered(yes: bool | None) -> None:
            if yes:
                await self._request(run.id, "cancel")

        self.app.push_screen(
            ConfirmScreen(
                f"Cancel run {run.id}? {done:,} of {run.total:,} images are handled and stay "
                "handled; the rest wait for the next run.",
                yes="Cancel the run",
                no="Keep it running",
            ),
            answered,
        )

    async def _request(self, run_id: int, action: str) -> None:
        from thumper_tui.engine.runs import request

        assert self.services.engine is not None
        status = await attempt(
            self, f"{action} run {run_id}", request(self.services.engine, run_id, action)
        )
        if status is not None:
            self.notify(f"run {run_id} {status}")
            self._refresh.set()
