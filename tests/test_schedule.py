"""The weekly schedule: its slots in ranch time, one run per slot (enforced by the database,
also with several workers on PostgreSQL), a missed slot run once, and the lines for cron and
systemd."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import truncate_all
from tests.helpers import ok, run_cli, run_json
from tests.herd_weeks import current_recipe, finish_run, seed_days, settings_for
from thumper_tui.analytics.schedule import WorkerScheduler, last_slot, next_slots
from thumper_tui.engine.runs import queue_run
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Run

CHICAGO = ZoneInfo("America/Chicago")
WEDNESDAY = datetime(2026, 11, 4, 15, 0, tzinfo=UTC)  # after the slot of Sunday 1 November


def test_slots_fall_in_ranch_time_across_a_clock_change() -> None:
    # Sunday 02:00 in Chicago: 07:00 UTC in summer time, 08:00 UTC after it ends (1 November).
    before = datetime(2026, 10, 20, tzinfo=UTC)
    slots = next_slots("0 2 * * 0", CHICAGO, before, 3)
    assert [s.at.strftime("%Y-%m-%d %H:%M") for s in slots] == [
        "2026-10-25 02:00",
        "2026-11-01 02:00",
        "2026-11-08 02:00",
    ]
    assert [s.key for s in slots] == ["2026-10-25T07:00Z", "2026-11-01T08:00Z", "2026-11-08T08:00Z"]
    assert last_slot("0 2 * * 0", CHICAGO, WEDNESDAY).key == "2026-11-01T08:00Z"  # type: ignore[union-attr]
    exactly = datetime(2026, 11, 8, 8, 0, tzinfo=UTC)
    assert last_slot("0 2 * * 0", CHICAGO, exactly).key == "2026-11-08T08:00Z"  # type: ignore[union-attr]
    assert next_slots("off", CHICAGO, before) == [] and last_slot("off", CHICAGO, before) is None


async def test_a_due_slot_is_queued_once_and_a_missed_one_runs_once(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, [3, 2, 1])  # photos of 5-7 October, imported then
    await finish_run(engine, current_recipe(settings), datetime(2026, 10, 8, tzinfo=UTC))
    # The machine was off for four weeks of slots: the worker runs the latest one, once.
    scheduler = WorkerScheduler(settings, clock=lambda: WEDNESDAY)
    run_id = await scheduler.enqueue_due(engine)
    assert run_id is not None
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(Run.trigger, Run.kind, Run.schedule_slot).where(Run.id == run_id)
            )
        ).one()
    assert tuple(row) == ("schedule", "incremental", "2026-11-01T02:00Z")  # nothing changed
    await _finish(engine, run_id)
    assert await scheduler.enqueue_due(engine) is None
    assert await WorkerScheduler(settings, clock=lambda: WEDNESDAY).enqueue_due(engine) is None
    # The database itself refuses a second run for one slot.
    with pytest.raises(IntegrityError):
        await queue_run(engine, "incremental", schedule_slot="2026-11-01T02:00Z")
    # The next Sunday's slot is due in its turn.
    later = WorkerScheduler(settings, clock=lambda: WEDNESDAY + timedelta(days=7))
    assert await later.enqueue_due(engine) is not None


async def test_a_changed_recipe_makes_the_slot_a_full_run(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, [3, 2, 1])
    await finish_run(engine, current_recipe(settings), datetime(2026, 10, 8, tzinfo=UTC))
    nudged = settings_for(database_url, reid_threshold=0.83)  # current: 0.8
    run_id = await WorkerScheduler(nudged, clock=lambda: WEDNESDAY).enqueue_due(engine)
    async with engine.connect() as conn:
        kind, clear = (
            await conn.execute(select(Run.kind, Run.clear_mode).where(Run.id == run_id))
        ).one()
    assert (kind, clear) == ("reid-only", "all")


async def test_no_slot_before_any_photo_was_imported(
    engine: AsyncEngine, database_url: str
) -> None:
    settings = settings_for(database_url)
    await seed_days(engine, [1])  # imported 5 October, 13:00
    before_import = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # the last slot: Sunday 4 October
    assert await WorkerScheduler(settings, clock=lambda: before_import).enqueue_due(engine) is None
    off = settings_for(database_url, schedule="off")
    assert await WorkerScheduler(off, clock=lambda: WEDNESDAY).enqueue_due(engine) is None


@pytest.mark.postgres
async def test_two_workers_on_postgres_queue_a_slot_once(pg_session_url: str) -> None:
    await asyncio.to_thread(truncate_all, pg_session_url)
    settings = settings_for(pg_session_url)
    engines = [make_engine(pg_session_url) for _ in range(2)]
    try:
        await upgrade(engines[0])
        await seed_days(engines[0], [3, 2, 1])
        await finish_run(engines[0], current_recipe(settings), datetime(2026, 10, 8, tzinfo=UTC))
        for _ in range(3):  # three rounds of two workers looking at once
            queued = await asyncio.gather(
                *(
                    WorkerScheduler(settings, clock=lambda: WEDNESDAY).enqueue_due(e)
                    for e in engines
                )
            )
            if any(queued):
                await _finish(engines[0], next(q for q in queued if q))
        async with engines[0].connect() as conn:
            slots = list(
                await conn.scalars(select(Run.schedule_slot).where(Run.trigger == "schedule"))
            )
        assert slots == ["2026-11-01T02:00Z"]
    finally:
        for e in engines:
            await e.dispose()


def test_schedule_command_crontab_and_systemd(database_url: str) -> None:
    ok("db", "upgrade", url=database_url)
    data = run_json("schedule", database_url=database_url)
    assert data["schedule"] == "0 2 * * 0" and len(data["slots"]) == 5
    assert data["slots"][0]["would_run"] == {
        "kind": "incremental",
        "clear_mode": "none",
        "images": 0,
    }
    cron = run_cli("schedule", "--crontab", database_url=database_url)
    lines = cron.stdout.splitlines()
    assert cron.exit_code == 0 and lines[0].startswith("CRON_TZ=")
    assert lines[1].startswith("0 2 * * 0 ") and "worker --exit-when-idle" in lines[1]
    units = run_cli("schedule", "--systemd", database_url=database_url).stdout
    assert "OnCalendar=hourly" in units and "Persistent=true" in units
    assert "ExecStart=" in units and "worker --exit-when-idle" in units
    bad = run_cli("--config", "/nonexistent.toml", "schedule", database_url=database_url)
    assert bad.exit_code == 2


async def _finish(engine: AsyncEngine, run_id: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(Run).where(Run.id == run_id).values(status="done", finished_at=WEDNESDAY)
        )
