"""Taking an import back: ``thumper forget --camera NAME | PATH...``.

The photos go with their detections. A profile left without sightings goes too, unless a
human touched it (a name, notes, or any decision in the audit): that one stays, with its name
and notes and zero sightings, so nothing a person decided is lost. The whole forget is one
transaction and one audit row, and it is refused while a run is active (a run holds or will
take those photos).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import aliased

from thumper_tui.engine.history import record_history
from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.naming.names import NamingError, record_decision
from thumper_tui.paths import stored_path
from thumper_tui.store.models import Audit, Camera, Deer, Detection, Image, NotSameDeer, Run
from thumper_tui.vocabulary.states import ACTIVE_RUN_STATUSES, ProfileStatus

AUDITED_PATHS = 20  # the audit row names this many of the paths (and counts all)


@dataclass(frozen=True)
class Selection:
    """What to forget: a camera's photos, or the photos at or under some paths."""

    camera: str | None = None
    paths: Sequence[str] = ()

    def condition(self) -> ColumnElement[bool]:
        """The images selected."""
        if self.camera is not None:
            return Image.camera_id.in_(select(Camera.id).where(Camera.name == self.camera))
        wanted: list[ColumnElement[bool]] = []
        for raw in self.paths:
            path = stored_path(os.path.abspath(raw).rstrip(os.sep) or os.sep)
            under = path.rstrip("/") + "/"
            # startswith() escapes LIKE's wildcards, so a folder called "100_%" is only itself.
            wanted += [Image.path == path, Image.path.startswith(under, autoescape=True)]
        return or_(*wanted) if wanted else false()

    def describe(self) -> dict[str, Any]:
        """The selection as the audit records it."""
        return {"camera": self.camera} if self.camera is not None else {"paths": list(self.paths)}


@dataclass(frozen=True)
class ForgetPlan:
    """What a forget removes (or removed): photos, detections, profiles; and what it keeps."""

    images: int
    detections: int
    deleted_profiles: list[int] = field(default_factory=list)
    kept_profiles: list[int] = field(default_factory=list)  # human-touched, now empty
    sample_paths: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``thumper forget --json`` shape."""
        return {
            "images": self.images,
            "detections": self.detections,
            "deleted_profiles": self.deleted_profiles,
            "kept_profiles": self.kept_profiles,
            "sample_paths": self.sample_paths,
        }


def _touched_by_a_human() -> ColumnElement[bool]:
    merged_in = aliased(Deer)
    return or_(
        Deer.name.is_not(None),
        func.coalesce(Deer.notes, "") != "",
        exists().where(Audit.deer_id == Deer.id),
        exists().where(or_(NotSameDeer.deer_a == Deer.id, NotSameDeer.deer_b == Deer.id)),
        exists().where(merged_in.merged_into == Deer.id),
    )


async def _plan(conn: AsyncConnection, selection: Selection) -> ForgetPlan:
    chosen = select(Image.id).where(selection.condition())
    images = int(await conn.scalar(select(func.count()).select_from(chosen.subquery())) or 0)
    detections = int(
        await conn.scalar(
            select(func.count()).select_from(Detection).where(Detection.image_id.in_(chosen))
        )
        or 0
    )
    sample = list(
        (
            await conn.execute(
                select(Image.path).where(selection.condition()).order_by(Image.path).limit(5)
            )
        ).scalars()
    )
    # Profiles whose every detection is among the forgotten photos' are left empty.
    affected = select(Detection.deer_id).where(
        Detection.image_id.in_(chosen), Detection.deer_id.is_not(None)
    )
    survives = exists().where(Detection.deer_id == Deer.id, Detection.image_id.not_in(chosen))
    emptied = (
        select(Deer.id, _touched_by_a_human())
        .where(Deer.id.in_(affected), Deer.status == ProfileStatus.ACTIVE.value, ~survives)
        .order_by(Deer.id)
    )
    rows = (await conn.execute(emptied)).all()
    return ForgetPlan(
        images,
        detections,
        deleted_profiles=[r[0] for r in rows if not r[1]],
        kept_profiles=[r[0] for r in rows if r[1]],
        sample_paths=sample,
    )


async def plan_forget(engine: AsyncEngine, selection: Selection) -> ForgetPlan:
    """What :func:`forget` would remove, removing nothing."""
    async with engine.connect() as conn:
        return await _plan(conn, selection)


async def forget(
    engine: AsyncEngine, selection: Selection, zone: tzinfo, actor: str = "cli"
) -> ForgetPlan:
    """Remove the selected photos, their detections and the profiles left empty that no human
    touched, in one transaction with one audit row; the history is rewritten. Raises
    :class:`NamingError` while a run is active or when nothing is selected."""
    async with engine.begin() as conn:
        active = (
            await conn.execute(
                select(Run.id, Run.status)
                .where(Run.status.in_([s.value for s in ACTIVE_RUN_STATUSES]))
                .with_for_update()
            )
        ).first()
        if active is not None:
            raise NamingError(
                f"run {active.id} is {active.status} and holds or will take these photos: "
                "forget them once it has ended (or `thumper cancel` it)"
            )
        plan = await _plan(conn, selection)
        if not plan.images:
            raise NamingError("no imported photo matches: nothing to forget")
        chosen = select(Image.id).where(selection.condition())
        affected = list(
            (
                await conn.execute(
                    select(Detection.deer_id)
                    .where(Detection.image_id.in_(chosen), Detection.deer_id.is_not(None))
                    .distinct()
                )
            ).scalars()
        )
        going = select(Detection.id).where(Detection.image_id.in_(chosen))
        await conn.execute(
            update(Deer)
            .where(Deer.primary_detection_id.in_(going))
            .values(primary_detection_id=None)
        )
        await conn.execute(delete(Detection).where(Detection.image_id.in_(chosen)))
        await conn.execute(delete(Image).where(selection.condition()))
        if plan.deleted_profiles:
            await conn.execute(delete(Deer).where(Deer.id.in_(plan.deleted_profiles)))
        await refresh_profiles(conn, [d for d in affected if d not in plan.deleted_profiles])
        await record_history(conn, zone, None)
        left = int(await conn.scalar(select(func.count()).select_from(Image)) or 0)
        await record_decision(
            conn,
            action="forget",
            actor=actor,
            before={
                **selection.describe(),
                "images": plan.images,
                "detections": plan.detections,
                "deleted_profiles": plan.deleted_profiles,
                "kept_profiles": plan.kept_profiles,
                "sample_paths": plan.sample_paths[:AUDITED_PATHS],
            },
            after={"images_left": left},
        )
    return plan
