"""The dashboard drawn at 80x24 and 120x40: no GPU, one GPU busy mid-run, database unreachable.

Every row the screen shows sits at a fixed time and the app's clock is pinned to it, so the
screen is the same on every run. Update after a deliberate change with
``pytest tests/test_dashboard_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import run_async
from tests.dashboard_app import make_app, until
from tests.fake_nvml import FakeNvml
from tests.ranch_state import seed_images, seed_mid_run
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.ui.screens.dashboard import DashboardScreen
from thumper_tui.ui.widgets.telemetry.devices import Devices

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SnapCompare = Callable[..., bool]


def _seed(url: str, seed: Callable[[Any], Awaitable[Any]]) -> None:
    async def run() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        await seed(engine)
        await engine.dispose()

    run_async(run)


def _settled(wait_for_data: bool = True) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app

        def ready() -> bool:
            screen = app.screen
            if not isinstance(screen, DashboardScreen) or not screen.query_one(Devices).children:
                return False
            if wait_for_data:  # the overview, and the advisor's verdict in the header
                return screen.overview is not None and bool(screen.sub_title)
            return bool(screen.query_one("#db-banner").display)

        await until(pilot, ready)
        await pilot.pause(0.3)

    return run_before


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A relative SQLite URL, so the path printed on screen is the same in every run."""
    monkeypatch.chdir(tmp_path)
    return "sqlite:///thumper.db"


@pytest.mark.parametrize("size", SIZES)
def test_no_gpu(snap_compare: SnapCompare, in_tmp: str, size: tuple[int, int]) -> None:
    _seed(in_tmp, lambda engine: seed_images(engine, 24))
    app = make_app(in_tmp)  # the fake NVML reports a missing driver library
    assert snap_compare(app, terminal_size=size, run_before=_settled())


@pytest.mark.parametrize("size", SIZES)
def test_one_gpu_busy_mid_run(
    snap_compare: SnapCompare, in_tmp: str, size: tuple[int, int]
) -> None:
    _seed(in_tmp, seed_mid_run)
    app = make_app(in_tmp, nvml=FakeNvml())
    assert snap_compare(app, terminal_size=size, run_before=_settled())


@pytest.mark.parametrize("size", SIZES)
def test_database_unreachable(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    # Port 1 on this host: connection refused at once, the same words every time.
    app = make_app("postgresql://postgres@127.0.0.1:1/thumper", retry_base=30)
    assert snap_compare(app, terminal_size=size, run_before=_settled(wait_for_data=False))
