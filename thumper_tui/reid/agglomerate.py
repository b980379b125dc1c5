"""Consolidation: profiles that are one deer are merged, by average linkage.

The online gallery is kept strict (a wrong join cannot be undone), so one deer often ends a run
as several profiles. Average linkage merges them: the similarity of two profiles is the mean
similarity over all pairs of their detections, which needs only each profile's sum of unit
embeddings and its count (``sum_a . sum_b / (n_a n_b)``), so merging is cheap even for large
herds. The most similar pair above the threshold merges first, and again, until no pair clears
it. Pairs that must stay apart never merge, nor do their merged descendants: profiles seen in
one photo together, of incompatible categories, or that a human said differ.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def average_linkage(
    sums: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    apart: np.ndarray[Any, Any],
    threshold: float,
) -> list[tuple[int, int]]:
    """Merges as (absorbed, survivor) row indices, in the order they happen.

    ``sums`` holds each profile's summed embeddings, ``counts`` its detections, ``apart`` (a
    symmetric boolean matrix) the pairs that must not merge. The survivor of a merge is the
    lower index, so callers order rows by preference (named profiles, then oldest).
    """
    n = len(counts)
    if n < 2:
        return []
    dots = np.asarray(sums, dtype=np.float64) @ np.asarray(sums, dtype=np.float64).T
    sizes = np.array(counts, dtype=np.float64)  # a copy: merging grows it
    blocked = apart.copy()
    np.fill_diagonal(blocked, True)
    linkage = dots / np.outer(sizes, sizes)
    linkage[blocked] = -np.inf
    # Each row's best partner, kept up to date: a merge changes only two rows and columns.
    best = linkage.argmax(axis=1)
    best_value = linkage[np.arange(n), best]
    merges: list[tuple[int, int]] = []
    while True:
        a = int(best_value.argmax())
        if not best_value[a] >= threshold:  # also stops on -inf (nothing may merge)
            return merges
        b = int(best[a])
        keep, gone = min(a, b), max(a, b)
        dots[keep, :] += dots[gone, :]
        dots[:, keep] += dots[:, gone]
        sizes[keep] += sizes[gone]
        blocked[keep, :] |= blocked[gone, :]
        blocked[:, keep] |= blocked[:, gone]
        blocked[gone, :] = True
        blocked[:, gone] = True
        row = dots[keep] / (sizes[keep] * sizes)
        row[blocked[keep]] = -np.inf
        linkage[keep, :] = row
        linkage[:, keep] = row
        linkage[gone, :] = -np.inf
        linkage[:, gone] = -np.inf
        merges.append((gone, keep))
        stale = np.flatnonzero((best == keep) | (best == gone))
        for r in (*stale, keep):
            best[r] = int(linkage[r].argmax())
            best_value[r] = linkage[r, best[r]]
        better = row > best_value
        best[better] = keep
        best_value[better] = row[better]
        best_value[gone] = -np.inf


SMALL_PROFILE = 10  # detections; a profile this small is weak evidence of a deer of its own


def consolidation(
    sums: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    apart: np.ndarray[Any, Any],
    threshold: float,
    small_threshold: float | None,
    other_category: np.ndarray[Any, Any] | None = None,
) -> list[tuple[int, int]]:
    """Average linkage at ``threshold``; then a profile still holding at most
    :data:`SMALL_PROFILE` detections may join another at the lower ``small_threshold`` (two
    large profiles never merge in this pass). Merges as (absorbed, survivor) row indices.

    ``apart`` must hold in both passes; ``other_category`` (profiles of incompatible categories)
    only in the first: a small profile's category rests on a detection or two, and a doe the
    detector once called a buck belongs with her own profile, not a buck's."""
    hard = apart if other_category is None else apart | other_category
    merges = average_linkage(sums, counts, hard, threshold)
    if small_threshold is None:
        return merges
    group = list(range(len(counts)))
    for gone, keep in merges:
        group = [keep if g == gone else g for g in group]
    alive = sorted(set(group))
    index = {g: i for i, g in enumerate(alive)}
    rows = np.array([index[g] for g in group])
    merged_sums = np.zeros((len(alive), sums.shape[1]))
    merged_counts = np.zeros(len(alive))
    np.add.at(merged_sums, rows, sums)
    np.add.at(merged_counts, rows, counts)
    merged_apart = np.zeros((len(alive), len(alive)), dtype=bool)
    pairs = np.argwhere(apart)
    merged_apart[rows[pairs[:, 0]], rows[pairs[:, 1]]] = True
    large = merged_counts > SMALL_PROFILE
    merged_apart[np.ix_(large, large)] = True
    second = average_linkage(merged_sums, merged_counts, merged_apart, small_threshold)
    return merges + [(alive[gone], alive[keep]) for gone, keep in second]
