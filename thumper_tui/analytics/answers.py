"""The questions a rancher asks, answered in one call each, for the CLI and the dashboard.

Each reads; none writes (the history is rewritten by runs and the scheduler).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.analytics.advisor import Advice, advise
from thumper_tui.analytics.facts import RanchFacts, read_facts
from thumper_tui.analytics.health import Health, daily_health
from thumper_tui.analytics.readiness import Readiness, assess
from thumper_tui.analytics.report import Week, weekly_report
from thumper_tui.analytics.schedule import Slot, next_slots, slot_plan
from thumper_tui.config import Settings
from thumper_tui.engine.history import Day, compute_history, local_day, read_history
from thumper_tui.engine.workers import list_workers


async def current_history(conn: AsyncConnection, settings: Settings) -> list[Day]:
    """The history as the data says it now, each day naming the run that last changed it."""
    stored = {d.day: d for d in await read_history(conn)}
    out = []
    for day in await compute_history(conn, settings.zone()):
        kept = stored.get(day.day)
        out.append(replace(day, run_id=kept.run_id) if kept and kept.same_figures(day) else day)
    return out


async def _advice(
    conn: AsyncConnection, settings: Settings, now: datetime
) -> tuple[RanchFacts, Advice]:
    facts = await read_facts(conn, settings)
    slots = next_slots(settings.schedule, settings.zone(), now, 1)
    return facts, advise(facts, slots[0].at.isoformat() if slots else None)


async def current_advice(engine: AsyncEngine, settings: Settings, now: datetime) -> Advice:
    """``thumper advise``."""
    async with engine.connect() as conn:
        return (await _advice(conn, settings, now))[1]


async def current_readiness(
    engine: AsyncEngine, settings: Settings, now: datetime, as_of: date | None = None
) -> tuple[Readiness, list[Day]]:
    """``thumper readiness`` (as of the end of ``as_of``, default today in ranch time), with
    the history it read."""
    async with engine.connect() as conn:
        history = await current_history(conn, settings)
        facts, advice = await _advice(conn, settings, now)
    day = as_of or local_day(now, settings.zone())
    return assess(history, facts, advice, settings, day), history


async def current_health(
    engine: AsyncEngine, settings: Settings, now: datetime, as_of: date | None = None
) -> Health:
    """``thumper health``."""
    async with engine.connect() as conn:
        history = await current_history(conn, settings)
    day = as_of or local_day(now, settings.zone())
    return daily_health(history, day, settings.health_max_new_per_day)


async def current_report(
    engine: AsyncEngine, settings: Settings, now: datetime, week: Week | None = None
) -> dict[str, Any]:
    """``thumper report`` (default: the week of today in ranch time)."""
    async with engine.connect() as conn:
        history = await current_history(conn, settings)
        facts, advice = await _advice(conn, settings, now)
        return await weekly_report(
            conn,
            week=week or Week.of(local_day(now, settings.zone())),
            history=history,
            facts=facts,
            advice=advice,
            settings=settings,
        )


async def upcoming_slots(
    engine: AsyncEngine, settings: Settings, now: datetime, count: int = 5
) -> list[tuple[Slot, dict[str, Any]]]:
    """``thumper schedule``: the next slots, each with what it would run if it came now."""
    async with engine.connect() as conn:
        facts = await read_facts(conn, settings)
    plan = slot_plan(facts, settings.schedule_full)
    shown = {"kind": plan.kind.value, "clear_mode": plan.clear_mode.value, "images": plan.images}
    return [(slot, shown) for slot in next_slots(settings.schedule, settings.zone(), now, count)]


@dataclass(frozen=True)
class RanchView:
    """What the readiness and runs screens show, read at one moment."""

    readiness: Readiness
    health: Health
    history: list[Day]
    advice: Advice
    facts: RanchFacts
    live_workers: int


async def ranch_view(engine: AsyncEngine, settings: Settings, now: datetime) -> RanchView:
    """Readiness, health, the history, the advice, the runs, and how many workers are alive."""
    async with engine.connect() as conn:
        history = await current_history(conn, settings)
        facts, advice = await _advice(conn, settings, now)
    workers = sum(1 for w in await list_workers(engine) if w.is_fresh(now))
    day = local_day(now, settings.zone())
    return RanchView(
        assess(history, facts, advice, settings, day),
        daily_health(history, day, settings.health_max_new_per_day),
        history,
        advice,
        facts,
        workers,
    )
