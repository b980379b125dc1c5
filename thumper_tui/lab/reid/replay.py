"""The engine's re-ID replayed on true boxes: how a threshold is chosen from evidence.

Photos are taken in the order the engine takes them (import order: by path), each deer linked
through its burst and matched against the gallery exactly as in
:mod:`thumper_tui.engine.reidentify`, and the profiles scored with B-cubed against the truth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from thumper_tui.lab.reid.dataset import TruthCrop
from thumper_tui.reid.bursts import BURST_SECONDS, Seen, link
from thumper_tui.reid.evidence import ConsolidationRecipe, ProfileFacts, Sighting, decide
from thumper_tui.reid.gallery import Gallery, assign_photo
from thumper_tui.reid.sex import SexHead
from thumper_tui.vocabulary.bcubed import BCubed, bcubed
from thumper_tui.vocabulary.categories import SEXES


@dataclass(frozen=True)
class Replay:
    """The outcome of one replay."""

    threshold: float
    profiles: int
    individuals: int
    score: BCubed
    mixed_category_profiles: int
    merge_threshold: float | None = None
    small_threshold: float | None = None
    unplaced: int = 0  # crops held back from every profile (not scored, as in ``eval reid``)


def replay(
    crops: Sequence[TruthCrop],
    vectors: np.ndarray[Any, Any],
    threshold: float,
    merge_threshold: float | None = None,
    small_threshold: float | None = None,
    head: SexHead | None = None,
) -> Replay:
    """Cluster ``crops`` (with their ``vectors``) as the engine would, then (with a
    ``merge_threshold``) consolidate as a run's end does, with the engine's other weights and
    the sex ``head``, and score the crops left in profiles."""
    by_file: dict[str, list[int]] = {}
    for i, crop in enumerate(crops):
        by_file.setdefault(crop.file, []).append(i)
    gallery = Gallery(threshold)
    labels = [0] * len(crops)
    last: dict[str, tuple[datetime, list[Seen]]] = {}
    for file in sorted(by_file):
        members = by_file[file]
        first = crops[members[0]]
        taken_at = datetime.fromisoformat(first.taken_at)
        boxes = [crops[i].photo_box for i in members]
        categories = [crops[i].category for i in members]
        previous = last.get(first.camera)
        if previous and 0 <= (taken_at - previous[0]).total_seconds() <= BURST_SECONDS:
            linked = link(previous[1], boxes, categories)
        else:
            linked = [None] * len(members)
        decided = assign_photo(gallery, [vectors[i] for i in members], categories, linked)
        seen = []
        for i, box, category, (key, _) in zip(members, boxes, categories, decided, strict=True):
            assert key is not None  # true boxes may always found a profile
            labels[i] = key
            seen.append(Seen(box, category, key))
        last[first.camera] = (taken_at, seen)
    placed: list[int | None] = list(labels)
    if merge_threshold is not None:
        recipe = ConsolidationRecipe(merge_threshold, small_threshold)
        placed = consolidated(crops, vectors, labels, recipe, head)
    kept = [(key, crop) for key, crop in zip(placed, crops, strict=True) if key is not None]
    cats: dict[int, set[str]] = {}
    for key, crop in kept:
        cats.setdefault(key, set()).add(crop.category)
    mixed = sum(1 for c in cats.values() if set(SEXES) <= c)
    return Replay(
        threshold,
        len(cats),
        len({c.individual for c in crops}),
        bcubed([key for key, _ in kept], [c.individual for _, c in kept]),
        mixed,
        merge_threshold,
        small_threshold,
        len(crops) - len(kept),
    )


def consolidated(
    crops: Sequence[TruthCrop],
    vectors: np.ndarray[Any, Any],
    labels: list[int],
    recipe: ConsolidationRecipe,
    head: SexHead | None = None,
) -> list[int | None]:
    """``labels`` after the consolidation a run's end makes (:func:`decide`, as
    :mod:`thumper_tui.engine.consolidate` calls it): the crops' true categories stand for the
    detector's votes, every profile was founded by this run and none is named, so any may be
    held back (a held crop's label is ``None``: in no profile, like the engine's)."""
    counts: dict[int, int] = defaultdict(int)
    for label in labels:
        counts[label] += 1
    # The survivor is the largest profile, then the oldest (founded first: keys count down),
    # as in the engine.
    keys = sorted(counts, key=lambda k: (-counts[k], -k))
    row = {key: i for i, key in enumerate(keys)}
    sightings = [
        Sighting(row[label], crop.file, crop.photo_box, crop.category, vector, crop.camera)
        for crop, label, vector in zip(crops, labels, vectors, strict=True)
    ]
    outcome = decide(sightings, [ProfileFacts() for _ in keys], recipe, head=head)
    final = list(range(len(keys)))
    for gone, keep in outcome.merges:
        final = [keep if f == gone else f for f in final]
    held = set(outcome.held)
    return [
        None if final[row[label]] in held or row[label] in held else keys[final[row[label]]]
        for label in labels
    ]


def choose_thresholds(
    crops: Sequence[TruthCrop],
    vectors: np.ndarray[Any, Any],
    grid: Sequence[float],
    merge_grid: Sequence[float],
    small_grid: Sequence[float | None],
    head: SexHead | None = None,
) -> tuple[Replay, list[Replay]]:
    """The best replay over every (join, merge, small-profile) triple of thresholds, and every
    replay. Best: the highest B-cubed F1 among replays whose profile count is within 15% of the
    true individuals, else the highest F1 of all."""
    replays = [
        replay(crops, vectors, t, m, s, head)
        for t in grid
        for m in merge_grid
        if m < t
        for s in small_grid
        if s is None or s < m
    ]
    close = [r for r in replays if abs(r.profiles - r.individuals) <= 0.15 * r.individuals]
    return max(close or replays, key=lambda r: r.score.f1), replays
