"""A human's merge of two profiles, and split of some detections into a profile of their own.

Both are written as the decisions every reprocess already keeps: a merged or split-off
detection becomes a verified assignment (a box found again at its place keeps that profile,
whatever the clear mode), and a split records that the two profiles are not the same deer (no
re-ID or consolidation joins them again). A merged profile keeps its row as ``merged`` into the
survivor, with its audit, so its id still leads somewhere; its name retires unless the survivor
had none. Each is an audit row holding what it changed, so ``thumper undo`` can take it back
while the detections it moved are still where it left them.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.engine.profiles import prototype_of, refresh_profiles
from thumper_tui.naming.decisions import live_profile
from thumper_tui.naming.names import NamingError, record_decision
from thumper_tui.reid.gallery import BANK_SIZE
from thumper_tui.store.models import Deer, Detection, NotSameDeer
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.codec import bank_from_bytes, dimension_of, vector_to_bytes
from thumper_tui.vocabulary.states import ProfileStatus

PROFILE_FIELDS = ("name", "notes", "primary_detection_id", "category")


def _blob(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode() if data is not None else None


def unblob(text: str | None) -> bytes | None:
    """A bank as an audit row keeps it."""
    return base64.b64decode(text) if text is not None else None


def _kept(row: Any) -> dict[str, Any]:
    """What a merge or split may change of a profile, to put back on undo."""
    return {**{f: getattr(row, f) for f in PROFILE_FIELDS}, "exemplars": _blob(row.exemplars)}


async def _said_to_differ(conn: AsyncConnection, a: int, b: int) -> bool:
    low, high = sorted((a, b))
    found = await conn.scalar(
        select(NotSameDeer.deer_a).where(NotSameDeer.deer_a == low, NotSameDeer.deer_b == high)
    )
    return found is not None


async def merge_profiles(engine: AsyncEngine, source: int, target: int, actor: str = "cli") -> int:
    """Merge profile ``source`` into ``target``; returns how many detections moved."""
    if source == target:
        raise NamingError("a profile cannot be merged into itself")
    async with engine.begin() as conn:
        # Locked in id order, as consolidation locks them: two merges never wait on each other.
        locked = {pid: await live_profile(conn, pid) for pid in sorted((source, target))}
        gone, keep = locked[source], locked[target]
        if await _said_to_differ(conn, source, target):
            raise NamingError(
                f"profiles {source} and {target} were said to be different deer; undo that first"
            )
        moved = (
            await conn.execute(
                select(Detection.id, Detection.verified)
                .where(Detection.deer_id == source)
                .order_by(Detection.id)
            )
        ).all()
        pairs = [
            (a, b)
            for a, b in await conn.execute(
                select(NotSameDeer.deer_a, NotSameDeer.deer_b).where(
                    or_(NotSameDeer.deer_a == source, NotSameDeer.deer_b == source)
                )
            )
        ]
        taken_over = []  # "not the same deer" decisions the survivor takes on
        for a, b in pairs:
            other = b if a == source else a
            low, high = sorted((other, target))
            if other != target and not await _said_to_differ(conn, low, high):
                await conn.execute(
                    insert(NotSameDeer).values(deer_a=low, deer_b=high, created_at=utcnow())
                )
                taken_over.append([low, high])
        survivor: dict[str, Any] = {"exemplars": _merged_bank(keep, gone)}
        if keep.name is None and gone.name is not None:
            survivor["name"] = gone.name
        if gone.notes:
            survivor["notes"] = f"{keep.notes} / {gone.notes}" if keep.notes else gone.notes
        if keep.primary_detection_id is None:
            survivor["primary_detection_id"] = gone.primary_detection_id
        await conn.execute(
            update(Deer)
            .where(Deer.id == source)
            .values(
                status=ProfileStatus.MERGED.value,
                merged_into=target,
                primary_detection_id=None,
                name=None if "name" in survivor else gone.name,
            )
        )
        await conn.execute(update(Deer).where(Deer.id == target).values(**survivor))
        await conn.execute(
            update(Detection)
            .where(Detection.deer_id == source)
            .values(deer_id=target, verified=True)
        )
        await refresh_profiles(conn, [target, source])
        await record_decision(
            conn,
            action="merge",
            deer_id=source,
            before={
                "source_id": source,
                "target_id": target,
                "source": _kept(gone),
                "target": _kept(keep),
                "detections": [[r.id, r.verified] for r in moved],
                "not_same_added": taken_over,
            },
            after={"merged_into": target},
            actor=actor,
        )
    return len(moved)


def _merged_bank(keep: Any, gone: Any) -> bytes | None:
    """The survivor's exemplar bank with the merged profile's after it, up to the bank size
    (rows of one embedding, as long as a prototype); banks of two embedders do not mix."""
    kept: bytes | None = keep.exemplars
    merged: bytes | None = gone.exemplars
    if not merged or gone.bank_version != keep.bank_version:
        return kept
    if not kept:
        return merged
    width = len(keep.prototype or gone.prototype or b"")
    bank = kept + merged
    return bank[: BANK_SIZE * width] if width else bank


async def insert_profile(
    conn: AsyncConnection, category: str, embeddings: Sequence[bytes], version: str | None
) -> int:
    """A new live profile of ``category`` whose bank holds ``embeddings`` (made by embedder
    ``version``; the first :data:`BANK_SIZE`); returns its id."""
    bank, prototype = None, None
    if embeddings:
        dim = dimension_of(embeddings[0])
        stacked = np.concatenate([bank_from_bytes(v, dim) for v in embeddings])[:BANK_SIZE]
        bank, prototype = vector_to_bytes(stacked), prototype_of(stacked)
    inserted = await conn.execute(
        insert(Deer)
        .values(
            category=category,
            status=ProfileStatus.ACTIVE.value,
            exemplars=bank,
            prototype=prototype,
            bank_version=version,
        )
        .returning(Deer.id)
    )
    return int(inserted.scalar_one())


async def split_profile(
    engine: AsyncEngine, profile_id: int, detection_ids: Sequence[int], actor: str = "cli"
) -> int:
    """Move ``detection_ids`` (some, not all, of ``profile_id``'s) into a new profile, said to
    be another deer than ``profile_id``; returns the new profile's id."""
    wanted = sorted(set(detection_ids))
    if not wanted:
        raise NamingError("name the detections to split off")
    async with engine.begin() as conn:
        old = await live_profile(conn, profile_id)
        rows = (
            await conn.execute(
                select(
                    Detection.id,
                    Detection.deer_id,
                    Detection.verified,
                    Detection.category,
                    Detection.corrected_category,
                    Detection.embedding,
                    Detection.embedding_version,
                ).where(Detection.deer_id == profile_id)
            )
        ).all()
        mine = {r.id: r for r in rows}
        strangers = [d for d in wanted if d not in mine]
        if strangers:
            raise NamingError(
                f"detection(s) {', '.join(map(str, strangers))} not in profile {profile_id}"
            )
        if len(wanted) == len(rows):
            raise NamingError(f"that is every detection of profile {profile_id}: nothing is left")
        split = [mine[d] for d in wanted]
        category = Counter(r.corrected_category or r.category for r in split).most_common(1)[0][0]
        vectors = [
            r.embedding
            for r in split
            if r.embedding is not None and r.embedding_version == old.bank_version
        ]
        new_id = await insert_profile(conn, category, vectors, old.bank_version)
        await conn.execute(
            update(Detection).where(Detection.id.in_(wanted)).values(deer_id=new_id, verified=True)
        )
        if old.primary_detection_id in wanted:
            await conn.execute(
                update(Deer).where(Deer.id == profile_id).values(primary_detection_id=None)
            )
        low, high = sorted((profile_id, new_id))
        await conn.execute(insert(NotSameDeer).values(deer_a=low, deer_b=high, created_at=utcnow()))
        await refresh_profiles(conn, [profile_id, new_id])
        await record_decision(
            conn,
            action="split",
            deer_id=profile_id,
            before={
                "profile_id": profile_id,
                "profile": _kept(old),
                "detections": [[r.id, r.verified] for r in split],
            },
            after={"new_profile": new_id},
            actor=actor,
        )
    return new_id


def _moved_on(row_id: int, what: str) -> NamingError:
    return NamingError(f"audit row {row_id}: {what} changed since; undo the later change first")


async def _still_at(conn: AsyncConnection, row_id: int, ids: list[int], owner: int) -> None:
    """Every detection in ``ids`` still exists and is ``owner``'s, or a clear refusal."""
    query = select(Detection.id, Detection.deer_id).where(Detection.id.in_(ids))
    found: dict[int, int | None] = {int(r.id): r.deer_id for r in await conn.execute(query)}
    missing = [d for d in ids if d not in found]
    if missing:
        raise NamingError(
            f"audit row {row_id}: detection(s) {', '.join(map(str, missing[:5]))} were replaced "
            "by a reprocess since; regroup the detections now at their places instead"
        )
    if any(found[d] != owner for d in ids):
        raise _moved_on(row_id, f"the detections of profile {owner}")


def _profile_values(kept: dict[str, Any]) -> dict[str, Any]:
    return {**{f: kept[f] for f in PROFILE_FIELDS}, "exemplars": unblob(kept["exemplars"])}


async def restore_merge(conn: AsyncConnection, row_id: int, before: dict[str, Any]) -> None:
    """Undo a merge: the merged profile comes back with its detections, name and notes."""
    source, target = before["source"], before["target"]
    merged = [d for d, _ in before["detections"]]
    target_id = int(before["target_id"])
    profile_id = int(before["source_id"])
    now = (
        await conn.execute(select(Deer.status, Deer.merged_into).where(Deer.id == profile_id))
    ).one()
    if now.status != ProfileStatus.MERGED.value or now.merged_into != target_id:
        raise _moved_on(row_id, f"profile {profile_id}")
    current = (await conn.execute(select(Deer.name).where(Deer.id == target_id))).one()
    if current.name != (target["name"] or source["name"]):
        raise _moved_on(row_id, f"the name of profile {target_id}")
    await _still_at(conn, row_id, merged, target_id)
    for detection_id, verified in before["detections"]:
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(deer_id=profile_id, verified=bool(verified))
        )
    await conn.execute(update(Deer).where(Deer.id == target_id).values(**_profile_values(target)))
    await conn.execute(
        update(Deer)
        .where(Deer.id == profile_id)
        .values(status=ProfileStatus.ACTIVE.value, merged_into=None, **_profile_values(source))
    )
    for low, high in before["not_same_added"]:
        await conn.execute(
            delete(NotSameDeer).where(NotSameDeer.deer_a == low, NotSameDeer.deer_b == high)
        )
    await refresh_profiles(conn, [profile_id, target_id])


