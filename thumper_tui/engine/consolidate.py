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
from itertools import groupby
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.engine.embed import from_bytes
from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.reid.agglomerate import (
    HAUNT_WEIGHT,
    HEAD_VOTES,
    MAIN_SEX_WEIGHT,
    SEX_MARGIN,
    SEX_WEIGHT,
    TOGETHER_MAX_IOU,
    Haunts,
    SexVotes,
    consolidation,
    seen_together,
    with_head_votes,
)
from thumper_tui.reid.embedder import shipped_sex_head
from thumper_tui.reid.gallery import BANK_SIZE
from thumper_tui.store.models import Deer, Detection, Image, NotSameDeer, ProfileStatus, Run


async def _together(conn: AsyncConnection, ids: list[int], max_iou: float) -> set[tuple[int, int]]:
    """Pairs of profiles seen in one photo as two deer (:func:`seen_together`)."""
    rows = await conn.execute(
        select(Detection.image_id, Detection.deer_id, *Detection.box_columns())
        .where(Detection.deer_id.in_(ids))
        .order_by(Detection.image_id)
    )
    photos = (
        [(int(r.deer_id), (r.x1, r.y1, r.x2, r.y2)) for r in found]
        for _, found in groupby(rows, key=lambda r: r.image_id)
    )
    return seen_together(photos, max_iou)


async def consolidate(
    conn: AsyncConnection, run_id: int, threshold: float, small_threshold: float | None = None
) -> int:
    """Merge this run's profiles (a rebuild's) or every live profile; returns the merges.

    ``small_threshold``: the lower average linkage at which a profile of few detections may
    still join another (see :func:`thumper_tui.reid.agglomerate.consolidation`)."""
    run = (
        await conn.execute(
            select(Run.clear_mode, Run.started_at, Run.settings).where(Run.id == run_id)
        )
    ).one()
    version = str((run.settings or {}).get("embedder", ""))
    query = select(
        Deer.id,
        Deer.name,
        Deer.notes,
        Deer.category,
        Deer.sightings,
        Deer.created_at,
        Deer.exemplars,
        Deer.bank_version,
    ).where(Deer.status == ProfileStatus.ACTIVE.value, Deer.bank_version == version)
    if run.clear_mode == "all":
        query = query.where(Deer.built_by_run == run_id)
    profiles = sorted(
        (await conn.execute(query)).all(), key=lambda r: (r.name is None, -r.sightings, r.id)
    )
    if len(profiles) < 2:
        return 0
    ids = [p.id for p in profiles]
    row = {pid: i for i, pid in enumerate(ids)}
    sums: np.ndarray[Any, Any] | None = None
    counts = np.zeros(len(ids))
    seen_at: dict[tuple[int, int], int] = defaultdict(int)  # (profile row, camera) -> detections
    embeddings = await conn.execute(
        select(Detection.deer_id, Detection.embedding, Image.camera_id)
        .join(Image, Image.id == Detection.image_id)
        .where(
            Detection.deer_id.in_(ids),
            Detection.embedding.is_not(None),
            Detection.embedding_version == version,
        )
    )
    for deer_id, blob, camera in embeddings:
        if deer_id is None or blob is None:
            continue
        vector = from_bytes(blob)
        if sums is None:
            sums = np.zeros((len(ids), len(vector)))
        sums[row[deer_id]] += vector
        counts[row[deer_id]] += 1
        seen_at[row[deer_id], camera] += 1
    if sums is None:
        return 0
    apart = np.zeros((len(ids), len(ids)), dtype=bool)
    for i, a in enumerate(profiles):
        for j, b in enumerate(profiles):
            apart[i, j] = a.name is not None and b.name is not None
    apart[counts == 0, :] = True  # nothing to compare a profile without embeddings by
    apart[:, counts == 0] = True
    max_iou = float((run.settings or {}).get("together_max_iou", TOGETHER_MAX_IOU))
    not_same = {
        (a, b) for a, b in await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))
    }
    for first, second in await _together(conn, ids, max_iou) | not_same:
        if first in row and second in row:
            apart[row[first], row[second]] = apart[row[second], row[first]] = True
    # The weights the run recorded (runs from before they were recorded: today's).
    evidence = (run.settings or {}).get("sex_evidence", {})
    votes = await _sex_votes(conn, ids, row, float(evidence.get("small_pass_weight", SEX_WEIGHT)))
    head_votes = float(evidence.get("head_votes", HEAD_VOTES))
    head = shipped_sex_head(version) if head_votes else None
    if head is not None:
        votes = with_head_votes(votes, head.buck_probability(sums, counts), head_votes)
    main_weight = float(evidence.get("first_pass_weight", MAIN_SEX_WEIGHT))
    haunt_weight = float((run.settings or {}).get("haunt_weight", HAUNT_WEIGHT))
    haunts = _haunts(seen_at, len(ids), haunt_weight) if haunt_weight else None
    sex_margin = float((run.settings or {}).get("sex_margin", SEX_MARGIN))
    outcome = consolidation(
        sums,
        counts,
        apart,
        threshold,
        small_threshold,
        votes,
        main_weight=main_weight,
        haunts=haunts,
        sex_margin=sex_margin,
        holdable=await _untouched(conn, profiles, run.started_at, not_same) if sex_margin else None,
    )
    if outcome.merges:
        await _apply(conn, run_id, run.started_at, [(ids[g], ids[k]) for g, k in outcome.merges])
    if outcome.held:
        await _hold_back(conn, run_id, [ids[h] for h in outcome.held])
    return len(outcome.merges)


async def _untouched(
    conn: AsyncConnection, profiles: list[Any], started: Any, not_same: set[tuple[int, int]]
) -> np.ndarray[Any, Any]:
    """Which profiles this run founded that no human has touched: no name, no notes, no
    verified detection, no "not the same deer" decision. Only these may be held back."""
    verified = set(
        await conn.scalars(
            select(Detection.deer_id)
            .where(Detection.deer_id.in_([p.id for p in profiles]), Detection.verified)
            .distinct()
        )
    )
    decided = {deer for pair in not_same for deer in pair}
    return np.array(
        [
            started is not None
            and p.created_at >= started
            and p.name is None
            and not p.notes
            and p.id not in verified
            and p.id not in decided
            for p in profiles
        ],
        dtype=bool,
    )


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


async def _sex_votes(
    conn: AsyncConnection, ids: list[int], row: dict[int, int], weight: float
) -> SexVotes:
    """Each profile's detections the detector (or a human's correction) called buck and doe."""
    category = func.coalesce(Detection.corrected_category, Detection.category)
    bucks, does = np.zeros(len(ids)), np.zeros(len(ids))
    for deer_id, cat, n in await conn.execute(
        select(Detection.deer_id, category, func.count())
        .where(Detection.deer_id.in_(ids), category.in_(("buck", "doe")))
        .group_by(Detection.deer_id, category)
    ):
        if deer_id is not None:
            (bucks if cat == "buck" else does)[row[deer_id]] += n
    return SexVotes(bucks, does, weight)


def _haunts(seen_at: dict[tuple[int, int], int], profiles: int, weight: float) -> Haunts:
    """Each profile's detections per camera, as a profiles x cameras matrix."""
    column = {camera: i for i, camera in enumerate(sorted({c for _, c in seen_at}))}
    cameras: np.ndarray[Any, Any] = np.zeros((profiles, max(len(column), 1)))
    for (profile, camera), n in seen_at.items():
        cameras[profile, column[camera]] += n
    return Haunts(cameras, weight)


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
