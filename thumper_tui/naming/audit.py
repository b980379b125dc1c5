"""The audit of human decisions, and undo: ``thumper history``, ``thumper undo``.

Every human action is an audit row with what it changed from and to. ``undo`` restores the
``before`` of one row (default: the latest not yet undone) while what the row changed still
reads as its ``after``: a later change to the same thing must be undone first, and a detection
a reprocess has since replaced cannot be (the row says which). An undo is an audit row too.
Undone here: naming and renaming, notes, primary photos, category corrections (of a
detection or a whole profile), verified assignments, detections taken out of a profile,
profiles founded from one, "not the same deer", merges and splits
(:mod:`thumper_tui.naming.regroup`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.naming.corrections import restore_correction, restore_profile_correction
from thumper_tui.naming.decisions import recorded_detection
from thumper_tui.naming.names import NamingError, record_decision
from thumper_tui.naming.regroup import restore_merge, restore_split
from thumper_tui.store.models import Audit, Deer, Detection, NotSameDeer
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.states import ProfileStatus

UNDOABLE = (
    "name",
    "rename",
    "note",
    "primary",
    "correct",
    "correct_profile",
    "verify",
    "take_out",
    "found",
    "not_same",
    "merge",
    "split",
)


@dataclass(frozen=True)
class AuditRow:
    """One recorded human action."""

    id: int
    at: datetime
    action: str
    deer_id: int | None
    detection_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor: str | None
    undone_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """The ``thumper history --json`` shape."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat().replace("+00:00", "Z") if moment else None

        return {
            "id": self.id,
            "at": iso(self.at),
            "action": self.action,
            "profile": self.deer_id,
            "detection": self.detection_id,
            "before": self.before,
            "after": self.after,
            "actor": self.actor,
            "undone_at": iso(self.undone_at),
        }


async def history(
    engine: AsyncEngine, limit: int | None = None, *, after: int | None = None
) -> list[AuditRow]:
    """The audit, newest first (only rows newer than audit id ``after``, when given)."""
    query = select(Audit.__table__).order_by(Audit.id.desc())
    if after is not None:
        query = query.where(Audit.id > after)
    if limit is not None:
        query = query.limit(limit)
    async with engine.connect() as conn:
        return [
            AuditRow(
                r.id, r.ts, r.action, r.deer_id, r.detection_id, r.before, r.after, r.actor,
                r.undone_at,
            )
            for r in await conn.execute(query)
        ]  # fmt: skip


