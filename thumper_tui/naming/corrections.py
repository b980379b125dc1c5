"""Category corrections: a human says what a deer is, for one detection or a whole profile.

A correction outranks the detector in every later run (the engine carries it to the detection
that replaces the corrected one) and the profile's category follows its detections' votes at
once. Each is an audit row holding what it replaced, for ``thumper undo``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.naming.decisions import deer_detection, live_profile, recorded_detection
from thumper_tui.naming.names import NamingError, record_decision
from thumper_tui.store.models import Detection
from thumper_tui.vocabulary.categories import DEER_CATEGORIES


def _checked(category: str) -> None:
    if category not in DEER_CATEGORIES:
        raise NamingError(f"a deer is {', '.join(DEER_CATEGORIES)}, not {category!r}")


async def correct_category(
    engine: AsyncEngine, detection_id: int, category: str, actor: str = "cli"
) -> tuple[str, str | None]:
    """Correct a deer detection's category; returns (the detector's category, the correction
    before this one)."""
    _checked(category)
    async with engine.begin() as conn:
        row = await deer_detection(conn, detection_id)
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(corrected_category=category)
        )
        await refresh_profiles(conn, [row.deer_id])
        await record_decision(
            conn,
            action="correct",
            deer_id=row.deer_id,
            detection_id=detection_id,
            before={"corrected_category": row.corrected_category},
            after={"corrected_category": category},
            actor=actor,
        )
    return row.category, row.corrected_category


async def correct_profile(
    engine: AsyncEngine, profile_id: int, category: str, actor: str = "cli"
) -> int:
    """Correct every deer detection of a live profile to ``category`` (one audit row); returns
    how many detections it changed."""
    _checked(category)
    async with engine.begin() as conn:
        await live_profile(conn, profile_id)
        rows = (
            await conn.execute(
                select(Detection.id, Detection.corrected_category).where(
                    Detection.deer_id == profile_id,
                    Detection.is_deer_sighting(),
                    Detection.corrected_category.is_distinct_from(category),
                )
            )
        ).all()
        if rows:
            await conn.execute(
                update(Detection)
                .where(Detection.id.in_([r.id for r in rows]))
                .values(corrected_category=category)
            )
        await refresh_profiles(conn, [profile_id])
        await record_decision(
            conn,
            action="correct_profile",
            deer_id=profile_id,
            before={"detections": [[r.id, r.corrected_category] for r in rows]},
            after={"corrected_category": category},
            actor=actor,
        )
    return len(rows)


def _moved_on(row_id: int, detection_id: int | None, now: Any) -> NamingError:
    return NamingError(
        f"audit row {row_id}: detection {detection_id}'s correction changed since (now {now!r}); "
        "undo the later change first"
    )


async def restore_correction(
    conn: AsyncConnection,
    row_id: int,
    action: str,
    detection_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Undo one detection's correction, if it still reads as ``after``."""
    found = await recorded_detection(conn, row_id, action, detection_id)
    if found.corrected_category != (after or {}).get("corrected_category"):
        raise _moved_on(row_id, detection_id, found.corrected_category)
    await conn.execute(
        update(Detection)
        .where(Detection.id == detection_id)
        .values(corrected_category=(before or {}).get("corrected_category"))
    )
    await refresh_profiles(conn, [found.deer_id])


async def restore_profile_correction(
    conn: AsyncConnection,
    row_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Undo a whole profile's correction: each detection gets back its earlier correction (a
    detection a reprocess has replaced since keeps the correction it inherited)."""
    pairs = [(int(d), c) for d, c in (before or {}).get("detections", [])]
    wanted = (after or {}).get("corrected_category")
    now = {
        r.id: r
        for r in await conn.execute(
            select(Detection.id, Detection.deer_id, Detection.corrected_category).where(
                Detection.id.in_([d for d, _ in pairs])
            )
        )
    }
    for detection_id, found in now.items():
        if found.corrected_category != wanted:
            raise _moved_on(row_id, detection_id, found.corrected_category)
    owners = {found.deer_id for found in now.values()}
    for detection_id, corrected in pairs:
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(corrected_category=corrected)
        )
    await refresh_profiles(conn, owners)
