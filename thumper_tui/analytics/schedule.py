"""The weekly schedule: when its slots fall, what each runs, and the worker's part in it.

The ``schedule`` setting is a cron expression in ranch time (default ``0 2 * * 0``: Sunday
02:00), read by croniter. A worker with no run to serve asks :class:`WorkerScheduler` whether a
slot is due: the latest slot not in the future that has no run yet, so a slot missed while the
machine was off runs once when a worker next starts. The slot's key (its UTC time) is unique in
``runs.schedule_slot``, so with several workers on PostgreSQL only one queues it.

What a slot runs: a full reprocess when anything that shapes results changed since the last
full run, else an incremental run (a full rerun of unchanged inputs changes nothing); with
``schedule_full = "always"``, always a full run.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from croniter import croniter
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.analytics.advisor import Action, Plan, advise
from thumper_tui.analytics.facts import RanchFacts, read_facts
from thumper_tui.config import Settings
from thumper_tui.engine.history import record_history
from thumper_tui.engine.runs import RunError, queue_run
from thumper_tui.store.models import Image, Run
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.states import ClearMode, RunKind, RunTrigger

OFF = "off"
REFRESH_EVERY = 24 * 3600.0  # the worker rewrites the history at least daily


@dataclass(frozen=True)
class Slot:
    """One time the schedule fires, in ranch time; ``key`` is its UTC time, unique per run."""

    at: datetime

    @property
    def key(self) -> str:
        """The slot as ``runs.schedule_slot`` stores it."""
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def next_slots(expression: str, zone: tzinfo, now: datetime, count: int = 5) -> list[Slot]:
    """The next ``count`` slots after ``now`` (none when the schedule is off)."""
    if expression == OFF:
        return []
    it = croniter(expression, now.astimezone(zone))
    return [Slot(it.get_next(datetime)) for _ in range(count)]


def last_slot(expression: str, zone: tzinfo, now: datetime) -> Slot | None:
    """The latest slot at or before ``now`` (``None`` when the schedule is off)."""
    if expression == OFF:
        return None
    it = croniter(expression, now.astimezone(zone) + timedelta(seconds=1))
    return Slot(it.get_prev(datetime))


def slot_plan(facts: RanchFacts, schedule_full: str) -> Plan:
    """What a slot runs now: full when the recipe changed since the last full run (or always,
    when so configured), else incremental."""
    advice = advise(facts)
    if schedule_full == "always":
        return Plan(RunKind.FULL, ClearMode.ALL, facts.total_images)
    if advice.action == Action.FULL and advice.plan is not None:
        return advice.plan
    if advice.changes:  # a smaller change: the slot is where it is picked up
        if facts.new_images:
            return Plan(RunKind.FULL, ClearMode.ALL, facts.total_images)
        return Plan(RunKind.REID_ONLY, ClearMode.ALL, facts.images.get("done", 0))
    return Plan(RunKind.INCREMENTAL, ClearMode.NONE, facts.new_images)


class WorkerScheduler:
    """The worker's side of the schedule (``engine.worker.Scheduler``): queue a due slot's
    run, and rewrite the history at least daily."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.clock = clock
        self._refreshed_at: float | None = None

    async def enqueue_due(self, engine: AsyncEngine) -> int | None:
        """Queue the due slot's run; its id, or ``None`` when no slot is due (or another worker
        queued it, or another run is active: then a later call tries again)."""
        zone = self.settings.zone()
        await self._refresh(engine, zone)
        slot = last_slot(self.settings.schedule, zone, self.clock())
        if slot is None:
            return None
        async with engine.connect() as conn:
            taken = await conn.scalar(select(Run.id).where(Run.schedule_slot == slot.key))
            photos = await conn.scalar(
                select(func.count()).select_from(Image).where(Image.imported_at <= slot.at)
            )
            if taken is not None or not photos:
                return None
            plan = slot_plan(await read_facts(conn, self.settings), self.settings.schedule_full)
        try:
            return await queue_run(
                engine,
                plan.kind,
                clear_mode=plan.clear_mode,
                trigger=RunTrigger.SCHEDULE,
                schedule_slot=slot.key,
            )
        except (IntegrityError, RunError):
            return None

    async def _refresh(self, engine: AsyncEngine, zone: tzinfo) -> None:
        now = time.monotonic()
        if self._refreshed_at is not None and now - self._refreshed_at < REFRESH_EVERY:
            return
        async with engine.begin() as conn:
            await record_history(conn, zone, None)
        self._refreshed_at = now


def crontab_line(settings: Settings, config_file: Path | None) -> str:
    """The crontab lines for a box where no worker stays running: at each slot, a worker that
    queues the slot's run, serves it and exits (``CRON_TZ`` for crons that know it)."""
    if settings.schedule == OFF:
        raise ValueError("the schedule is off (schedule = 'off'): there is no line to print")
    return f"CRON_TZ={_zone_name(settings)}\n{settings.schedule} {_worker_command(config_file)}\n"


def systemd_units(settings: Settings, config_file: Path | None) -> dict[str, str]:
    """A user service and timer: the timer starts a worker hourly (and at boot for a missed
    hour); the worker queues a slot only when one is due, so it runs once per slot."""
    command = _worker_command(config_file, log=False)
    return {
        "thumper-worker.service": (
            "[Unit]\nDescription=Thumper: run the weekly slot when one is due\n\n"
            f"[Service]\nType=oneshot\nEnvironment=TZ={_zone_name(settings)}\n"
            f"ExecStart={command}\n"
        ),
        "thumper-worker.timer": (
            "[Unit]\nDescription=Thumper: look for a due weekly slot every hour\n\n"
            "[Timer]\nOnCalendar=hourly\nPersistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n"
        ),
    }


def _zone_name(settings: Settings) -> str:
    return str(getattr(settings.zone(), "key", "UTC"))


def _worker_command(config_file: Path | None, log: bool = True) -> str:
    thumper = Path(sys.executable).with_name("thumper")
    parts = [str(thumper)]
    if config_file is not None:
        parts += ["--config", str(config_file)]
    parts += ["worker", "--exit-when-idle"]
    command = shlex.join(parts)
    return f"{command} >> $HOME/.local/state/thumper/cron.log 2>&1" if log else command