async def latest_audit_id(engine: AsyncEngine) -> int:
    """The newest audit row's id (0 for none): decisions made after it have larger ids."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.coalesce(func.max(Audit.id), 0))) or 0)


async def undo(engine: AsyncEngine, audit_id: int | None = None, actor: str = "cli") -> AuditRow:
    """Undo one audit row (default: the latest not undone); returns the row undone."""
    async with engine.begin() as conn:
        query = select(Audit.__table__)
        if audit_id is None:
            query = query.where(Audit.undone_at.is_(None), Audit.action.in_(UNDOABLE))
            query = query.order_by(Audit.id.desc()).limit(1)
        else:
            query = query.where(Audit.id == audit_id)
        r = (await conn.execute(query)).first()
        if r is None:
            raise NamingError("nothing to undo" if audit_id is None else f"no audit row {audit_id}")
        row = AuditRow(
            r.id, r.ts, r.action, r.deer_id, r.detection_id, r.before, r.after, r.actor,
            r.undone_at,
        )  # fmt: skip
        if row.undone_at is not None:
            raise NamingError(f"audit row {row.id} ({row.action}) was undone already")
        if row.action not in UNDOABLE:
            raise NamingError(f"a {row.action!r} cannot be undone here")
        try:
            await _RESTORE[row.action](conn, row)
        except IntegrityError:
            raise NamingError(
                f"audit row {row.id}: its old value is taken by another live profile now"
            ) from None
        now = utcnow()
        await conn.execute(update(Audit).where(Audit.id == row.id).values(undone_at=now))
        await record_decision(
            conn,
            ts=now,
            action="undo",
            deer_id=row.deer_id,
            detection_id=row.detection_id,
            before=row.after,
            after={**(row.before or {}), "undid": row.id},
            actor=actor,
        )
    return row


def _moved_on(row: AuditRow, what: str, now: Any) -> NamingError:
    return NamingError(
        f"audit row {row.id} ({row.action}): the {what} changed since (now {now!r}); "
        "undo the later change first"
    )


async def _restore_name(conn: AsyncConnection, row: AuditRow) -> None:
    current = (
        await conn.execute(select(Deer.name, Deer.status).where(Deer.id == row.deer_id))
    ).first()
    if current is None or current.status != ProfileStatus.ACTIVE.value:
        raise NamingError(f"audit row {row.id}: profile {row.deer_id} is no longer live")
    if current.name != (row.after or {}).get("name"):
        raise _moved_on(row, "name", current.name)
    old = (row.before or {}).get("name")
    await conn.execute(
        update(Deer)
        .where(Deer.id == row.deer_id)
        .values(name=old, named_at=None if old is None else utcnow())
    )


async def _restore_notes(conn: AsyncConnection, row: AuditRow) -> None:
    current = await conn.scalar(select(Deer.notes).where(Deer.id == row.deer_id))
    if current != (row.after or {}).get("notes"):
        raise _moved_on(row, "notes", current)
    await conn.execute(
        update(Deer).where(Deer.id == row.deer_id).values(notes=(row.before or {}).get("notes"))
    )


async def _restore_primary(conn: AsyncConnection, row: AuditRow) -> None:
    current = await conn.scalar(select(Deer.primary_detection_id).where(Deer.id == row.deer_id))
    if current != (row.after or {}).get("primary"):
        raise _moved_on(row, "primary photo", current)
    old = (row.before or {}).get("primary")
    if (
        old is not None
        and await conn.scalar(select(Detection.id).where(Detection.id == old)) is None
    ):
        old = None  # the old photo's detection was replaced by a reprocess: no primary photo
    await conn.execute(update(Deer).where(Deer.id == row.deer_id).values(primary_detection_id=old))


async def _detection(conn: AsyncConnection, row: AuditRow) -> Any:
    return await recorded_detection(conn, row.id, row.action, row.detection_id)


async def _restore_correction(conn: AsyncConnection, row: AuditRow) -> None:
    await restore_correction(conn, row.id, row.action, row.detection_id, row.before, row.after)


async def _restore_profile_correction(conn: AsyncConnection, row: AuditRow) -> None:
    await restore_profile_correction(conn, row.id, row.before, row.after)


async def _restore_verify(conn: AsyncConnection, row: AuditRow) -> None:
    found = await _detection(conn, row)
    after = row.after or {}
    if (found.deer_id, found.verified) != (after.get("deer_id"), after.get("verified")):
        raise _moved_on(row, "assignment", found.deer_id)
    before = row.before or {}
    await conn.execute(
        update(Detection)
        .where(Detection.id == row.detection_id)
        .values(deer_id=before.get("deer_id"), verified=bool(before.get("verified")))
    )
    await refresh_profiles(conn, [found.deer_id, before.get("deer_id")])


async def _restore_take_out(conn: AsyncConnection, row: AuditRow) -> None:
    await _restore_verify(conn, row)
    if (row.before or {}).get("primary"):  # it was the profile's photo: it is again
        await conn.execute(
            update(Deer)
            .where(Deer.id == row.deer_id, Deer.primary_detection_id.is_(None))
            .values(primary_detection_id=row.detection_id)
        )


async def _restore_found(conn: AsyncConnection, row: AuditRow) -> None:
    founded = (
        await conn.execute(select(Deer.name, Deer.notes, Deer.status).where(Deer.id == row.deer_id))
    ).first()
    if founded is not None and (founded.name or founded.notes):
        raise _moved_on(row, "founded profile (named or noted)", founded.name or founded.notes)
    await _restore_verify(conn, row)
    if founded is not None and not await conn.scalar(
        select(Detection.id).where(Detection.deer_id == row.deer_id).limit(1)
    ):
        await conn.execute(delete(Deer).where(Deer.id == row.deer_id))


async def _restore_not_same(conn: AsyncConnection, row: AuditRow) -> None:
    a, b = (row.after or {}).get("not_same") or (None, None)
    await conn.execute(delete(NotSameDeer).where(NotSameDeer.deer_a == a, NotSameDeer.deer_b == b))


async def _restore_merge(conn: AsyncConnection, row: AuditRow) -> None:
    await restore_merge(conn, row.id, row.before or {})


async def _restore_split(conn: AsyncConnection, row: AuditRow) -> None:
    await restore_split(conn, row.id, row.before or {}, int((row.after or {})["new_profile"]))


_RESTORE = {
    "name": _restore_name,
    "rename": _restore_name,
    "note": _restore_notes,
    "primary": _restore_primary,
    "correct": _restore_correction,
    "correct_profile": _restore_profile_correction,
    "verify": _restore_verify,
    "take_out": _restore_take_out,
    "found": _restore_found,
    "not_same": _restore_not_same,
    "merge": _restore_merge,
    "split": _restore_split,
}
