"""The end of every run that re-identified: profiles that are one deer are merged.

The batches' online re-ID is strict, so a deer may end a run as several profiles; here they
merge by average linkage (:mod:`thumper_tui.reid.agglomerate`) at the run's merge threshold,
then each profile of a few detections may join the large profile it is most like at the lower
small-profile threshold. Two profiles never merge when they were seen in one photo together
(as two boxes not over one place), when both carry a name, or when a human said they are not
the same deer. Sex weighs as evidence: the detector's buck / doe calls plus the sex head's
reading of each profile's embeddings (:mod:`thumper_tui.reid.sex`) lower the linkage of
profiles that disagree, with the weights the run recorded; so do the cameras each profile was
seen at (deer keep to home ranges). A small profile this run founded, untouched by a human,
whose likeness leaves its sex in doubt is held back: its detections leave every profile, for a
human to place (``thumper unplaced``). The survivor is the named one, else the one with most
sightings, else the oldest; a merged profile created by this run is removed, an older one keeps
its row as ``merged`` into the survivor, so its id still leads somewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.engine.recipe import RunRecipe, recipe_columns
from thumper_tui.reid.embedder import shipped_sex_head
from thumper_tui.reid.evidence import ProfileFacts, Sighting, decide
from thumper_tui.reid.gallery import BANK_SIZE
from thumper_tui.store.models import Deer, Detection, Image, NotSameDeer, Run
from thumper_tui.vocabulary.codec import vector_from_bytes
from thumper_tui.vocabulary.states import ClearMode, ProfileStatus


async def consolidate(conn: AsyncConnection, run_id: int) -> int:
    """Merge this run's profiles (a rebuild's) or every live profile, as the run's recipe
    says; returns the merges."""
    run = (
        await conn.execute(
            select(
                Run.clear_mode,
                Run.started_at,
                Run.settings,
                *(getattr(Run, c) for c in recipe_columns()),
            ).where(Run.id == run_id)
        )
    ).one()
    recipe = RunRecipe.from_row(run)
    profiles, verified = await _profiles(conn, run_id, run.clear_mode, recipe.embedder)
    if len(profiles) < 2:
        return 0
    ids = [p.id for p in profiles]
    row = {pid: i for i, pid in enumerate(ids)}
    not_same = {
        (a, b) for a, b in await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))
    }
    c = recipe.consolidation
    untouched = (
        _untouched(profiles, verified, run.started_at, not_same)
        if c.sex_margin
        else [False] * len(profiles)
    )
    outcome = decide(
        await _sightings(conn, row, recipe.embedder),
        [
            ProfileFacts(p.name is not None or p.id in verified, h)
            for p, h in zip(profiles, untouched, strict=True)
        ],
        c,
        kept_apart=[(row[a], row[b]) for a, b in not_same if a in row and b in row],
        head=shipped_sex_head(recipe.embedder) if c.head_votes else None,
    )
    if outcome.merges:
        await _apply(conn, run_id, run.started_at, [(ids[g], ids[k]) for g, k in outcome.merges])
    if outcome.held:
        await _hold_back(conn, run_id, [ids[h] for h in outcome.held])
    return len(outcome.merges)


async def _profiles(
    conn: AsyncConnection, run_id: int, clear_mode: str, version: str
) -> tuple[list[Any], set[int]]:
    """The profiles to consolidate, survivors first (those a human named or verified a
    detection into, then most sightings, then oldest), and those holding a verified one."""
    query = select(Deer.id, Deer.name, Deer.notes, Deer.sightings, Deer.created_at).where(
        Deer.status == ProfileStatus.ACTIVE.value, Deer.bank_version == version
    )
    if clear_mode == ClearMode.ALL:
        query = query.where(Deer.built_by_run == run_id)
    # Locked to the end of consolidation (on PostgreSQL): a name or note given meanwhile waits,
    # then finds the profile as consolidation left it, never a profile merged under it.
    rows = (await conn.execute(query.order_by(Deer.id).with_for_update())).all()
    verified = {
        int(deer)
        for deer in await conn.scalars(
            select(Detection.deer_id)
            .where(Detection.deer_id.in_([r.id for r in rows]), Detection.verified)
            .distinct()
        )
        if deer is not None
    }
    decided = {r.id for r in rows if r.name is not None} | verified
    return sorted(rows, key=lambda r: (r.id not in decided, -r.sightings, r.id)), verified


async def _sightings(conn: AsyncConnection, row: dict[int, int], version: str) -> list[Sighting]:
    """Every detection of the profiles in ``row`` (profile id -> row), with its embedding when
    the run's embedder made it."""
    category = func.coalesce(Detection.corrected_category, Detection.category)
    rows = await conn.execute(
        select(
            Detection.deer_id,
            Detection.image_id,
            *Detection.box_columns(),
            category.label("vote"),
            Detection.embedding,
            Detection.embedding_version,
            Image.camera_id,
        )
        .join(Image, Image.id == Detection.image_id)
        .where(Detection.deer_id.in_(list(row)))
        .order_by(Detection.id)
    )
    return [
        Sighting(
            row[r.deer_id],
            r.image_id,
            (r.x1, r.y1, r.x2, r.y2),
            r.vote,
            vector_from_bytes(r.embedding)
            if r.embedding is not None and r.embedding_version == version
            else None,
            r.camera_id,
        )
        for r in rows
    ]


