"""Duplicate-profile candidates: the pairs of live profiles most alike, for a human to review.

Two profiles are compared by their prototypes (the normalised mean of their embeddings, kept
with each profile); pairs a human said differ, pairs of incompatible categories (a buck and a
doe) and pairs made by other embedders are left out. The weekly report lists them and the
naming screens review them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.store.models import Deer, NotSameDeer
from thumper_tui.vocabulary.categories import compatible
from thumper_tui.vocabulary.codec import vector_from_bytes
from thumper_tui.vocabulary.states import ProfileStatus


@dataclass(frozen=True)
class Candidate:
    """Two live profiles and how alike their prototypes are (cosine similarity)."""

    a: int
    b: int
    a_name: str | None
    b_name: str | None
    similarity: float


async def duplicate_candidates(conn: AsyncConnection, limit: int = 10) -> list[Candidate]:
    """The ``limit`` most alike pairs of live profiles, most alike first."""
    rows = (
        await conn.execute(
            select(Deer.id, Deer.name, Deer.category, Deer.prototype, Deer.bank_version)
            .where(Deer.status == ProfileStatus.ACTIVE.value, Deer.prototype.is_not(None))
            .order_by(Deer.id)
        )
    ).all()
    if len(rows) < 2:
        return []
    apart = {
        frozenset(pair)
        for pair in await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))
    }
    pairs = []
    for version in {r.bank_version for r in rows}:
        group = [r for r in rows if r.bank_version == version]
        vectors = np.stack([vector_from_bytes(r.prototype) for r in group])
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        similarity = vectors @ vectors.T
        for i, a in enumerate(group):
            for j in range(i + 1, len(group)):
                b = group[j]
                if not compatible(a.category, b.category) or frozenset((a.id, b.id)) in apart:
                    continue
                pairs.append(
                    Candidate(a.id, b.id, a.name, b.name, round(float(similarity[i, j]), 4))
                )
    pairs.sort(key=lambda c: (-c.similarity, c.a, c.b))
    return pairs[:limit]
