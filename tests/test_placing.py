"""Taking a detection out of a profile, placing an unplaced one, founding a profile with it,
and correcting a whole profile's category: each recorded, each undone, on SQLite and
PostgreSQL."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import run_async
from tests.helpers import ok, run_cli, run_json
from tests.herd_weeks import seed_days
from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.naming.audit import undo
from thumper_tui.naming.corrections import correct_profile
from thumper_tui.naming.decisions import take_out
from thumper_tui.naming.names import NamingError
from thumper_tui.naming.unplaced import found_profile, list_unplaced, nearest_profiles
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Deer, Detection
from thumper_tui.vocabulary.codec import vector_from_bytes, vector_to_bytes


async def seeded(engine: AsyncEngine, per_day: list[int], **options: int) -> list[int]:
    """Profiles as :func:`seed_days` makes them, their counts recounted from their detections."""
    ids = await seed_days(engine, per_day, **options)
    async with engine.begin() as conn:
        await refresh_profiles(conn, ids)
    return ids


async def holdings(engine: AsyncEngine) -> dict[int, tuple[object, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Detection.id, Detection.deer_id, Detection.verified, Detection.corrected_category
            )
        )
        return {r.id: tuple(r[1:]) for r in rows}


async def sightings(engine: AsyncEngine) -> dict[int, tuple[object, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Deer.id, Deer.sightings, Deer.category, Deer.status))
        return {r.id: tuple(r[1:]) for r in rows}


async def test_take_out_keeps_it_unplaced_and_undo_puts_it_back(engine: AsyncEngine) -> None:
    a, _, c = await seeded(engine, [2, 1], placed_per_day=2, unplaced_per_day=0)
    start, counts = await holdings(engine), await sightings(engine)
    shot = next(d for d, (deer, *_) in sorted(start.items()) if deer == a)
    async with engine.begin() as conn:
        await conn.execute(update(Deer).where(Deer.id == a).values(primary_detection_id=shot))

    assert await take_out(engine, shot) == a
    assert (await holdings(engine))[shot] == (None, True, None)  # a human's "in no profile"
    assert (await sightings(engine))[a][0] == counts[a][0] - 1
    async with engine.connect() as conn:  # the profile's photo was that detection: none now
        assert await conn.scalar(select(Deer.primary_detection_id).where(Deer.id == a)) is None
    [out] = await list_unplaced(engine)
    assert out.id == shot and out.taken_out and out.as_json()["taken_out"] is True
    with pytest.raises(NamingError, match="is in no profile"):
        await take_out(engine, shot)

    assert (await undo(engine)).action == "take_out"
    assert await holdings(engine) == start and (await sightings(engine))[a] == counts[a]
    async with engine.connect() as conn:  # and it is the profile's photo again
        assert await conn.scalar(select(Deer.primary_detection_id).where(Deer.id == a)) == shot
    assert counts[c][0] == 1
    alone = next(d for d, (deer, *_) in start.items() if deer == c)
    with pytest.raises(NamingError, match="is all of profile"):
        await take_out(engine, alone)


async def test_an_unplaced_deer_beside_its_nearest_profiles_founds_one(
    engine: AsyncEngine,
) -> None:
    a, b, *_ = await seeded(engine, [3], unplaced_per_day=1)
    [stray] = await list_unplaced(engine)
    async with engine.begin() as conn:  # the stray looks most like b, then a
        protos = dict((await conn.execute(select(Deer.id, Deer.prototype))).all())
        near_b = vector_from_bytes(protos[b]) * 0.9 + vector_from_bytes(protos[a]) * 0.3
        await conn.execute(
            update(Detection)
            .where(Detection.id == stray.id)
            .values(embedding=vector_to_bytes(near_b), embedding_version="thumper-reid-v2")
        )
    nearest = await nearest_profiles(engine, stray.id, 2)
    assert [n.profile for n in nearest] == [b, a]
    assert nearest[0].likeness > nearest[1].likeness and np.isfinite(nearest[0].likeness)

    new = await found_profile(engine, stray.id)
    assert (await holdings(engine))[stray.id] == (new, True, None)
    assert (await sightings(engine))[new] == (1, "doe", "active")
    assert await list_unplaced(engine) == []
    with pytest.raises(NamingError, match="is in profile"):
        await found_profile(engine, stray.id)
    assert (await undo(engine)).action == "found"
    assert new not in await sightings(engine)  # the founded profile goes with its detection
    assert [u.id for u in await list_unplaced(engine)] == [stray.id]


async def test_a_whole_profile_is_corrected_in_one_decision(engine: AsyncEngine) -> None:
    a, *_ = await seeded(engine, [2, 1])
    start = await holdings(engine)
    mine = [d for d, (deer, *_) in start.items() if deer == a]
    assert await correct_profile(engine, a, "buck") == len(mine)
    now = await holdings(engine)
    assert all(now[d][2] == "buck" for d in mine)
    assert (await sightings(engine))[a][1] == "buck"  # the profile follows its detections
    assert await correct_profile(engine, a, "buck") == 0  # nothing left to change
    assert (await undo(engine)).action == "correct_profile"  # the empty one
    assert (await undo(engine)).action == "correct_profile"
    assert await holdings(engine) == start and (await sightings(engine))[a][1] == "doe"
    with pytest.raises(NamingError, match="a deer is"):
        await correct_profile(engine, a, "moose")


def test_take_out_found_and_correct_from_the_command_line(database_url: str) -> None:
    async def seed() -> list[int]:
        engine = make_engine(database_url)
        await upgrade(engine)
        ids = await seeded(engine, [2, 1], unplaced_per_day=0)
        await engine.dispose()
        return ids

    a, *_ = run_async(seed)
    shown = run_json("profile", "show", str(a), database_url=database_url)
    shot = shown["photos"][0]["detection"]
    assert ok("take-out", str(shot), url=database_url).startswith(
        f"detection {shot} taken out of profile {a}"
    )
    [stray] = run_json("unplaced", database_url=database_url)
    assert stray["id"] == shot and stray["taken_out"] is True
    assert "new profile" in ok("found", str(shot), url=database_url)
    assert ok("correct", "--profile", str(a), "fawn", url=database_url).startswith(
        f"profile {a}: fawn"
    )
    assert run_json("profile", "show", str(a), database_url=database_url)["category"] == "fawn"
    missing = run_cli("take-out", "999999", database_url=database_url)
    assert missing.exit_code == 1 and "no detection 999999" in missing.output