def _untouched(
    profiles: Sequence[Any], verified: set[int], started: Any, not_same: set[tuple[int, int]]
) -> list[bool]:
    """Which profiles this run founded that no human has touched: no name, no notes, no
    verified detection, no "not the same deer" decision. Only these may be held back."""
    decided = {deer for pair in not_same for deer in pair}
    return [
        started is not None
        and p.created_at >= started
        and p.name is None
        and not p.notes
        and p.id not in verified
        and p.id not in decided
        for p in profiles
    ]


async def _hold_back(conn: AsyncConnection, run_id: int, held: list[int]) -> None:
    """Take the detections of ``held`` profiles out of every profile, and remove the profiles
    (this run founded them): their sex is in doubt, so they are left for a human to place. Each
    detection records the run (``held_by_run``), which counts them (``held_detections``)."""
    taken = await conn.execute(
        update(Detection)
        .where(Detection.deer_id.in_(held))
        .values(deer_id=None, match_score=None, held_by_run=run_id)
    )
    # Profiles that merged into a held one before were removed with the merge.
    removed = await conn.execute(delete(Deer).where(Deer.id.in_(held)))
    await conn.execute(
        update(Run)
        .where(Run.id == run_id)
        .values(
            new_profiles=Run.new_profiles - removed.rowcount,
            held_detections=Run.held_detections + taken.rowcount,
        )
    )


async def _apply(
    conn: AsyncConnection, run_id: int, started: Any, merges: list[tuple[int, int]]
) -> None:
    absorbed: dict[int, list[int]] = defaultdict(list)
    for gone, keep in merges:
        await conn.execute(update(Detection).where(Detection.deer_id == gone).values(deer_id=keep))
        absorbed[keep].append(gone)
    gone_ids = [g for g, _ in merges]
    rows = {
        r.id: r
        for r in await conn.execute(
            select(
                Deer.id,
                Deer.created_at,
                Deer.exemplars,
                Deer.prototype,
                Deer.notes,
                Deer.primary_detection_id,
            ).where(Deer.id.in_(gone_ids + list(absorbed)))
        )
    }
    survivor = dict(merges)
    for gone in gone_ids:  # chains: a survivor may itself be absorbed later
        while survivor.get(survivor[gone]) is not None:
            survivor[gone] = survivor[survivor[gone]]
    for keep in {survivor[g] for g in gone_ids}:
        members = [keep] + [g for g in gone_ids if survivor[g] == keep]
        bank = b"".join(rows[m].exemplars or b"" for m in members)
        width = len(rows[keep].prototype or b"")  # one embedding's bytes
        values: dict[str, Any] = {"exemplars": bank[: BANK_SIZE * width] if width else bank}
        if rows[keep].primary_detection_id is None:
            values["primary_detection_id"] = next(
                (rows[m].primary_detection_id for m in members if rows[m].primary_detection_id),
                None,
            )
        await conn.execute(update(Deer).where(Deer.id == keep).values(**values))
    fresh = [g for g in gone_ids if started and rows[g].created_at >= started and not rows[g].notes]
    older = [g for g in gone_ids if g not in fresh]
    for gone in older:
        await conn.execute(
            update(Deer)
            .where(Deer.id == gone)
            .values(
                status=ProfileStatus.MERGED.value,
                merged_into=survivor[gone],
                primary_detection_id=None,
            )
        )
    if fresh:
        await conn.execute(delete(Deer).where(Deer.id.in_(fresh)))
        await conn.execute(
            update(Run).where(Run.id == run_id).values(new_profiles=Run.new_profiles - len(fresh))
        )
    await refresh_profiles(conn, [survivor[g] for g in gone_ids] + older)
