"""Suggesting names for the unnamed profiles, and giving them: ``thumper names``.

Profiles are taken in order of sightings (the deer seen most is named first), and each gets
names no live profile has and no earlier suggestion took, so applying every first suggestion
names the herd without a clash. Retired names (of merged profiles) are skipped unless allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.naming.names import NamingError, set_name
from thumper_tui.naming.pools import suggest
from thumper_tui.store.models import Deer
from thumper_tui.vocabulary.states import ProfileStatus


@dataclass(frozen=True)
class Suggestion:
    """Names for one unnamed profile, the first the one ``names apply`` gives."""

    profile: int
    category: str
    sightings: int
    names: list[str]

    def as_json(self) -> dict[str, Any]:
        """The ``thumper names suggest --json`` shape."""
        return {
            "profile": self.profile,
            "category": self.category,
            "sightings": self.sightings,
            "names": self.names,
        }


async def name_suggestions(
    engine: AsyncEngine,
    pools: Mapping[str, list[str]],
    *,
    profile: int | None = None,
    reuse_retired: bool = False,
    count: int = 5,
) -> list[Suggestion]:
    """Suggestions for every unnamed live profile (or for ``profile``, named or not)."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(Deer.id, Deer.name, Deer.category, Deer.sightings, Deer.status)
            )
        ).all()
    live = [r for r in rows if r.status == ProfileStatus.ACTIVE.value]
    taken = [r.name for r in live if r.name]
    if not reuse_retired:
        taken += [r.name for r in rows if r.name and r.status != ProfileStatus.ACTIVE.value]
    if profile is not None:
        wanted = [r for r in live if r.id == profile]
        if not wanted:
            raise NamingError(f"no live profile {profile}")
    else:
        wanted = sorted((r for r in live if r.name is None), key=lambda r: (-r.sightings, r.id))
    out = []
    for row in wanted:
        names = suggest(row.category, pools, taken, count)
        taken.append(names[0])  # the next profile's first suggestion is another name
        out.append(Suggestion(row.id, row.category, row.sightings, names))
    return out


async def apply_suggestions(
    engine: AsyncEngine,
    pools: Mapping[str, list[str]],
    *,
    reuse_retired: bool = False,
    actor: str = "names apply",
) -> list[tuple[int, str]]:
    """Give every unnamed live profile its first suggestion (an audit row each); returns the
    names given. A profile named meanwhile by someone else keeps that name."""
    given = []
    for suggestion in await name_suggestions(engine, pools, reuse_retired=reuse_retired):
        try:
            await set_name(engine, suggestion.profile, suggestion.names[0], actor=actor)
        except NamingError:
            continue  # named (or the name taken) since the suggestions were read
        given.append((suggestion.profile, suggestion.names[0]))
    return given
