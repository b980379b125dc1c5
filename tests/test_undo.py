"""The audit and undo of each kind of human decision, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import run_cli, run_json
from tests.herd_weeks import seed_days
from thumper_tui.naming.audit import history, undo
from thumper_tui.naming.corrections import correct_category
from thumper_tui.naming.decisions import mark_not_same, set_notes, set_primary, verify_detection
from thumper_tui.naming.names import NamingError, set_name
from thumper_tui.store.models import Deer, Detection, NotSameDeer


async def profile(engine: AsyncEngine, deer: int) -> tuple[object, ...]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(Deer.name, Deer.notes, Deer.primary_detection_id).where(Deer.id == deer)
            )
        ).one()
    return tuple(row)


async def detection(engine: AsyncEngine, detection_id: int) -> tuple[object, ...]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(Detection.deer_id, Detection.verified, Detection.corrected_category).where(
                    Detection.id == detection_id
                )
            )
        ).one()
    return tuple(row)


async def first_detection(engine: AsyncEngine, deer: int) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(Detection.id).where(Detection.deer_id == deer).order_by(Detection.id)
        )
    assert found is not None
    return int(found)


async def test_each_decision_is_undone_to_what_it_was(engine: AsyncEngine) -> None:
    a, b, *_ = await seed_days(engine, [2, 1])
    start_a, start_b = await profile(engine, a), await profile(engine, b)
    shot = await first_detection(engine, a)
    stray = await first_detection(engine, b)
    start_shot, start_stray = await detection(engine, shot), await detection(engine, stray)

    await set_name(engine, a, "Bambi")
    await set_name(engine, a, "Bambi Sr.")
    await set_notes(engine, a, "torn left ear")
    await set_primary(engine, a, shot)
    await correct_category(engine, shot, "buck")
    await verify_detection(engine, stray, a)
    await mark_not_same(engine, b, a)
    assert await profile(engine, a) != start_a and await detection(engine, stray) != start_stray

    undone = [(await undo(engine)).action for _ in range(7)]  # newest first
    assert undone == ["not_same", "verify", "correct", "primary", "note", "rename", "name"]
    assert await profile(engine, a) == start_a and await profile(engine, b) == start_b
    assert await detection(engine, shot) == start_shot
    assert await detection(engine, stray) == start_stray
    async with engine.connect() as conn:
        assert list(await conn.scalars(select(NotSameDeer.deer_a))) == []
    rows = await history(engine)
    assert [r.action for r in rows[:7]] == ["undo"] * 7
    assert all(r.undone_at is not None for r in rows[7:])
    with pytest.raises(NamingError, match="nothing to undo"):
        await undo(engine)


async def test_a_later_change_must_be_undone_first(engine: AsyncEngine) -> None:
    a, b, *_ = await seed_days(engine, [2])
    await set_name(engine, a, "Bambi")
    await set_name(engine, a, "Thumper")
    first = (await history(engine))[-1]
    with pytest.raises(NamingError, match="the name changed since \\(now 'Thumper'\\)"):
        await undo(engine, first.id)
    await undo(engine)  # Thumper -> Bambi
    await undo(engine, first.id)  # Bambi -> unnamed
    assert (await profile(engine, a))[0] is None
    with pytest.raises(NamingError, match="was undone already"):
        await undo(engine, first.id)
    # An old name another profile has taken meanwhile cannot come back.
    await set_name(engine, a, "Bambi")
    await set_name(engine, a, "Flounder")
    await set_name(engine, b, "Bambi")
    with pytest.raises(NamingError, match="taken by another live profile"):
        await undo(engine, (await history(engine))[1].id)
    assert (await profile(engine, a))[0] == "Flounder"


async def test_a_detection_a_reprocess_replaced_is_said_not_guessed(engine: AsyncEngine) -> None:
    a, *_ = await seed_days(engine, [1])
    shot = await first_detection(engine, a)
    await correct_category(engine, shot, "fawn")
    async with engine.begin() as conn:  # what a reprocess does to the old detection
        await conn.execute(delete(Detection).where(Detection.id == shot))
    with pytest.raises(NamingError, match=f"detection {shot} was replaced by a reprocess"):
        await undo(engine)
    with pytest.raises(NamingError, match="a deer is buck, doe, fawn, unknown"):
        await correct_category(engine, shot, "moose")


async def test_history_and_undo_from_the_command_line(
    engine: AsyncEngine, database_url: str
) -> None:
    a, *_ = await seed_days(engine, [1])
    shot = await first_detection(engine, a)

    def cli(*args: str) -> str:
        result = run_cli(*args, database_url=database_url)
        assert result.exit_code == 0, result.output
        return result.stdout

    await asyncio.to_thread(cli, "name", str(a), "Bambi")
    corrected = await asyncio.to_thread(cli, "correct", str(shot), "buck")
    assert corrected == f"detection {shot}: doe (detector) -> buck (you)\n"
    assert "primary photo is detection" in await asyncio.to_thread(
        cli, "primary", str(a), str(shot)
    )
    rows = await asyncio.to_thread(run_json, "history", database_url=database_url)
    assert [r["action"] for r in rows] == ["primary", "correct", "name"]
    assert rows[2]["after"] == {"name": "Bambi"} and rows[2]["undone_at"] is None
    assert (await asyncio.to_thread(cli, "undo")).startswith(f"undid {rows[0]['id']} (primary)")
    refused = await asyncio.to_thread(run_cli, "undo", "999", database_url=database_url)
    assert refused.exit_code == 1 and "no audit row 999" in refused.output
    text = await asyncio.to_thread(cli, "history", "--limit", "2")
    header, newest, undone = text.splitlines()
    assert header.split() == ["id", "at", "action", "profile", "detection", "change"]
    assert newest.split()[4] == "undo" and undone.endswith("undone")
