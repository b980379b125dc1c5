"""Giving a profile a name, with validation and an audit row for every change.

A name is any Unicode text except blanks, control characters and the placeholders people type
when they mean "no name" (NA, N/A, Unknown, None, …); it is unique among live profiles, compared
without regard to case.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.store.models import Audit, Camera, Deer, Detection, Image
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.states import ProfileStatus

MAX_NAME = 100
PLACEHOLDERS = frozenset({"na", "n/a", "n.a.", "unknown", "none", "null", "-", "?", "tbd"})


class NamingError(Exception):
    """A name or profile that cannot be used; the message is one line for the user."""


def validate_name(raw: str) -> str:
    """The name as stored (trimmed, NFC), or :class:`NamingError` saying what is wrong."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise NamingError("a name cannot be empty")
    if name.casefold() in PLACEHOLDERS:
        raise NamingError(f"{name!r} is a placeholder, not a name")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise NamingError("a name cannot contain control characters")
    if len(name) > MAX_NAME:
        raise NamingError(f"a name is at most {MAX_NAME} characters")
    return name


async def record_decision(
    conn: AsyncConnection,
    *,
    action: str,
    actor: str = "cli",
    ts: datetime | None = None,
    **values: Any,
) -> None:
    """Write one human decision to the audit: what it changed (``before``, ``after``), of which
    profile or detection, by whom (every decision goes through here, so each can be undone)."""
    await conn.execute(
        insert(Audit).values(ts=ts or utcnow(), action=action, actor=actor, **values)
    )


@dataclass(frozen=True)
class Profile:
    """A live profile as ``thumper profiles`` lists it."""

    id: int
    name: str | None
    category: str
    sightings: int
    first_seen: datetime | None
    last_seen: datetime | None
    notes: str | None = None
    cameras: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat().replace("+00:00", "Z") if moment else None

        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "sightings": self.sightings,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "notes": self.notes,
            "cameras": list(self.cameras),
        }


SORTS = ("id", "name", "sightings", "first_seen", "last_seen")


async def list_profiles(
    engine: AsyncEngine,
    *,
    category: str | None = None,
    unnamed: bool = False,
    sort: str = "id",
) -> list[Profile]:
    """Live profiles (of ``category``; only ``unnamed`` ones), with their notes and the cameras
    that saw them, ordered by ``sort`` (most sightings and latest first; names A to Z)."""
    query = select(
        Deer.id,
        Deer.name,
        Deer.category,
        Deer.sightings,
        Deer.first_seen,
        Deer.last_seen,
        Deer.notes,
    ).where(Deer.status == ProfileStatus.ACTIVE.value)
    if category is not None:
        query = query.where(Deer.category == category)
    if unnamed:
        query = query.where(Deer.name.is_(None))
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
        seen_at: dict[int, set[str]] = {}
        for deer_id, camera in await conn.execute(
            select(Detection.deer_id, Camera.name)
            .join(Image, Image.id == Detection.image_id)
            .join(Camera, Camera.id == Image.camera_id)
            .where(Detection.deer_id.in_([r.id for r in rows]))
            .distinct()
        ):
            if deer_id is not None:
                seen_at.setdefault(deer_id, set()).add(camera)
    profiles = [Profile(*row, cameras=tuple(sorted(seen_at.get(row.id, ())))) for row in rows]
    return sorted(profiles, key=_SORT_KEYS[sort])


def _latest(moment: datetime | None) -> float:
    return -moment.timestamp() if moment else 0.0


_SORT_KEYS: dict[str, Any] = {
    "id": lambda p: p.id,
    "name": lambda p: (p.name is None, (p.name or "").casefold(), p.id),
    "sightings": lambda p: (-p.sightings, p.id),
    "first_seen": lambda p: (p.first_seen is None, p.first_seen or datetime.min, p.id),
    "last_seen": lambda p: (_latest(p.last_seen), p.id),
}


async def set_name(
    engine: AsyncEngine, profile_id: int, raw_name: str, actor: str = "cli"
) -> tuple[str | None, str]:
    """Name (or rename) a live profile; returns (old name, new name) and records the change."""
    name = validate_name(raw_name)
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                select(Deer.name, Deer.status).where(Deer.id == profile_id).with_for_update()
            )
        ).first()
        if row is None:
            raise NamingError(f"no profile {profile_id}")
        if row.status != ProfileStatus.ACTIVE.value:
            raise NamingError(f"profile {profile_id} was merged; name the profile it joined")
        taken = (
            await conn.execute(
                select(Deer.id).where(
                    Deer.status == ProfileStatus.ACTIVE.value,
                    Deer.id != profile_id,
                    func.lower(Deer.name) == name.lower(),
                )
            )
        ).first()
        if taken is not None:
            raise NamingError(f"{name!r} already names profile {taken.id}")
        now = utcnow()
        await conn.execute(
            update(Deer).where(Deer.id == profile_id).values(name=name, named_at=now)
        )
        await record_decision(
            conn,
            ts=now,
            action="rename" if row.name else "name",
            deer_id=profile_id,
            before={"name": row.name},
            after={"name": name},
            actor=actor,
        )
    return row.name, name
