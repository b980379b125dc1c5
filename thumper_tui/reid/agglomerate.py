"""Consolidation: profiles that are one deer are merged, by average linkage.

The online gallery is kept strict (a wrong join cannot be undone), so one deer often ends a run
as several profiles. Average linkage merges them: the similarity of two profiles is the mean
similarity over all pairs of their detections, which needs only each profile's sum of unit
embeddings and its count (``sum_a . sum_b / (n_a n_b)``), so merging is cheap even for large
herds. The most similar pair above the threshold merges first, and again, until no pair clears
it. Pairs that must stay apart never merge, nor do their merged descendants: profiles seen in
one photo together, or that a human said differ.

The detector's categories are evidence, not walls: a doe it once called a buck (antlers read
into her ears at night) belongs with her own profile. Where profiles disagree on sex by the
detector's votes, their linkage is lowered in proportion (:class:`SexVotes`), so a small
profile needs more likeness to join a deer of the other sex than one of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class SexVotes:
    """How many detections of each profile the detector called a buck and a doe, and how much
    a difference in the buck share (smoothed: ``(bucks + 1) / (bucks + does + 2)``) lowers the
    linkage of two profiles: by ``weight`` times that difference."""

    bucks: np.ndarray[Any, Any]
    does: np.ndarray[Any, Any]
    weight: float


def buck_share(bucks: Any, does: Any) -> Any:
    """The smoothed share of buck votes: 0.5 with no evidence either way."""
    return (np.asarray(bucks, dtype=np.float64) + 1) / (
        np.asarray(bucks, dtype=np.float64) + np.asarray(does, dtype=np.float64) + 2
    )


def average_linkage(
    sums: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    apart: np.ndarray[Any, Any],
    threshold: float,
    votes: SexVotes | None = None,
) -> list[tuple[int, int]]:
    """Merges as (absorbed, survivor) row indices, in the order they happen.

    ``sums`` holds each profile's summed embeddings, ``counts`` its detections, ``apart`` (a
    symmetric boolean matrix) the pairs that must not merge, ``votes`` the detector's sex votes
    (a merged profile holds both profiles' votes). The survivor of a merge is the lower index,
    so callers order rows by preference (named profiles, then oldest).
    """
    n = len(counts)
    if n < 2:
        return []
    dots = np.asarray(sums, dtype=np.float64) @ np.asarray(sums, dtype=np.float64).T
    sizes = np.array(counts, dtype=np.float64)  # a copy: merging grows it
    blocked = apart.copy()
    np.fill_diagonal(blocked, True)
    weight = votes.weight if votes is not None else 0.0
    bucks = np.array(votes.bucks if votes is not None else np.zeros(n), dtype=np.float64)
    does = np.array(votes.does if votes is not None else np.zeros(n), dtype=np.float64)
    share = buck_share(bucks, does)
    linkage = dots / np.outer(sizes, sizes) - weight * np.abs(share[:, None] - share[None, :])
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
        bucks[keep] += bucks[gone]
        does[keep] += does[gone]
        share[keep] = buck_share(bucks[keep], does[keep])
        blocked[keep, :] |= blocked[gone, :]
        blocked[:, keep] |= blocked[:, gone]
        blocked[gone, :] = True
        blocked[:, gone] = True
        row = dots[keep] / (sizes[keep] * sizes) - weight * np.abs(share[keep] - share)
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
# How much disagreeing sex votes lower a small profile's linkage; chosen on the validation
# ranch (seed 4500) run through the engine with the shipped detector (docs/reid.md).
SEX_WEIGHT = 0.2


def consolidation(
    sums: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    apart: np.ndarray[Any, Any],
    threshold: float,
    small_threshold: float | None,
    votes: SexVotes | None = None,
) -> list[tuple[int, int]]:
    """Average linkage at ``threshold``; then a profile still holding at most
    :data:`SMALL_PROFILE` detections may join another at the lower ``small_threshold`` (two
    large profiles never merge in this pass). Merges as (absorbed, survivor) row indices.

    ``apart`` holds in both passes. The detector's sex ``votes`` weigh only in the second: at
    ``threshold`` likeness alone is sure enough, while a small profile joining on little
    likeness is where a doe would land in a buck's profile."""
    merges = average_linkage(sums, counts, apart, threshold)
    if small_threshold is None:
        return merges
    group = list(range(len(counts)))
    for gone, keep in merges:
        group = [keep if g == gone else g for g in group]
    alive = sorted(set(group))
    index = {g: i for i, g in enumerate(alive)}
    rows = np.array([index[g] for g in group])

    def merged(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        out = np.zeros((len(alive), *np.shape(values)[1:]))
        np.add.at(out, rows, values)
        return out

    merged_apart = np.zeros((len(alive), len(alive)), dtype=bool)
    pairs = np.argwhere(apart)
    merged_apart[rows[pairs[:, 0]], rows[pairs[:, 1]]] = True
    merged_counts = merged(np.asarray(counts, dtype=np.float64))
    large = merged_counts > SMALL_PROFILE
    merged_apart[np.ix_(large, large)] = True
    merged_votes = (
        SexVotes(merged(votes.bucks), merged(votes.does), votes.weight) if votes else None
    )
    second = average_linkage(
        merged(sums), merged_counts, merged_apart, small_threshold, merged_votes
    )
    return merges + [(alive[gone], alive[keep]) for gone, keep in second]
