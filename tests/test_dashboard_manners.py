"""The dashboard says what it means: finished runs, nothing to process, an unreachable
database, a help screen taller than the terminal, sparklines on a fixed scale, screenshots
that land somewhere a server has, and a theme that does not exist."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.containers import VerticalScroll
from textual.widgets import Button, Sparkline

from tests.dashboard_app import make_app, until
from tests.helpers import run_cli
from tests.ranch_state import seed_images, seed_mid_run
from thumper_tui.engine.runs import active_run, get_run, list_runs
from thumper_tui.store.models import Run
from thumper_tui.ui.screens.dashboard import DashboardScreen
from thumper_tui.ui.screens.help import CLOSE_HINT, HelpScreen
from thumper_tui.ui.screens.run_dialog import RunDialog
from thumper_tui.ui.widgets.run.run_panel import RunPanel
from thumper_tui.ui.widgets.telemetry.history import HistoryBar

pytestmark = pytest.mark.slow  # real Textual apps on real databases


def _drawn(sparkline: Sparkline) -> str:
    console = Console(
        width=sparkline.size.width, file=io.StringIO(), color_system=None, record=True
    )
    console.print(sparkline.render())
    return console.export_text()


def _said(app: Any, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


async def test_c_and_p_on_a_finished_run_say_it_is_finished(
    engine: AsyncEngine, database_url: str
) -> None:
    run_id = await seed_mid_run(engine)
    async with engine.begin() as conn:
        await conn.execute(update(Run).where(Run.id == run_id).values(status="done"))
    app = make_app(database_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await until(pilot, lambda: screen.overview is not None and screen.overview.run)
        await pilot.press("c")
        await until(pilot, lambda: _said(app, f"run {run_id} is done: nothing to cancel"))
        await pilot.press("p")
        await until(pilot, lambda: _said(app, f"run {run_id} is done: nothing to pause"))
        assert isinstance(app.screen, DashboardScreen)  # no confirmation was asked
    run = await get_run(engine, run_id)
    assert run is not None and run.status == "done"


async def test_r_with_every_image_done_says_nothing_to_process(
    engine: AsyncEngine, database_url: str
) -> None:
    await seed_images(engine, 4, status="done")
    app = make_app(database_url)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await until(pilot, lambda: screen.overview is not None)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunDialog))
        await pilot.press("enter")  # incremental
        dialog = app.screen
        assert "Nothing to process: every image is done" in str(
            dialog.query_one("#consequence").render()
        )
        assert dialog.query_one("#start", Button).disabled
        await pilot.press("enter")  # on Back: to the choices, nothing queued
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
    assert await active_run(engine) is None and await list_runs(engine) == []


async def test_an_unreachable_database_never_reads_as_no_active_run(tmp_path: Path) -> None:
    blocker = tmp_path / "ranch"
    blocker.write_text("a file where the database folder should be")
    app = make_app(f"sqlite:///{blocker / 'thumper.db'}", retry_base=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.screen.query_one(RunPanel)
        counts = panel.query_one("#run-counts")
        await until(pilot, lambda: "Run state unknown" in str(counts.render()))
        assert "No active run" not in str(counts.render())
        assert panel.border_title == "Run · unknown"


async def test_help_scrolls_at_80x24_and_says_escape_closes_it(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'thumper.db'}")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        scroll = app.screen.query_one(VerticalScroll)
        await until(pilot, lambda: scroll.max_scroll_y > 0)  # taller than the terminal
        assert scroll.border_subtitle == CLOSE_HINT and "Esc closes" in CLOSE_HINT
        await pilot.press("pagedown")
        await until(pilot, lambda: scroll.scroll_y > 0)
        await pilot.press("j")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_cpu_history_is_drawn_on_a_fixed_0_to_100_scale(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'thumper.db'}")
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one("#cpu", HistoryBar)
        for _ in range(30):
            bar.record(2.0)
        await pilot.pause()
        low = _drawn(bar.query_one(Sparkline))
        assert "█" not in low and "▁" in low  # 2% is a low bar, not a full one
        for _ in range(30):
            bar.record(100.0)
        await pilot.pause()
        assert "█" in _drawn(bar.query_one(Sparkline))


async def test_a_screenshot_lands_in_the_state_folder_and_says_where(
    isolated_home: Path, tmp_path: Path
) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'thumper.db'}")
    async with app.run_test(size=(80, 24)) as pilot:
        saved = app.deliver_screenshot()
        assert saved is not None
        await until(pilot, lambda: _said(app, f"screenshot saved: {saved}"))
    shot = Path(saved)
    assert shot.parent == isolated_home / "state" / "thumper" / "screenshots"
    assert (await asyncio.to_thread(shot.read_text, encoding="utf-8")).startswith("<svg")


async def test_an_unknown_theme_is_a_notice_in_the_dashboard(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'thumper.db'}", theme="no-such-theme")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: _said(app, "unknown theme 'no-such-theme' in the config"))
        assert app.theme == "thumper-dark"


def test_an_unknown_theme_is_an_error_in_config_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THUMPER_THEME", "no-such-theme")
    result = run_cli("config", "show")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("thumper: config error: theme 'no-such-theme' does not exist")
    assert "thumper-dark" in line and "[env (THUMPER_THEME)]" in line
    monkeypatch.setenv("THUMPER_THEME", "nord")  # Textual's own themes are themes too
    assert run_cli("config", "show").exit_code == 0


def test_the_textual_themes_named_headlessly_are_textuals() -> None:
    from textual.theme import BUILTIN_THEMES

    from thumper_tui.config.themes import TEXTUAL_THEMES

    assert set(BUILTIN_THEMES) == TEXTUAL_THEMES


async def test_an_idle_dashboard_reads_the_database_less_often(
    engine: AsyncEngine, database_url: str
) -> None:
    from thumper_tui.engine.runs import queue_run

    await seed_images(engine, 3)
    app = make_app(database_url, database_interval=0.1, idle_interval=60)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        await until(pilot, lambda: screen.overview is not None)
        await pilot.pause(0.3)  # a read begun at the start lands
        idle = screen.overview
        for _ in range(10):  # a second that holds ten reads while busy
            await pilot.pause(0.1)
        assert screen.overview is idle  # no run, no worker: no read for a minute
        await queue_run(engine, "incremental")
        await pilot.press("r", "escape")  # any action reads at once
        await until(pilot, lambda: screen.overview is not idle and screen.overview.run)
        busy = screen.overview
        await until(pilot, lambda: screen.overview is not busy, within=2)  # queued: every 0.1 s
