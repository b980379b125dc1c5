"""The readiness and runs screens: keys only (pilot), and drawn at 80x24 and 120x40.

The herd is seeded at known photo times and the app's clock pinned, so the screens are the
same on every run. Update after a deliberate change with ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Markdown

from tests.conftest import run_async
from tests.dashboard_app import make_app, until
from tests.helpers import eventually_async
from tests.herd_weeks import START, at_noon, current_recipe, finish_run, seed_days, settings_for
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Run, Worker
from thumper_tui.ui.screens.confirm import ConfirmScreen
from thumper_tui.ui.screens.readiness import ReadinessScreen
from thumper_tui.ui.screens.report import ReportScreen
from thumper_tui.ui.screens.runs import RunsScreen
from thumper_tui.ui.widgets.readiness.checklist import Checklist
from thumper_tui.ui.widgets.runs.advice_panel import AdvicePanel
from thumper_tui.ui.widgets.runs.run_detail import RunDetail
from thumper_tui.ui.widgets.runs.run_table import RunTable

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
NOW = at_noon(START + timedelta(days=21))  # the Monday after three weeks of photos
NUDGED = {"reid_threshold": 0.9}  # the runs were made at 0.8: a full reprocess is due


async def seed(engine: AsyncEngine, url: str) -> None:
    """Three weeks of a settling herd, a full run and an incremental one, a fresh worker."""
    await seed_days(engine, [5, 5, 5, 5, 5, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
    recipe = replace(current_recipe(settings_for(url)), model_path="/srv/models/demo.pt")
    # 28 photos in a minute: the pace the advisor's estimate uses.
    await finish_run(engine, recipe, at_noon(START + timedelta(days=13)), images=28)
    await finish_run(
        engine, recipe, at_noon(START + timedelta(days=20)), kind="incremental", images=7
    )
    async with engine.begin() as conn:
        await conn.execute(
            insert(Worker).values(
                host="ranch-box", pid=4242, device="cpu", heartbeat_at=NOW, state="idle"
            )
        )


def seeded(url: str) -> None:
    async def run() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        await seed(engine, url)
        await engine.dispose()

    run_async(run)


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A relative SQLite URL, so the path printed on screen is the same in every run."""
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///thumper.db"
    seeded(url)
    return url


def showing(key: str, kind: type[Any]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.press(key)
        await until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.view)
        await pilot.pause(0.3)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_readiness_screen(snap_compare: Callable[..., bool], in_tmp: str, size: Any) -> None:
    app = make_app(in_tmp, now=NOW, **NUDGED)
    assert snap_compare(app, terminal_size=size, run_before=showing("2", ReadinessScreen))


@pytest.mark.parametrize("size", SIZES)
def test_runs_screen(snap_compare: Callable[..., bool], in_tmp: str, size: Any) -> None:
    app = make_app(in_tmp, now=NOW, **NUDGED)
    assert snap_compare(app, terminal_size=size, run_before=showing("3", RunsScreen))


async def test_keys_through_readiness_runs_advice_and_the_report(
    engine: AsyncEngine, database_url: str
) -> None:
    await seed(engine, database_url)
    app = make_app(database_url, now=NOW, **NUDGED)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await until(pilot, lambda: isinstance(app.screen, ReadinessScreen) and app.screen.view)
        checklist = str(app.screen.query_one(Checklist).render())
        assert "FAIL No reprocess due" in checklist and "PASS Stable count" in checklist
        assert "31 → 31 → 32 profiles" in checklist

        await pilot.press("3")
        await until(pilot, lambda: isinstance(app.screen, RunsScreen) and app.screen.view)
        table = app.screen.query_one(RunTable)
        assert [r.id for r in table.runs] == [2, 1]
        assert "Run 2: recipe" in str(app.screen.query_one(RunDetail).border_title)
        await pilot.press("j")
        await until(pilot, lambda: "Run 1" in str(app.screen.query_one(RunDetail).border_title))
        advice = str(app.screen.query_one(AdvicePanel).render())
        assert "full" in advice and "re-ID threshold 0.8 → 0.9" in advice

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        report = app.screen.query_one(Markdown)
        assert "Thumper weekly report 2026-W44" in report.source
        await pilot.press("escape")

        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = app.screen._question  # type: ignore[attr-defined]
        assert "Start a reid-only run (clear mode all) of 21 photos?" in question
        assert "How long: about 0:45 at this ranch's pace" in question
        assert "re-ID threshold 0.8 → 0.9" in question
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, RunsScreen))

        async def queued() -> Any:
            async with engine.connect() as conn:
                query = select(Run.kind, Run.clear_mode, Run.trigger).where(Run.id == 3)
                return (await conn.execute(query)).first()

        row = await eventually_async(queued, what="the advised run", wait=pilot.pause)
        assert row is not None and tuple(row) == ("reid-only", "all", "advisor")
        await pilot.press("1")
        await until(pilot, lambda: app.screen.id == "dashboard")
