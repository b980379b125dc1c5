"""Profile rows after a batch's re-ID: inserted, banks saved, primaries carried, recounted.

New profiles are inserted, changed banks saved, primary photos carried over to the detections
that replace theirs, and sightings recounted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.engine.reidentify import BatchIdentities, OldDetection, Placed
from thumper_tui.store.models import Deer, Detection, Image
from thumper_tui.vocabulary.codec import vector_to_bytes
from thumper_tui.vocabulary.states import ProfileStatus


def prototype_of(bank: np.ndarray[Any, Any]) -> bytes | None:
    if not len(bank):
        return None
    mean = bank.mean(axis=0)
    return vector_to_bytes(mean / max(float(np.linalg.norm(mean)), 1e-12))


async def save_profiles(
    conn: AsyncConnection, run_id: int, identities: BatchIdentities, version: str
) -> dict[int, int]:
    """Insert the profiles the batch founded and store every changed bank; returns the new
    profiles' ids by their gallery keys."""
    gallery = identities.gallery
    if gallery is None:
        return {}
    created: dict[int, int] = {}
    for key, profile in gallery.profiles.items():
        if not profile.changed:
            continue
        values = {
            "category": profile.category,
            "exemplars": vector_to_bytes(profile.bank),
            "prototype": prototype_of(profile.bank),
            "bank_version": version,
            "built_by_run": run_id,
        }
        if key < 0:
            inserted = await conn.execute(
                insert(Deer).values(status=ProfileStatus.ACTIVE.value, **values).returning(Deer.id)
            )
            created[key] = int(inserted.scalar_one())
        else:
            await conn.execute(update(Deer).where(Deer.id == key).values(**values))
        profile.changed = False
    for key, new_id in created.items():
        profile = gallery.profiles.pop(key)
        profile.key = new_id
        gallery.profiles[new_id] = profile
    return created


async def primaries_of(conn: AsyncConnection, old: Sequence[OldDetection]) -> dict[int, int]:
    """Which of the ``old`` detections are a profile's primary photo: detection id -> profile."""
    if not old:
        return {}
    rows = await conn.execute(
        select(Deer.primary_detection_id, Deer.id).where(
            Deer.primary_detection_id.in_([o.id for o in old])
        )
    )
    return {int(detection): int(deer) for detection, deer in rows if detection is not None}


async def carry_primaries(
    conn: AsyncConnection,
    primaries: dict[int, int],
    rows: Sequence[dict[str, Any]],
    new_ids: Sequence[int],
    places: Sequence[Placed],
    clear_mode: str,
) -> None:
    """A profile whose primary photo's detection was replaced takes the new detection at the
    same place, when that one still belongs to the profile (in a rebuild: when it may come back
    to it by the mapping, which checks)."""
    for row, new_id, placed in zip(rows, new_ids, places, strict=True):
        prior = placed.prior
        if prior is None or prior.id not in primaries:
            continue
        owner = primaries[prior.id]
        if row["deer_id"] == owner or (clear_mode == "all" and row["prior_deer_id"] == owner):
            await conn.execute(
                update(Deer).where(Deer.id == owner).values(primary_detection_id=new_id)
            )


async def refresh_profiles(conn: AsyncConnection, ids: Iterable[int | None]) -> None:
    """Recount sightings and first / last seen of profiles ``ids`` from their detections."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return
    mine = Detection.deer_id == Deer.id

    def seen(extreme: Any) -> Any:
        return (
            select(extreme(Image.taken_at))
            .join(Detection, Detection.image_id == Image.id)
            .where(mine)
            .scalar_subquery()
        )

    await conn.execute(
        update(Deer)
        .where(Deer.id.in_(wanted))
        .values(
            sightings=select(func.count()).select_from(Detection).where(mine).scalar_subquery(),
            first_seen=seen(func.min),
            last_seen=seen(func.max),
        )
    )
    # A profile's category is what most of its detections say (a human's correction first).
    said = func.coalesce(Detection.corrected_category, Detection.category)
    votes = await conn.execute(
        select(Detection.deer_id, said, func.count())
        .where(Detection.deer_id.in_(wanted), said != "unknown")
        .group_by(Detection.deer_id, said)
    )
    tally: dict[int, list[tuple[int, str]]] = {}
    for deer_id, category, count in votes:
        if deer_id is None:
            continue
        tally.setdefault(deer_id, []).append((count, category))
    for deer_id, counted in tally.items():
        await conn.execute(update(Deer).where(Deer.id == deer_id).values(category=max(counted)[1]))
