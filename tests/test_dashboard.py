"""The dashboard under Textual's pilot: every binding and dialog, on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.app import App
from textual.command import CommandPalette
from textual.widget import Widget
from textual.widgets import DataTable, Label, OptionList

from tests.conftest import create_pg_database, drop_pg_database
from tests.dashboard_app import make_app, until
from tests.fake_nvml import FakeGpu, FakeNvml
from tests.ranch_state import NOW, seed_images, seed_mid_run
from thumper_tui.engine import daemon
from thumper_tui.engine.runs import active_run, get_run
from thumper_tui.store.models import Worker
from thumper_tui.ui.screens.confirm import ConfirmScreen
from thumper_tui.ui.screens.dashboard import DashboardScreen
from thumper_tui.ui.screens.help import HelpScreen
from thumper_tui.ui.screens.run_dialog import RunDialog
from thumper_tui.ui.widgets.fleet.alerts_panel import AlertsPanel
from thumper_tui.ui.widgets.fleet.database_panel import DatabasePanel
from thumper_tui.ui.widgets.fleet.workers_panel import WorkersPanel
from thumper_tui.ui.widgets.run.run_panel import RunPanel
from thumper_tui.ui.widgets.run.throughput_chart import ThroughputChart
from thumper_tui.ui.widgets.telemetry.gpu_panel import GpuPanel
from thumper_tui.ui.widgets.telemetry.history import HistoryBar
from thumper_tui.ui.widgets.telemetry.host_panel import HostPanel

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it


def _text(widget: Widget) -> str:
    return str(widget.render())


def _dashboard(app: App[None]) -> DashboardScreen:
    screen = app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


async def _fresh_worker(engine: AsyncEngine) -> None:
    # A worker beating at NOW (the app's clock), so starting a run needs no new one.
    async with engine.begin() as conn:
        await conn.execute(
            insert(Worker).values(
                host="ranch-box", pid=4242, device="cpu", heartbeat_at=NOW, state="idle"
            )
        )


async def test_without_a_gpu_the_host_panel_says_why(database_url: str) -> None:
    from thumper_tui.telemetry.nvml import GpuSampler

    app = make_app(database_url, fixed=False)
    app.services.gpus = GpuSampler()  # this machine's real NVML: no driver here
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.query("HostPanel #no-gpu"))  # composed
        label = app.screen.query_one("#no-gpu", Label)
        await until(pilot, lambda: "no NVIDIA GPU:" in _text(label))
        assert not app.screen.query(GpuPanel)


async def test_two_gpus_each_get_a_panel_with_history(database_url: str) -> None:
    nvml = FakeNvml([FakeGpu(util=90), FakeGpu(name="NVIDIA L4", util=10)])
    app = make_app(database_url, nvml=nvml, telemetry_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: len(app.screen.query(GpuPanel)) == 2)
        first, second = app.screen.query(GpuPanel)
        assert "NVIDIA H200" in str(first.border_title)
        assert "NVIDIA L4" in str(second.border_title)
        util = first.query_one("#util", HistoryBar)
        await until(pilot, lambda: len(util.history) >= 3)
        assert set(util.history) == {90.0}
        assert not app.screen.query(HostPanel)


async def test_a_run_mid_way_fills_every_panel(engine: AsyncEngine, database_url: str) -> None:
    run_id = await seed_mid_run(engine, stale_worker=True)
    app = make_app(database_url, nvml=FakeNvml())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = _dashboard(app)
        await until(pilot, lambda: screen.overview is not None)
        run = app.screen.query_one(RunPanel)
        assert str(run.border_title) == f"Run {run_id} · full, clear detections · running"
        counts = _text(run.query_one("#run-counts"))
        assert "620 done · 12 failed · 1,500 total" in counts
        assert "21/min" in counts and "ETA 41:12" in counts  # 868 left at 632 per 30 min
        assert "detect 75%" in _text(run.query_one("#run-stages"))
        table = app.screen.query_one(WorkersPanel)
        assert isinstance(table, DataTable) and table.row_count == 2
        assert [table.get_row_at(i)[4] for i in range(2)] == ["processing", "stale"]
        db = _text(app.screen.query_one(DatabasePanel))
        assert "images 1,500: 620 done · 868 pending" in db and "900 detections" in db
        alerts = _text(app.screen.query_one(AlertsPanel))
        assert "barn-pc:777 went quiet 5 min ago (press w to start a worker)" in alerts
        chart = app.screen.query_one(ThroughputChart)
        assert len(chart._points) >= 50


async def test_r_enter_enter_starts_an_incremental_run(
    engine: AsyncEngine, database_url: str
) -> None:
    await seed_images(engine, 5)
    await _fresh_worker(engine)
    app = make_app(database_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _dashboard(app).overview is not None)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunDialog))
        await pilot.press("enter")
        assert "Process 5 new or failed images" in _text(app.screen.query_one("#consequence"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.pause(0.3)
    run = await active_run(engine)
    assert run is not None and (run.kind, run.clear_mode, run.trigger) == (
        "incremental",
        "none",
        "manual",
    )
    assert daemon.running_pid() is None  # a fresh worker existed: none was started


async def test_the_run_dialog_offers_full_runs_and_backs_out(
    engine: AsyncEngine, database_url: str
) -> None:
    await seed_images(engine, 7, status="done")
    app = make_app(database_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _dashboard(app).overview is not None)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunDialog))
        await pilot.press("down", "down", "enter")
        text = _text(app.screen.query_one("#consequence"))
        assert "Redo all 7 images and rebuild the profiles" in text
        await pilot.press("escape")  # back to the choices
        assert app.screen.query_one(OptionList).has_focus
        await pilot.press("up", "enter")  # the highlight stayed on "clear all"
        assert "Redo detection and re-identification on all 7" in _text(
            app.screen.query_one("#consequence")
        )
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, DashboardScreen)
    assert await active_run(engine) is None


async def test_p_pauses_and_resumes_and_c_cancels_after_asking(
    engine: AsyncEngine, database_url: str
) -> None:
    run_id = await seed_mid_run(engine)
    app = make_app(database_url)

    async def status() -> str:
        run = await get_run(engine, run_id)
        assert run is not None
        return run.status

    async with app.run_test(size=(120, 40)) as pilot:
        screen = _dashboard(app)
        await until(pilot, lambda: screen.overview is not None)
        await pilot.press("p")
        await pilot.pause(0.2)
        assert await status() == "paused"
        await until(pilot, lambda: screen.overview and screen.overview.run.status == "paused")
        await pilot.press("p")
        await pilot.pause(0.2)
        assert await status() == "running"
        await until(pilot, lambda: screen.overview and screen.overview.run.status == "running")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        assert await status() == "running"
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")
        await pilot.pause(0.3)
    assert await status() == "cancelled"


async def test_w_starts_a_detached_worker(database_url: str) -> None:
    app = make_app(database_url, fixed=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: _dashboard(app).overview is not None)
            await pilot.press("w")
            await until(pilot, lambda: daemon.running_pid() is not None)
            screen = _dashboard(app)
            await until(
                pilot,
                lambda: screen.overview and any(w.pid for w in screen.overview.workers),
                within=60,
            )
            assert screen.overview is not None
            assert screen.overview.workers[0].pid == daemon.running_pid()
    finally:
        daemon.stop()


async def test_help_palette_and_screen_keys(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'thumper.db'}")
    async with app.run_test(size=(120, 40)) as pilot:
        for key in ("f1", "question_mark"):
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        for key in ("colon", "ctrl+p"):
            await pilot.press(key)
            await until(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in (
            "Start a run",
            "Pause or resume the run",
            "Cancel the run",
            "Start a worker",
            "Dashboard",
            "Help",
            "Theme: thumper-256",
            "Theme: thumper-dark",
            "Theme: thumper-light",
            "Quit",
        ):
            assert wanted in titles
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("1")
        assert isinstance(app.screen, HelpScreen)  # help keeps its keys; Escape closes it
        await pilot.press("escape", "1")
        assert isinstance(app.screen, DashboardScreen)


async def test_a_theme_chosen_in_the_palette_is_remembered(
    isolated_home: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    app = make_app(url)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "thumper-dark"
        await pilot.press("colon")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"thumper-light")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "thumper-light")
    state = json.loads((isolated_home / "state" / "thumper" / "ui.json").read_text())
    assert state == {"theme": "thumper-light", "config_theme": "thumper-dark"}
    again = make_app(url)
    async with again.run_test(size=(120, 40)):
        assert again.theme == "thumper-light"
    config = isolated_home / "config" / "thumper" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('theme = "thumper-256"\n')  # changed in the config since: the config wins
    third = make_app(url)
    async with third.run_test(size=(120, 40)):
        assert third.theme == "thumper-256"


async def test_an_unreachable_database_is_shown_and_retried(tmp_path: Path) -> None:
    blocker = tmp_path / "ranch"
    blocker.write_text("a file where the database folder should be")
    app = make_app(f"sqlite:///{blocker / 'thumper.db'}", retry_base=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        banner = app.screen.query_one("#db-banner")
        await until(pilot, lambda: banner.display)
        assert "unreachable:" in _text(banner) and "retrying in" in _text(banner)
        await pilot.press("r")  # refused with a message, nothing breaks
        assert isinstance(app.screen, DashboardScreen)
        blocker.unlink()
        blocker.mkdir()
        await until(pilot, lambda: not banner.display, within=30)
        assert "images 0" in _text(app.screen.query_one(DatabasePanel))


@pytest.mark.postgres
async def test_a_database_lost_mid_session_is_shown_and_reconnected(pg_server: str) -> None:
    url = create_pg_database("thumper_dash")
    try:
        app = make_app(url, retry_base=0.2)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = _dashboard(app)
            await until(pilot, lambda: screen.overview is not None)
            banner = app.screen.query_one("#db-banner")
            assert not banner.display
            drop_pg_database(url)  # every connection is cut, the database is gone
            await until(pilot, lambda: banner.display)
            assert "unreachable:" in _text(banner)
            create_pg_database(name=url.rsplit("/", 1)[1])  # back, empty: schema made again
            await until(pilot, lambda: not banner.display, within=40)
            assert "images 0" in _text(app.screen.query_one(DatabasePanel))
    finally:
        drop_pg_database(url)


async def test_80x24_still_shows_every_panel(engine: AsyncEngine, database_url: str) -> None:
    await seed_mid_run(engine)
    app = make_app(database_url, nvml=FakeNvml())
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: _dashboard(app).overview is not None)
        await until(pilot, lambda: app.screen.query(GpuPanel))
        await pilot.pause(0.2)
        for widget in (
            app.screen.query_one(GpuPanel),
            app.screen.query_one(ThroughputChart),
            app.screen.query_one(RunPanel),
            app.screen.query_one(WorkersPanel),
            app.screen.query_one(DatabasePanel),
            app.screen.query_one(AlertsPanel),
        ):
            region = widget.region
            assert region.height >= 3, widget
            assert region.y >= 1 and region.bottom <= 23, (widget, region)


async def test_the_dashboard_reads_seldom_under_another_screen(
    engine: AsyncEngine, database_url: str
) -> None:
    from thumper_tui.ui.screens.profiles import ProfilesScreen

    await seed_images(engine, 4)
    app = make_app(database_url, database_interval=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.overview)
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        seen = dashboard.overview
        await until(pilot, lambda: dashboard.overview is not seen)  # every 0.1 s while shown
        await pilot.press("4")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        await pilot.pause(0.5)  # let a read begun before the switch land
        hidden = dashboard.overview
        for _ in range(10):  # a second that would hold ten reads on the dashboard
            await pilot.pause(0.1)
        assert dashboard.overview is hidden
        await pilot.press("1")
        await until(pilot, lambda: dashboard.overview is not hidden, within=5)  # at once, not 30 s
