"""The end of a ``clear-mode all`` run: the rebuilt clusters are mapped onto the old profiles.

During the run every deer detection went into profiles this run built, each new detection
remembering the profile that held the same place in the same photo before (``prior_deer_id``).
Here each new cluster is paired with at most one old profile, maximising the detections they
share (the assignment problem), never pairing a cluster with a profile a human said differs
from one of its members. A paired cluster's detections and bank move onto the old profile, so
its id, name, notes and primary photo survive; the cluster row goes. An old profile left without
a pair keeps its row if a human touched it (name, notes, a "not the same deer" decision), and is
removed otherwise.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.reid.assignment import max_weight_pairs
from thumper_tui.reid.gallery import BANK_SIZE
from thumper_tui.store.models import Deer, Detection, NotSameDeer, Run
from thumper_tui.vocabulary.states import ProfileStatus

MIN_SHARE = 0.2  # of a cluster's detections that must have been the old profile's


async def map_rebuilt_profiles(conn: AsyncConnection, run_id: int) -> dict[int, int]:
    """Map run ``run_id``'s new clusters onto the old profiles; returns cluster -> profile."""
    started = await conn.scalar(select(Run.started_at).where(Run.id == run_id))
    live = (
        await conn.execute(
            select(Deer.id, Deer.built_by_run, Deer.created_at).where(
                Deer.status == ProfileStatus.ACTIVE.value
            )
        )
    ).all()
    clusters = [
        r.id for r in live if r.built_by_run == run_id and started and r.created_at >= started
    ]
    # Old profiles include those a verified detection already brought into this run: the
    # rest of that deer's detections may sit in a new cluster that belongs with them.
    olds = [r.id for r in live if r.id not in set(clusters)]
    in_play = {r.id for r in live if r.built_by_run == run_id} - set(clusters)
    if not clusters or not olds:
        await _drop_untouched(conn, olds)
        return {}
    shared: dict[tuple[int, int], int] = defaultdict(int)
    sizes: dict[int, int] = defaultdict(int)
    rows = await conn.execute(
        select(Detection.deer_id, Detection.prior_deer_id, func.count())
        .where(Detection.deer_id.in_(clusters))
        .group_by(Detection.deer_id, Detection.prior_deer_id)
    )
    for cluster, prior, count in rows:
        if cluster is None:
            continue
        sizes[cluster] += count
        if prior is not None:
            shared[(cluster, prior)] += count
    banned = defaultdict(set)
    for a, b in await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b)):
        banned[a].add(b)
        banned[b].add(a)
    priors_of = defaultdict(set)
    for cluster, prior in shared:
        priors_of[cluster].add(prior)
    weights = np.zeros((len(clusters), len(olds)))
    for i, cluster in enumerate(clusters):
        forbidden = (
            set().union(*(banned[p] for p in priors_of[cluster])) if priors_of[cluster] else set()
        )
        for j, old in enumerate(olds):
            count = shared.get((cluster, old), 0)
            if old not in forbidden and count >= max(1, MIN_SHARE * sizes[cluster]):
                weights[i, j] = count
    mapping = {clusters[i]: olds[j] for i, j in max_weight_pairs(weights)}
    for cluster, old in mapping.items():
        bank = (
            await conn.execute(
                select(Deer.category, Deer.exemplars, Deer.prototype, Deer.bank_version).where(
                    Deer.id == cluster
                )
            )
        ).one()
        exemplars = bank.exemplars
        if old in in_play:  # keep the verified exemplars too
            held = await conn.scalar(select(Deer.exemplars).where(Deer.id == old))
            exemplars = _combined(held, exemplars, len(bank.prototype or b""))
        await conn.execute(
            update(Detection).where(Detection.deer_id == cluster).values(deer_id=old)
        )
        await conn.execute(
            update(Deer)
            .where(Deer.id == old)
            .values(
                category=bank.category,
                exemplars=exemplars,
                prototype=bank.prototype,
                bank_version=bank.bank_version,
                built_by_run=run_id,
            )
        )
        await conn.execute(delete(Deer).where(Deer.id == cluster))
    await _drop_untouched(conn, [o for o in olds if o not in set(mapping.values())])
    # A primary photo only stays where its detection still belongs to the profile.
    owner = (
        select(Detection.deer_id).where(Detection.id == Deer.primary_detection_id).scalar_subquery()
    )
    await conn.execute(
        update(Deer)
        .where(Deer.primary_detection_id.is_not(None), or_(owner.is_(None), owner != Deer.id))
        .values(primary_detection_id=None)
    )
    await refresh_profiles(conn, list(mapping.values()))
    return mapping


def _combined(first: bytes | None, second: bytes | None, width: int) -> bytes | None:
    """Two stored banks (rows of ``width`` bytes) as one of at most ``BANK_SIZE`` exemplars,
    the second's first."""
    return ((second or b"") + (first or b""))[: BANK_SIZE * width] or None


async def _drop_untouched(conn: AsyncConnection, olds: list[int]) -> None:
    """Remove old profiles that lost every detection and carry no human decision."""
    if not olds:
        return
    decided = set(
        await conn.scalars(select(NotSameDeer.deer_a).where(NotSameDeer.deer_a.in_(olds)))
    ) | set(await conn.scalars(select(NotSameDeer.deer_b).where(NotSameDeer.deer_b.in_(olds))))
    referenced = set(await conn.scalars(select(Deer.merged_into).where(Deer.merged_into.in_(olds))))
    empty = set(olds) - set(
        await conn.scalars(select(Detection.deer_id).where(Detection.deer_id.in_(olds)).distinct())
    )
    await refresh_profiles(conn, olds)
    doomed = select(Deer.id).where(
        Deer.id.in_(sorted(empty - decided - referenced)), Deer.name.is_(None), Deer.notes.is_(None)
    )
    ids = list(await conn.scalars(doomed))
    if ids:
        await conn.execute(delete(Deer).where(Deer.id.in_(ids)))
