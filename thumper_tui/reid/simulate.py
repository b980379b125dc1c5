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

from thumper_tui.detector.evaluate import Box
from thumper_tui.engine.bcubed import BCubed, bcubed
from thumper_tui.reid.agglomerate import (
    HAUNT_WEIGHT,
    MAIN_SEX_WEIGHT,
    SEX_WEIGHT,
    Haunts,
    SexVotes,
    consolidation,
    seen_together,
)
from thumper_tui.reid.bursts import BURST_SECONDS, Seen, link
from thumper_tui.reid.dataset import TruthCrop
from thumper_tui.reid.gallery import Gallery, assign_photo


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


def replay(
    crops: Sequence[TruthCrop],
    vectors: np.ndarray[Any, Any],
    threshold: float,
    merge_threshold: float | None = None,
    small_threshold: float | None = None,
) -> Replay:
    """Cluster ``crops`` (with their ``vectors``) as the engine would, then (with a
    ``merge_threshold``) consolidate as a run's end does, and score it."""
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
    if merge_threshold is not None:
        labels = consolidated(crops, vectors, labels, gallery, merge_threshold, small_threshold)
    truth = [c.individual for c in crops]
    cats: dict[int, set[str]] = {}
    for key, crop in zip(labels, crops, strict=True):
        cats.setdefault(key, set()).add(crop.category)
    mixed = sum(1 for c in cats.values() if {"buck", "doe"} <= c)
    return Replay(
        threshold,
        len(set(labels)),
        len(set(truth)),
        bcubed(labels, truth),
        mixed,
        merge_threshold,
        small_threshold,
    )


def consolidated(
    crops: Sequence[TruthCrop],
    vectors: np.ndarray[Any, Any],
    labels: list[int],
    gallery: Gallery,
    merge_threshold: float,
    small_threshold: float | None = None,
) -> list[int]:
    """``labels`` after average-linkage consolidation (as :mod:`thumper_tui.engine.consolidate`)."""
    keys = sorted(set(labels), reverse=True)  # founded first = oldest first (keys count down)
    row = {key: i for i, key in enumerate(keys)}
    sums = np.zeros((len(keys), vectors.shape[1]))
    counts = np.zeros(len(keys))
    for label, vector in zip(labels, vectors, strict=True):
        sums[row[label]] += vector
        counts[row[label]] += 1
    # The crops' categories are the truth here, where the engine has the detector's votes.
    bucks, does = np.zeros(len(keys)), np.zeros(len(keys))
    column = {camera: i for i, camera in enumerate(sorted({crop.camera for crop in crops}))}
    cameras = np.zeros((len(keys), len(column)))
    for crop, label in zip(crops, labels, strict=True):
        bucks[row[label]] += crop.category == "buck"
        does[row[label]] += crop.category == "doe"
        cameras[row[label], column[crop.camera]] += 1
    apart = np.zeros((len(keys), len(keys)), dtype=bool)
    photos: dict[str, list[tuple[int, Box]]] = defaultdict(list)
    for crop, label in zip(crops, labels, strict=True):
        photos[crop.file].append((row[label], crop.photo_box))
    for i, j in seen_together(photos.values()):
        apart[i, j] = apart[j, i] = True
    # The survivor is the largest profile (then the oldest), as in the engine.
    order = sorted(range(len(keys)), key=lambda i: (-counts[i], i))
    keys = [keys[i] for i in order]
    row = {key: i for i, key in enumerate(keys)}
    sums, counts = sums[order], counts[order]
    apart = apart[np.ix_(order, order)]
    votes = SexVotes(bucks[order], does[order], SEX_WEIGHT)
    haunts = Haunts(cameras[order], HAUNT_WEIGHT)
    final = list(range(len(keys)))
    outcome = consolidation(
        sums,
        counts,
        apart,
        merge_threshold,
        small_threshold,
        votes,
        main_weight=MAIN_SEX_WEIGHT,
        haunts=haunts,
    )
    for gone, keep in outcome.merges:
        final = [keep if f == gone else f for f in final]
    return [keys[final[row[label]]] for label in labels]


def choose_thresholds(
    crops: Sequence[TruthCrop],
    vectors: np.ndarray[Any, Any],
    grid: Sequence[float],
    merge_grid: Sequence[float],
    small_grid: Sequence[float | None],
) -> tuple[Replay, list[Replay]]:
    """The best replay over every (join, merge, small-profile) triple of thresholds, and every
    replay. Best: the highest B-cubed F1 among replays whose profile count is within 15% of the
    true individuals, else the highest F1 of all."""
    replays = [
        replay(crops, vectors, t, m, s)
        for t in grid
        for m in merge_grid
        if m < t
        for s in small_grid
        if s is None or s < m
    ]
    close = [r for r in replays if abs(r.profiles - r.individuals) <= 0.15 * r.individuals]
    return max(close or replays, key=lambda r: r.score.f1), replays
