"""The herd's history by photo day, rewritten at the end of every run and read by readiness.

Days are the ranch's own (the configured zone) and the history is made from photo times, never
from when rows were written: a profile counts from its first sighting (the time of its earliest
photo, which a reprocess keeps), so a full reprocess that rebuilds every profile leaves the
history as it was unless the deer themselves were grouped differently. When that happens the
run that did it is named on the days it changed, and the run records how far it moved the
count of the deer already seen (``runs.profiles_shift``): a count that moved because the system
changed, not because new deer walked past a camera.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import and_, case, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.store.models import Deer, Detection, Image, ProfileHistory
from thumper_tui.vocabulary.states import ImageStatus, ProfileStatus

HISTORY_LOCK = 0x7448_6973  # the advisory lock key of history writers on PostgreSQL


@dataclass(frozen=True)
class Day:
    """One day of the history (see :class:`~thumper_tui.store.models.ProfileHistory`)."""

    day: date
    total_profiles: int
    new_profiles: int
    assignment_rate: float | None
    images_done: int
    deer_detections: int
    placed_detections: int
    run_id: int | None = None

    def same_figures(self, other: Day) -> bool:
        """Whether ``other`` says the same of this day (whoever wrote it)."""
        return replace(self, run_id=None) == replace(other, run_id=None)


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The ranch-local date of an aware ``moment``."""
    return moment.astimezone(zone).date()


async def compute_history(conn: AsyncConnection, zone: tzinfo) -> list[Day]:
    """Every day from the first photo (or first sighting) to the last, from the data as it is."""
    first_seen = Counter(
        local_day(moment, zone)
        for moment in await conn.scalars(
            select(Deer.first_seen).where(
                Deer.status == ProfileStatus.ACTIVE.value, Deer.first_seen.is_not(None)
            )
        )
        if moment is not None
    )
    sighting = Detection.is_deer_sighting()
    placed = and_(sighting, Detection.deer_id.is_not(None))
    rows = await conn.execute(
        select(
            Image.taken_at,
            Image.status,
            func.coalesce(func.sum(case((sighting, 1), else_=0)), 0),
            func.coalesce(func.sum(case((placed, 1), else_=0)), 0),
        )
        .outerjoin(Detection, Detection.image_id == Image.id)
        .group_by(Image.id, Image.taken_at, Image.status)
    )
    done: Counter[date] = Counter()
    deer: Counter[date] = Counter()
    in_profile: Counter[date] = Counter()
    for taken_at, status, sightings, placed_count in rows:
        day = local_day(taken_at, zone)
        done[day] += status == ImageStatus.DONE.value
        deer[day] += int(sightings)
        in_profile[day] += int(placed_count)
    days = set(first_seen) | set(done) | set(deer)
    if not days:
        return []
    history: list[Day] = []
    total = deer_so_far = placed_so_far = 0
    day = min(days)
    while day <= max(days):
        total += first_seen[day]
        deer_so_far += deer[day]
        placed_so_far += in_profile[day]
        rate = round(placed_so_far / deer_so_far, 4) if deer_so_far else None
        history.append(
            Day(day, total, first_seen[day], rate, done[day], deer[day], in_profile[day])
        )
        day += timedelta(days=1)
    return history


async def read_history(conn: AsyncConnection) -> list[Day]:
    """The history as it was last written, oldest day first."""
    rows = await conn.execute(select(ProfileHistory.__table__).order_by(ProfileHistory.day))
    return [
        Day(
            r.day,
            r.total_profiles,
            r.new_profiles,
            r.assignment_rate,
            r.images_done,
            r.deer_detections,
            r.placed_detections,
            r.run_id,
        )
        for r in rows
    ]


async def record_history(conn: AsyncConnection, zone: tzinfo, run_id: int | None) -> int | None:
    """Rewrite the history from the data; days whose figures changed name ``run_id`` (``None``:
    no run, a human's merge, say). Returns how far the profile count of the last day already in
    the history moved (``None`` when there was no history yet)."""
    if conn.dialect.name == "postgresql":
        # One writer at a time (a run's end and a worker's daily refresh may meet): each
        # replaces every row, and two at once would insert the same days twice.
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": HISTORY_LOCK})
    old = {d.day: d for d in await read_history(conn)}
    new = await compute_history(conn, zone)
    fresh = {d.day: d for d in new}
    shift = None
    if old:
        last = max(old)
        before = old[last].total_profiles
        after = fresh[last].total_profiles if last in fresh else 0
        shift = after - before
    rows = []
    for d in new:
        kept = old.get(d.day)
        writer = kept.run_id if kept is not None and kept.same_figures(d) else run_id
        rows.append(replace(d, run_id=writer))
    await conn.execute(delete(ProfileHistory))
    if rows:
        await conn.execute(insert(ProfileHistory), [vars(r) for r in rows])
    return shift
