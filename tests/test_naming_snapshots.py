"""The profiles screen drawn at 80x24 and 120x40 with a real photo (half-block renderer, as
over plain SSH), and the duplicates and unplaced screens at 120x40.

The herd is seeded at known photo times, each photo a copy of one real camera-trap frame, and
the clock pinned, so the screens are the same on every run. Update after a deliberate change
with ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot

from tests.conftest import run_async
from tests.dashboard_app import make_app, until
from tests.photo_herd import idle, opened, photo_herd, shown
from thumper_tui.naming.decisions import set_notes
from thumper_tui.naming.names import set_name
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Deer, Detection
from thumper_tui.ui.screens.duplicates import DuplicatesScreen
from thumper_tui.ui.screens.unplaced import UnplacedScreen

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def herd(tmp_path: Path) -> str:
    """Six does over three days, two named (one oddly), one with notes; a stray like #2."""
    url = f"sqlite:///{tmp_path / 'thumper.db'}"

    async def run() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        ids = await photo_herd(engine, tmp_path / "photos", [3, 2, 1], unplaced_per_day=0)
        await set_name(engine, ids[1], "Faline")
        await set_name(engine, ids[3], "[bold red]Bambi[/]")
        await set_notes(engine, ids[0], "white throat; limps on the left")
        async with engine.begin() as conn:
            proto = await conn.scalar(select(Deer.prototype).where(Deer.id == ids[1]))
            stray = await conn.scalar(select(Detection.id).where(Detection.deer_id == ids[5]))
            await conn.execute(
                update(Detection).where(Detection.id == stray)
                .values(deer_id=None, embedding=proto, embedding_version="thumper-reid-v2")
            )  # fmt: skip
        await engine.dispose()

    run_async(run)
    return url


def profiles_shown() -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await shown(pilot)
        await pilot.pause(0.3)

    return run_before


def screen_read(key: str, kind: type[Any]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        screen = await opened(pilot, key, kind)
        await until(pilot, lambda: idle(screen))
        await pilot.pause(0.3)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_profiles_screen(snap_compare: Callable[..., bool], herd: str, size: Any) -> None:
    app = make_app(herd, photos="halfblock")
    assert snap_compare(app, terminal_size=size, run_before=profiles_shown())


def test_duplicates_screen(snap_compare: Callable[..., bool], herd: str) -> None:
    app = make_app(herd, photos="halfblock")
    assert snap_compare(app, terminal_size=(120, 40), run_before=screen_read("5", DuplicatesScreen))


def test_unplaced_screen(snap_compare: Callable[..., bool], herd: str) -> None:
    app = make_app(herd, photos="halfblock")
    assert snap_compare(app, terminal_size=(120, 40), run_before=screen_read("6", UnplacedScreen))
