"""Claiming images in batches with leases.

A worker claims pending images (and images whose lease expired: their worker died) by setting
``status = processing``, its id as ``lease_owner`` and a lease expiry. The heartbeat renews the
leases; a crashed worker's leases simply run out and the next claim takes those images back,
so nothing stays in ``processing`` for ever. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets
many workers claim at once without waiting on each other or taking the same image twice.

A reid-only run covers only images detected before (:func:`in_scope`): a photo imported since
stays pending for the next run that detects, never "done" with nothing found. An imported run
covers only the photos its detections file named.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Image, ImportedBoxes, Run
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.states import ACTIVE_RUN_STATUSES, ImageStatus, RunKind

LEASE = timedelta(seconds=120)


@dataclass(frozen=True)
class ClaimedImage:
    """What a worker needs to process one image."""

    id: int
    path: str
    width: int
    height: int
    camera_id: int
    taken_at: datetime


def in_scope(kind: str) -> ColumnElement[bool]:
    """The images a run of ``kind`` covers: for a reid-only run, those a run processed before
    (it re-identifies stored detections); for an imported run, those its file gave boxes
    (only one run is active at a time); every image otherwise."""
    if kind == RunKind.REID_ONLY:
        return Image.processed_by_run.is_not(None)
    if kind == RunKind.IMPORTED:
        active = select(Run.id).where(Run.status.in_([s.value for s in ACTIVE_RUN_STATUSES]))
        return Image.id.in_(select(ImportedBoxes.image_id).where(ImportedBoxes.run_id.in_(active)))
    return true()


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        Image.status == ImageStatus.PENDING.value,
        and_(Image.status == ImageStatus.PROCESSING.value, Image.lease_expires_at < now),
    )


async def claim_batch(
    engine: AsyncEngine,
    worker_id: uuid.UUID,
    size: int,
    lease: timedelta = LEASE,
    kind: str = RunKind.INCREMENTAL,
) -> list[ClaimedImage]:
    """Claim up to ``size`` images a run of ``kind`` covers for ``worker_id``, oldest first;
    empty when none is left."""
    now = utcnow()
    async with engine.begin() as conn:
        pick = (
            select(Image.id).where(_claimable(now), in_scope(kind)).order_by(Image.id).limit(size)
        )
        if conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        stmt = (
            update(Image)
            .where(Image.id.in_(pick.scalar_subquery()))
            .values(
                status=ImageStatus.PROCESSING.value,
                lease_owner=worker_id,
                lease_expires_at=now + lease,
                attempts=Image.attempts + 1,
            )
            .returning(
                Image.id, Image.path, Image.width, Image.height, Image.camera_id, Image.taken_at
            )
        )
        rows = (await conn.execute(stmt)).all()
    return sorted((ClaimedImage(*row) for row in rows), key=lambda c: c.id)


async def renew_leases(engine: AsyncEngine, worker_id: uuid.UUID, lease: timedelta = LEASE) -> int:
    """Push back the expiry of every image ``worker_id`` holds; returns how many.

    Rows locked by the worker's own batch write are skipped (PostgreSQL): that write settles
    them anyway, and waiting for it from a second connection could deadlock.
    """
    async with engine.begin() as conn:
        mine = (
            select(Image.id)
            .where(Image.lease_owner == worker_id, Image.status == ImageStatus.PROCESSING.value)
            .order_by(Image.id)
        )
        if conn.dialect.name == "postgresql":
            mine = mine.with_for_update(skip_locked=True)
        result = await conn.execute(
            update(Image)
            .where(Image.id.in_(mine.scalar_subquery()))
            .values(lease_expires_at=utcnow() + lease)
        )
    return int(result.rowcount or 0)


async def release(engine: AsyncEngine, worker_id: uuid.UUID) -> int:
    """Hand every image ``worker_id`` holds back to the pool (a clean stop or a pause)."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(Image)
            .where(Image.lease_owner == worker_id, Image.status == ImageStatus.PROCESSING.value)
            .values(status=ImageStatus.PENDING.value, lease_owner=None, lease_expires_at=None)
        )
    return int(result.rowcount or 0)
