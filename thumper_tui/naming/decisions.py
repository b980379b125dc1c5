"""Human decisions besides names: notes, verified assignments, primary photos, not-same.

Notes, verified assignments, primary photos and "not the same deer": each is recorded in the
audit table; each survives every reprocess (the engine carries verified assignments and primary
photos to the detections that replace theirs, keeps profiles with notes, and never joins
profiles a human said differ)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.naming.names import NamingError, record_decision
from thumper_tui.store.models import Deer, Detection, NotSameDeer
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.categories import DEER_CATEGORIES
from thumper_tui.vocabulary.states import ProfileStatus


async def live_profile(conn: AsyncConnection, profile_id: int) -> Any:
    """A live profile's row, locked for the transaction, or :class:`NamingError` saying it is
    missing or merged (and into which)."""
    # Locked (on PostgreSQL) so a run's consolidation cannot merge it under the decision.
    query = select(Deer.__table__).where(Deer.id == profile_id).with_for_update()
    row = (await conn.execute(query)).first()
    if row is None:
        raise NamingError(f"no profile {profile_id}")
    if row.status != ProfileStatus.ACTIVE.value:
        raise NamingError(f"profile {profile_id} was merged into {row.merged_into}")
    return row


async def deer_detection(conn: AsyncConnection, detection_id: int) -> Any:
    """A deer detection's profile, categories, verified flag and embedding, or
    :class:`NamingError`."""
    row = (
        await conn.execute(
            select(
                Detection.deer_id,
                Detection.category,
                Detection.corrected_category,
                Detection.verified,
                Detection.embedding,
                Detection.embedding_version,
            ).where(Detection.id == detection_id)
        )
    ).first()
    if row is None:
        raise NamingError(f"no detection {detection_id}")
    if row.category not in DEER_CATEGORIES:
        raise NamingError(f"detection {detection_id} is not a deer ({row.category})")
    return row


async def recorded_detection(
    conn: AsyncConnection, audit_id: int, action: str, detection_id: int | None
) -> Any:
    """The detection an audit row names (its profile, verified flag and correction), or
    :class:`NamingError` saying a reprocess has replaced it since."""
    found = (
        await conn.execute(
            select(Detection.deer_id, Detection.verified, Detection.corrected_category).where(
                Detection.id == detection_id
            )
        )
    ).first()
    if found is None:
        raise NamingError(
            f"audit row {audit_id} ({action}): detection {detection_id} was replaced by a "
            "reprocess since; change the detection now at its place instead"
        )
    return found


async def set_notes(engine: AsyncEngine, profile_id: int, notes: str) -> None:
    """Replace a profile's notes (an empty string clears them)."""
    async with engine.begin() as conn:
        row = await live_profile(conn, profile_id)
        new = notes.strip() or None
        await conn.execute(update(Deer).where(Deer.id == profile_id).values(notes=new))
        await record_decision(
            conn,
            action="note",
            deer_id=profile_id,
            before={"notes": row.notes},
            after={"notes": new},
        )


async def verify_detection(engine: AsyncEngine, detection_id: int, profile_id: int) -> None:
    """Put a deer detection in a profile and mark the assignment as a human's."""
    async with engine.begin() as conn:
        await live_profile(conn, profile_id)
        row = await deer_detection(conn, detection_id)
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(deer_id=profile_id, verified=True)
        )
        await refresh_profiles(conn, [row.deer_id, profile_id])
        await record_decision(
            conn,
            action="verify",
            deer_id=profile_id,
            detection_id=detection_id,
            before={"deer_id": row.deer_id, "verified": row.verified},
            after={"deer_id": profile_id, "verified": True},
        )


async def set_primary(engine: AsyncEngine, profile_id: int, detection_id: int) -> None:
    """Choose the detection shown as the profile's photo (it must belong to the profile)."""
    async with engine.begin() as conn:
        await live_profile(conn, profile_id)
        owner = await conn.scalar(select(Detection.deer_id).where(Detection.id == detection_id))
        if owner != profile_id:
            raise NamingError(f"detection {detection_id} is not in profile {profile_id}")
        before = await conn.scalar(select(Deer.primary_detection_id).where(Deer.id == profile_id))
        await conn.execute(
            update(Deer).where(Deer.id == profile_id).values(primary_detection_id=detection_id)
        )
        await record_decision(
            conn,
            action="primary",
            deer_id=profile_id,
            detection_id=detection_id,
            before={"primary": before},
            after={"primary": detection_id},
        )


async def mark_not_same(engine: AsyncEngine, first: int, second: int) -> None:
    """Record that two profiles are different deer."""
    if first == second:
        raise NamingError("a profile is always the same deer as itself")
    a, b = sorted((first, second))
    async with engine.begin() as conn:
        await live_profile(conn, a)
        await live_profile(conn, b)
        exists = await conn.scalar(
            select(NotSameDeer.deer_a).where(NotSameDeer.deer_a == a, NotSameDeer.deer_b == b)
        )
        if exists is None:
            await conn.execute(insert(NotSameDeer).values(deer_a=a, deer_b=b, created_at=utcnow()))
            await record_decision(conn, action="not_same", deer_id=a, after={"not_same": [a, b]})


async def take_out(engine: AsyncEngine, detection_id: int, actor: str = "cli") -> int:
    """Take a deer detection out of its profile for good: it stays unplaced through every
    reprocess until a human places it (``verify``). Returns the profile it left."""
    async with engine.begin() as conn:
        row = await deer_detection(conn, detection_id)
        if row.deer_id is None:
            raise NamingError(f"detection {detection_id} is in no profile")
        profile = await live_profile(conn, row.deer_id)
        left = await conn.scalar(
            select(func.count()).select_from(Detection).where(Detection.deer_id == row.deer_id)
        )
        if left == 1:
            raise NamingError(
                f"detection {detection_id} is all of profile {row.deer_id}; "
                "merge the profile instead"
            )
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(deer_id=None, verified=True, match_score=None)
        )
        if profile.primary_detection_id == detection_id:
            await conn.execute(
                update(Deer).where(Deer.id == row.deer_id).values(primary_detection_id=None)
            )
        await refresh_profiles(conn, [row.deer_id])
        await record_decision(
            conn,
            action="take_out",
            deer_id=row.deer_id,
            detection_id=detection_id,
            before={
                "deer_id": row.deer_id,
                "verified": row.verified,
                "primary": profile.primary_detection_id == detection_id,
            },
            after={"deer_id": None, "verified": True},
            actor=actor,
        )
    return int(row.deer_id)
