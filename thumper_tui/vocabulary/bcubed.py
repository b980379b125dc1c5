"""B-cubed precision, recall and F1 of a clustering against the truth (Bagga & Baldwin 1998).

For each item, precision is the share of its cluster that belongs to its true class, recall the
share of its true class that sits in its cluster; both are averaged over items. Unlike pair
counting, a few huge clusters cannot dominate, and splitting one deer into two profiles costs
recall while merging two deer costs precision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BCubed:
    """The three scores, each in 0..1."""

    precision: float
    recall: float
    f1: float


def bcubed(clusters: Sequence[Hashable], truth: Sequence[Hashable]) -> BCubed:
    """Score ``clusters[i]`` (the profile of item i) against ``truth[i]`` (its individual)."""
    if len(clusters) != len(truth):
        raise ValueError("clusters and truth must label the same items")
    if not clusters:
        return BCubed(0.0, 0.0, 0.0)
    pair = Counter(zip(clusters, truth, strict=True))
    cluster_size = Counter(clusters)
    class_size = Counter(truth)
    n = len(clusters)
    precision = sum(count * count / cluster_size[c] for (c, _), count in pair.items()) / n
    recall = sum(count * count / class_size[t] for (_, t), count in pair.items()) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1)
