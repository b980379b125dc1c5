"""Burst linking: which deer of the previous frame of its burst a box continues.

A deer continues one of the previous frame only where the boxes continue each other (close and
alike in size), never "everyone in the burst is one deer".

The detector's category is only a tie-breaker here: a doe it calls a buck in one frame of a
burst is still the doe that walked on from the frame before, and following her keeps that one
mistake from founding a profile of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thumper_tui.vocabulary.boxes import Box
from thumper_tui.vocabulary.categories import compatible

BURST_SECONDS = 10.0  # a camera's frames this close together are one burst
MAX_SHIFT = 0.6  # horizontal move between frames, in box widths
MAX_DROP = 0.3  # vertical move, in box heights
MAX_SCALE = 2.0  # growth or shrinkage of the box, either side (a head raised or lowered)
OTHER_CATEGORY = 0.3  # added cost when the detector's categories differ


@dataclass(frozen=True)
class Seen:
    """A deer of the previous frame: its box, category and profile."""

    box: Box
    category: str
    profile: int


def continuation_cost(before: Box, after: Box) -> float | None:
    """How far ``after`` is from continuing ``before`` (0 = the same box), or ``None``."""
    bw, bh = before[2] - before[0], before[3] - before[1]
    aw, ah = after[2] - after[0], after[3] - after[1]
    if min(bw, bh, aw, ah) <= 0:
        return None
    scale = max(aw / bw, bw / aw, ah / bh, bh / ah)
    shift = abs((after[0] + after[2]) - (before[0] + before[2])) / 2 / max(bw, aw)
    drop = abs((after[1] + after[3]) - (before[1] + before[3])) / 2 / max(bh, ah)
    if scale > MAX_SCALE or shift > MAX_SHIFT or drop > MAX_DROP:
        return None
    return shift + 2 * drop + 0.5 * (scale - 1)


def link(
    previous: Sequence[Seen], boxes: Sequence[Box], categories: Sequence[str]
) -> list[int | None]:
    """For each box of this frame, the profile of the previous-frame deer it continues."""
    pairs = []
    for i, (box, category) in enumerate(zip(boxes, categories, strict=True)):
        for j, seen in enumerate(previous):
            cost = continuation_cost(seen.box, box)
            if cost is not None:
                penalty = 0.0 if compatible(category, seen.category) else OTHER_CATEGORY
                pairs.append((cost + penalty, i, j))
    linked: list[int | None] = [None] * len(boxes)
    used: set[int] = set()
    for _, i, j in sorted(pairs):
        if linked[i] is None and j not in used and previous[j].profile not in linked:
            linked[i] = previous[j].profile
            used.add(j)
    return linked
