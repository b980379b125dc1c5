"""A human's merge and split, and their undo, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import run_cli
from tests.herd_weeks import seed_days
from thumper_tui.naming.audit import undo
from thumper_tui.naming.decisions import mark_not_same
from thumper_tui.naming.names import NamingError
from thumper_tui.naming.regroup import merge_profiles, split_profile
from thumper_tui.store.models import Deer, Detection, NotSameDeer


async def snapshot(engine: AsyncEngine) -> tuple[list[tuple[object, ...]], ...]:
    async with engine.connect() as conn:
        deer = (
            await conn.execute(
                select(
                    Deer.id, Deer.name, Deer.notes, Deer.status, Deer.merged_into,
                    Deer.primary_detection_id, Deer.exemplars,
                ).order_by(Deer.id)
            )
        ).all()  # fmt: skip
        detections = (
            await conn.execute(
                select(Detection.id, Detection.deer_id, Detection.verified).order_by(Detection.id)
            )
        ).all()
        pairs = (await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))).all()
    return [tuple(r) for r in deer], [tuple(r) for r in detections], sorted(map(tuple, pairs))


async def owned(engine: AsyncEngine, deer: int) -> list[int]:
    async with engine.connect() as conn:
        return list(
            await conn.scalars(
                select(Detection.id).where(Detection.deer_id == deer).order_by(Detection.id)
            )
        )


async def test_a_merge_moves_everything_and_undo_puts_it_back(engine: AsyncEngine) -> None:
    a, b, c, *_ = await seed_days(engine, [2, 2])
    async with engine.begin() as conn:
        await conn.execute(update(Deer).where(Deer.id == b).values(name="Bambi", notes="limps"))
        await conn.execute(update(Deer).where(Deer.id == a).values(notes="white throat"))
    await mark_not_same(engine, b, c)
    start = await snapshot(engine)
    moving = await owned(engine, b)

    assert await merge_profiles(engine, b, a) == len(moving)
    deer, detections, pairs = await snapshot(engine)
    rows = {r[0]: r for r in deer}
    assert rows[a][1:3] == ("Bambi", "white throat / limps")  # the unnamed survivor takes it
    assert rows[b][3:5] == ("merged", a) and rows[b][1] is None
    assert all(d[1] == a and d[2] for d in detections if d[0] in moving)  # verified: kept
    assert (min(a, c), max(a, c)) in pairs  # the survivor takes on "not the same as c"
    with pytest.raises(NamingError, match="was merged into"):
        await merge_profiles(engine, b, c)
    with pytest.raises(NamingError, match="said to be different deer"):
        await merge_profiles(engine, c, a)

    assert (await undo(engine)).action == "merge"
    assert await snapshot(engine) == start


async def test_a_split_founds_another_deer_and_undo_takes_it_back(engine: AsyncEngine) -> None:
    a, *_ = await seed_days(engine, [1, 0, 0])
    start = await snapshot(engine)
    detections = await owned(engine, a)
    assert len(detections) >= 3
    new = await split_profile(engine, a, detections[:2])
    assert await owned(engine, new) == detections[:2]
    _, rows, pairs = await snapshot(engine)
    assert all(r[2] for r in rows if r[0] in detections[:2])
    assert pairs == [(min(a, new), max(a, new))]
    with pytest.raises(NamingError, match="nothing is left"):
        await split_profile(engine, a, detections[2:])
    with pytest.raises(NamingError, match="not in profile"):
        await split_profile(engine, a, [detections[0]])
    assert (await undo(engine)).action == "split"
    assert await snapshot(engine) == start
    # A split-off profile that was named since is the later change: undo that first.
    new = await split_profile(engine, a, detections[:1])
    async with engine.begin() as conn:
        await conn.execute(update(Deer).where(Deer.id == new).values(notes="a yearling"))
    with pytest.raises(NamingError, match="named, noted or merged"):
        await undo(engine, await _last_split(engine))


async def _last_split(engine: AsyncEngine) -> int:
    from thumper_tui.store.models import Audit

    async with engine.connect() as conn:
        found = await conn.scalar(
            select(Audit.id).where(Audit.action == "split").order_by(Audit.id.desc())
        )
    assert found is not None
    return int(found)


def test_merge_and_split_from_the_command_line(database_url: str) -> None:
    from tests.conftest import run_async

    profiles = run_async(lambda: _seeded(database_url))
    a, b = profiles[0], profiles[1]
    merged = run_cli("merge", str(b), str(a), database_url=database_url)
    assert merged.exit_code == 0 and merged.stdout.startswith(f"profile {b} merged into {a}")
    itself = run_cli("merge", str(a), str(a), database_url=database_url)
    assert itself.exit_code == 1 and "into itself" in itself.output
    missing = run_cli("split", str(a), "999999", database_url=database_url)
    assert missing.exit_code == 1 and "999999 not in profile" in missing.output


async def _seeded(url: str) -> list[int]:
    from thumper_tui.store.engine import make_engine
    from thumper_tui.store.migrate import upgrade

    engine = make_engine(url)
    try:
        await upgrade(engine)
        return await seed_days(engine, [2, 1])
    finally:
        await engine.dispose()
