"""Readiness, daily health and the history by photo day, with an injected clock (``now`` and
``as_of``) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import run_json
from tests.herd_weeks import (
    START,
    at_noon,
    current_recipe,
    finish_run,
    seed_days,
    settings_for,
)
from thumper_tui.analytics.answers import current_health, current_readiness
from thumper_tui.engine.history import read_history
from thumper_tui.store.models import Image, Run

STABLE = [5, 5, 5, 5, 5, 3, 2] + [1, 0, 0, 0, 0, 0, 0] + [0] * 7  # 30, 31, 31 at weekly steps
WEEK_3 = START + timedelta(days=20)  # the last photo day, a Sunday
NOW = at_noon(WEEK_3) + timedelta(days=1)


async def test_two_stable_weeks_make_the_herd_ready(engine: AsyncEngine, database_url: str) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, STABLE)
    await finish_run(engine, current_recipe(settings), NOW)
    readiness, history = await current_readiness(engine, settings, NOW, WEEK_3)
    assert readiness.ready, readiness.to_json()
    by_name = {c.name: c for c in readiness.criteria}
    assert (by_name["profiles"].value, by_name["profiles"].threshold) == (31, 50)
    assert by_name["stable_count"].detail.startswith("30 → 31 → 31 profiles")
    assert by_name["stable_count"].value == round(1 / 30, 4)
    # Every day: its new deer and 9 more detections placed, 1 in no profile.
    placed, deer = 31 + 21 * 9, 31 + 21 * 10
    assert by_name["assignment_rate"].value == round(placed / deer, 4)
    assert by_name["no_reprocess_due"].passed
    assert [d.total_profiles for d in history][-1] == 31 and len(history) == 21
    # A week earlier there were not yet two weeks to compare.
    earlier, _ = await current_readiness(engine, settings, NOW, WEEK_3 - timedelta(days=7))
    assert not earlier.ready
    failing = [c.name for c in earlier.criteria if not c.passed]
    assert failing == ["stable_count"] and "n/a" in earlier.criteria[1].detail
    # The CLI gives the documented shape.
    data = await asyncio.to_thread(
        run_json, "readiness", "--as-of", WEEK_3.isoformat(), database_url=database_url
    )
    assert set(data) == {"ready", "verdict", "criteria", "cautions", "as_of"}
    assert data["as_of"] == "2026-10-25" and data["cautions"] == []
    assert [set(c) for c in data["criteria"]] == [
        {"name", "value", "threshold", "passed", "detail"}
    ] * 4


async def test_a_week_with_a_spike_is_not_ready_and_health_names_the_days(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, [*STABLE[:14], 12, 0, 13, 0, 15, 0, 0])
    await finish_run(engine, current_recipe(settings), NOW)
    readiness, _ = await current_readiness(engine, settings, NOW, WEEK_3)
    stable = next(c for c in readiness.criteria if c.name == "stable_count")
    assert not readiness.ready and not stable.passed and "31 → 71" in stable.detail
    health = await current_health(engine, settings, NOW, WEEK_3)
    assert health.too_strict and [d.isoformat() for d in health.flagged] == [
        "2026-10-19",
        "2026-10-21",
        "2026-10-23",
    ]
    assert "re-ID threshold too strict" in health.message and "2026-10-21" in health.message
    data = await asyncio.to_thread(
        run_json, "health", "--as-of", WEEK_3.isoformat(), database_url=database_url
    )
    assert data["too_strict"] and [d["new_profiles"] for d in data["days"]] == [
        12,
        0,
        13,
        0,
        15,
        0,
        0,
    ]
    # Two busy days are not a pattern.
    calmer = await current_health(engine, settings, NOW, WEEK_3 - timedelta(days=3))
    assert not calmer.too_strict and len(calmer.flagged) == 2


async def test_a_week_without_photos_says_nothing_of_stability(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, STABLE[:14])  # the third week has no photos at all
    await finish_run(engine, current_recipe(settings), NOW)
    readiness, _ = await current_readiness(engine, settings, NOW, WEEK_3)
    stable = next(c for c in readiness.criteria if c.name == "stable_count")
    assert not stable.passed and "no photos in the week to 2026-10-25" in stable.detail


async def test_new_photos_waiting_mean_a_reprocess_is_due(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, STABLE)
    await finish_run(engine, current_recipe(settings), NOW)
    async with engine.begin() as conn:
        await conn.execute(update(Image).where(Image.id == 1).values(status="pending"))
    readiness, _ = await current_readiness(engine, settings, NOW, WEEK_3)
    due = next(c for c in readiness.criteria if c.name == "no_reprocess_due")
    assert not readiness.ready and due.value == "incremental" and "1 new or failed" in due.detail


async def test_a_rewrite_that_changes_nothing_names_no_run(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, STABLE)
    first = await finish_run(engine, current_recipe(settings), NOW)
    async with engine.connect() as conn:
        before = await read_history(conn)
    second = await finish_run(engine, current_recipe(settings), NOW + timedelta(days=1))
    async with engine.connect() as conn:
        after = await read_history(conn)
        shift = await conn.scalar(
            Run.__table__.select().with_only_columns(Run.profiles_shift).where(Run.id == second)
        )
    assert after == before and {d.run_id for d in after} == {first} and shift == 0


async def test_a_system_change_that_moves_the_count_is_named(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, STABLE)
    recipe = current_recipe(settings)
    await finish_run(engine, recipe, NOW - timedelta(days=1))
    # A stricter threshold splits four deer seen before: their detections found new profiles.
    async with engine.begin() as conn:
        for day in (0, 1, 2, 3):
            await conn.execute(
                insert(Run.__table__.metadata.tables["deer"]).values(
                    category="doe", first_seen=at_noon(START + timedelta(days=day)), sightings=1
                )
            )
    split = await finish_run(engine, replace(recipe, reid_threshold=0.9), NOW)
    readiness, history = await current_readiness(engine, settings, NOW, NOW.date())
    stable = next(c for c in readiness.criteria if c.name == "stable_count")
    assert f"run {split} moved the count of deer already seen by +4" in stable.detail
    assert "reid_threshold 0.8 → 0.9" in stable.detail
    assert history[0].run_id == split and history[-1].total_profiles == 35
