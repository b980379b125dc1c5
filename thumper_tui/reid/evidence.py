"""What a run's end weighs when it consolidates profiles, built once for the engine and the lab.

The engine reads its sightings from the database (:mod:`thumper_tui.engine.consolidate`); the
threshold replay makes them from a synthetic ranch's truth (:mod:`thumper_tui.lab.reid.replay`).
Both hand them to :func:`decide`, so thresholds are chosen on the engine's own model: the same
sex votes (and the sex head's), the same cameras, the same kept-apart pairs and the same rule
for holding a profile of doubtful sex back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from thumper_tui.reid.agglomerate import (
    HAUNT_WEIGHT,
    HEAD_VOTES,
    MAIN_SEX_WEIGHT,
    SEX_MARGIN,
    SEX_WEIGHT,
    TOGETHER_MAX_IOU,
    Consolidated,
    Haunts,
    SexVotes,
    consolidation,
    seen_together,
    with_head_votes,
)
from thumper_tui.reid.sex import SexHead
from thumper_tui.vocabulary.boxes import Box


@dataclass(frozen=True)
class ConsolidationRecipe:
    """Every parameter of a run's consolidation. Without a ``merge_threshold`` a run does not
    consolidate (runs recorded before consolidation existed); the other defaults are today's."""

    merge_threshold: float | None = None
    small_threshold: float | None = None
    first_pass_sex_weight: float = MAIN_SEX_WEIGHT
    small_pass_sex_weight: float = SEX_WEIGHT
    head_votes: float = HEAD_VOTES
    haunt_weight: float = HAUNT_WEIGHT
    together_max_iou: float = TOGETHER_MAX_IOU
    sex_margin: float = SEX_MARGIN


@dataclass(frozen=True)
class Sighting:
    """One detection in a profile, as consolidation weighs it.

    ``profile`` is its profile's row; ``photo`` any key of its photo; ``vote`` its category
    (a human's correction first), which counts as a sex vote when it is buck or doe. Only a
    sighting with a ``vector`` (an embedding of the run's embedder) adds to its profile's
    likeness and to where the profile was seen (``camera``)."""

    profile: int
    photo: Hashable
    box: Box
    vote: str
    vector: np.ndarray[Any, Any] | None = None
    camera: Hashable | None = None


@dataclass(frozen=True)
class ProfileFacts:
    """What consolidation needs to know of a profile beyond its sightings: whether a human
    decided who it is (named it, or verified a detection into it: two such profiles never
    merge, since either's detections would move to the other deer), and whether it may be held
    back (this run founded it and no human touched it)."""

    decided: bool = False
    holdable: bool = True


def decide(
    sightings: Iterable[Sighting],
    profiles: Sequence[ProfileFacts],
    recipe: ConsolidationRecipe,
    *,
    kept_apart: Iterable[tuple[int, int]] = (),
    head: SexHead | None = None,
) -> Consolidated:
    """The merges and held-back profiles among ``profiles`` (rows, survivors first: a merge
    keeps the earlier row), from their ``sightings``; ``kept_apart`` adds pairs of rows a human
    said differ. Nothing to decide (fewer than two profiles, no recipe threshold, or no
    embeddings at all) is no merge."""
    n = len(profiles)
    if n < 2 or recipe.merge_threshold is None:
        return Consolidated([], [])
    sums: np.ndarray[Any, Any] | None = None
    counts = np.zeros(n)
    bucks, does = np.zeros(n), np.zeros(n)
    seen_at: dict[tuple[int, Hashable], int] = defaultdict(int)
    photos: dict[Hashable, list[tuple[int, Box]]] = defaultdict(list)
    for sighting in sightings:
        row = sighting.profile
        photos[sighting.photo].append((row, sighting.box))
        bucks[row] += sighting.vote == "buck"
        does[row] += sighting.vote == "doe"
        if sighting.vector is None:
            continue
        if sums is None:
            sums = np.zeros((n, len(sighting.vector)))
        sums[row] += sighting.vector
        counts[row] += 1
        seen_at[row, sighting.camera] += 1
    if sums is None:
        return Consolidated([], [])
    apart = _apart(profiles, counts, seen_together(photos.values(), recipe.together_max_iou))
    for a, b in kept_apart:
        apart[a, b] = apart[b, a] = True
    votes = SexVotes(bucks, does, recipe.small_pass_sex_weight)
    if head is not None and recipe.head_votes:
        votes = with_head_votes(votes, head.buck_probability(sums, counts), recipe.head_votes)
    holdable = np.array([p.holdable for p in profiles], dtype=bool) if recipe.sex_margin else None
    return consolidation(
        sums,
        counts,
        apart,
        recipe.merge_threshold,
        recipe.small_threshold,
        votes,
        main_weight=recipe.first_pass_sex_weight,
        haunts=_haunts(seen_at, n, recipe.haunt_weight) if recipe.haunt_weight else None,
        sex_margin=recipe.sex_margin,
        holdable=holdable,
    )


def _apart(
    profiles: Sequence[ProfileFacts], counts: np.ndarray[Any, Any], together: set[tuple[int, int]]
) -> np.ndarray[Any, Any]:
    """Pairs that never merge: both decided by a human, seen together, or one without any
    embedding."""
    decided = np.array([p.decided for p in profiles], dtype=bool)
    apart: np.ndarray[Any, Any] = decided[:, None] & decided[None, :]
    apart[counts == 0, :] = True  # nothing to compare a profile without embeddings by
    apart[:, counts == 0] = True
    for a, b in together:
        apart[a, b] = apart[b, a] = True
    return apart


def _haunts(seen_at: dict[tuple[int, Hashable], int], profiles: int, weight: float) -> Haunts:
    """Each profile's embedded detections per camera, as a profiles x cameras matrix."""
    column = {camera: i for i, camera in enumerate(sorted({c for _, c in seen_at}))}  # type: ignore[type-var]
    cameras: np.ndarray[Any, Any] = np.zeros((profiles, max(len(column), 1)))
    for (profile, camera), count in seen_at.items():
        cameras[profile, column[camera]] += count
    return Haunts(cameras, weight)