async def restore_split(
    conn: AsyncConnection, row_id: int, before: dict[str, Any], new_id: int
) -> None:
    """Undo a split: the split-off detections go back and the new profile goes."""
    profile_id = int(before["profile_id"])
    new = (
        await conn.execute(select(Deer.status, Deer.name, Deer.notes).where(Deer.id == new_id))
    ).first()
    if new is None or new.status != ProfileStatus.ACTIVE.value or new.name or new.notes:
        raise _moved_on(row_id, f"profile {new_id} (named, noted or merged)")
    ids = [d for d, _ in before["detections"]]
    await _still_at(conn, row_id, ids, new_id)
    others = await conn.scalar(
        select(Detection.id).where(Detection.deer_id == new_id, Detection.id.not_in(ids))
    )
    if others is not None:
        raise _moved_on(row_id, f"the detections of profile {new_id}")
    for detection_id, verified in before["detections"]:
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(deer_id=profile_id, verified=bool(verified))
        )
    primary = before["profile"]["primary_detection_id"]
    if primary in ids:
        await conn.execute(
            update(Deer).where(Deer.id == profile_id).values(primary_detection_id=primary)
        )
    low, high = sorted((profile_id, new_id))
    await conn.execute(
        delete(NotSameDeer).where(NotSameDeer.deer_a == low, NotSameDeer.deer_b == high)
    )
    await conn.execute(delete(Deer).where(Deer.id == new_id))
    await refresh_profiles(conn, [profile_id])
