"""Consolidation: profiles that are one deer are merged, by average linkage.

The online gallery is kept strict (a wrong join cannot be undone), so one deer often ends a run
as several profiles. Average linkage merges them: the similarity of two profiles is the mean
similarity over all pairs of their detections, which needs only each profile's sum of unit
embeddings and its count (``sum_a . sum_b / (n_a n_b)``), so merging is cheap even for large
herds. The most similar pair above the threshold merges first, and again, until no pair clears
it. Pairs that must stay apart never merge, nor do their merged descendants: profiles seen in
one photo together (as two boxes that are not over one place: :func:`seen_together`), or that
a human said differ.

Sex is evidence, not a wall: a doe the detector once called a buck (antlers read into her
ears at night) belongs with her own profile. Each profile's buck and doe votes (the detector's
calls, and as many again from the sex head's reading of its embeddings: :func:`with_head_votes`)
give it a buck share; where two profiles' shares differ, their linkage is lowered in proportion
(:class:`SexVotes`), so a profile needs more likeness to join a deer of the other sex than one
of its own.

Where a deer is seen is evidence too: deer keep to home ranges, so one deer's photos come from
a few cameras. Each profile's detections per camera (:class:`Haunts`) lower the linkage of two
profiles seen at different cameras, in proportion to how little their camera shares overlap.

Sex readings fail in runs, a whole burst misread alike, and then every reading of a small
profile agrees on the wrong sex. Where the likeness alone cannot say whether a small profile is
nearer a buck or a doe (:func:`sex_in_doubt`), it joins nobody (:attr:`Consolidated.held`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from thumper_tui.vocabulary.boxes import Box, iou


@dataclass(frozen=True)
class SexVotes:
    """Each profile's buck and doe votes (whole ones from the detector's calls, fractional ones
    from the sex head), and how much a difference in the buck share (smoothed:
    ``(bucks + 1) / (bucks + does + 2)``) lowers the linkage of two profiles: by ``weight``
    times that difference."""

    bucks: np.ndarray[Any, Any]
    does: np.ndarray[Any, Any]
    weight: float


def buck_share(bucks: Any, does: Any) -> Any:
    """The smoothed share of buck votes: 0.5 with no evidence either way."""
    return (np.asarray(bucks, dtype=np.float64) + 1) / (
        np.asarray(bucks, dtype=np.float64) + np.asarray(does, dtype=np.float64) + 2
    )


# What the sex head's reading of one detection is worth, in detector votes (docs/reid.md).
HEAD_VOTES = 1.0


def with_head_votes(
    votes: SexVotes, buck_probability: Any, per_detection: float = HEAD_VOTES
) -> SexVotes:
    """``votes`` plus the sex head's: each detection the detector called a buck or a doe counts
    ``per_detection`` more votes, split by its profile's ``buck_probability`` from the head
    (:class:`thumper_tui.reid.sex.SexHead`). Profiles of fawns (no buck or doe calls) get none:
    the head reads only buck against doe."""
    sexed = per_detection * (np.asarray(votes.bucks, float) + np.asarray(votes.does, float))
    p = np.asarray(buck_probability, dtype=np.float64)
    return SexVotes(votes.bucks + sexed * p, votes.does + sexed * (1 - p), votes.weight)


@dataclass(frozen=True)
class Haunts:
    """Each profile's detections per camera (rows: profiles, columns: cameras), and how much two
    profiles seen at different cameras lowers their linkage: ``weight`` times
    :func:`haunt_distance` of the two rows."""

    cameras: np.ndarray[Any, Any]
    weight: float


# Added to every camera's count, so a profile of a few photos is not sure it is never seen
# elsewhere: a camera it was never seen at still gets a small share.
HAUNT_SMOOTHING = 0.5


def haunt_distance(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> Any:
    """One minus the Bhattacharyya coefficient of the smoothed camera shares of each row of
    ``a`` and each row of ``b``: 0 for profiles seen alike, largest (below 1: the smoothing)
    for ones never seen at the same cameras."""
    a = np.asarray(a, dtype=np.float64) + HAUNT_SMOOTHING
    b = np.asarray(b, dtype=np.float64) + HAUNT_SMOOTHING
    share_a = np.sqrt(a / a.sum(axis=1, keepdims=True))
    share_b = np.sqrt(b / b.sum(axis=1, keepdims=True))
    return 1.0 - share_a @ share_b.T


def average_linkage(
    sums: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    apart: np.ndarray[Any, Any],
    threshold: float,
    votes: SexVotes | None = None,
    haunts: Haunts | None = None,
) -> list[tuple[int, int]]:
    """Merges as (absorbed, survivor) row indices, in the order they happen.

    ``sums`` holds each profile's summed embeddings, ``counts`` its detections, ``apart`` (a
    symmetric boolean matrix) the pairs that must not merge, ``votes`` the detector's sex votes
    (a merged profile holds both profiles' votes), ``haunts`` where each was seen (likewise
    summed on a merge). The survivor of a merge is the lower index, so callers order rows by
    preference (named profiles, then oldest).
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
    cameras = np.array(haunts.cameras if haunts is not None else np.zeros((n, 1)), dtype=float)
    haunt_weight = haunts.weight if haunts is not None else 0.0
    if haunt_weight:
        linkage -= haunt_weight * haunt_distance(cameras, cameras)
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
        cameras[keep] += cameras[gone]
        blocked[keep, :] |= blocked[gone, :]
        blocked[:, keep] |= blocked[:, gone]
        blocked[gone, :] = True
        blocked[:, gone] = True
        row = dots[keep] / (sizes[keep] * sizes) - weight * np.abs(share[keep] - share)
        if haunt_weight:
            row -= haunt_weight * haunt_distance(cameras[keep : keep + 1], cameras)[0]
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
# How much disagreeing sex votes lower a linkage in the small-profile passes and in the first;
# chosen on ten validation ranches run through the engine (docs/reid.md).
SEX_WEIGHT = 0.2
MAIN_SEX_WEIGHT = 0.2
# How much profiles seen at wholly different cameras lower their linkage, in every pass; chosen
# on the same ten ranches.
HAUNT_WEIGHT = 0.1
# Two boxes in one photo overlapping at least this much (IoU) may be one deer boxed twice: the
# detector's partial box over its whole one, which the engine flags a duplicate only above
# IoU 0.5. Such a pair keeps no profiles apart; chosen on the same ten ranches.
TOGETHER_MAX_IOU = 0.4


def seen_together(
    photos: Iterable[Sequence[tuple[int, Box]]], max_iou: float = TOGETHER_MAX_IOU
) -> set[tuple[int, int]]:
    """Pairs ``(a, b)``, ``a < b``, of profiles seen in one photo as two deer: each photo is its
    boxes as (profile, box), and two boxes of different profiles count when they overlap less
    than ``max_iou``. Two deer in one photo are two deer; two boxes over one place may be one."""
    pairs: set[tuple[int, int]] = set()
    for boxes in photos:
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1 :]:
                if a != b and iou(box_a, box_b) < max_iou:
                    pairs.add((min(a, b), max(a, b)))
    return pairs


# A small profile whose likeness cannot say whether it is nearer a buck's profile or a doe's by
# at least this much is held back from every profile (0: never); chosen on the validation
# ranches (docs/reid.md).
SEX_MARGIN = 0.1


@dataclass(frozen=True)
class Consolidated:
    """What :func:`consolidation` decided: ``merges`` as (absorbed, survivor) row indices in the
    order they happen, and the ``held`` rows: small profiles whose sex the likeness leaves in
    doubt, which join nobody (the engine takes their detections out of every profile)."""

    merges: list[tuple[int, int]]
    held: list[int] = field(default_factory=list)


def sex_in_doubt(
    likeness: np.ndarray[Any, Any], share: np.ndarray[Any, Any], nearest: int, margin: float
) -> bool:
    """Whether one profile's ``likeness`` (to each candidate) is no surer of the ``nearest``
    candidate's sex than ``margin``: the nearest candidate of the other sex (by buck ``share``;
    fawn profiles, at 0.5, have none) is within ``margin`` of it, or nearer."""
    if not margin or share[nearest] == 0.5:
        return False
    other = share < 0.5 if share[nearest] > 0.5 else share > 0.5
    if not other.any():
        return False
    return bool(likeness[nearest] - likeness[other].max() < margin)


def _merged(values: np.ndarray[Any, Any], rows: np.ndarray[Any, Any], n: int) -> Any:
    out = np.zeros((n, *np.shape(values)[1:]))
    np.add.at(out, rows, values)
    return out


def consolidation(
    sums: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    apart: np.ndarray[Any, Any],
    threshold: float,
    small_threshold: float | None,
    votes: SexVotes | None = None,
    main_weight: float = 0.0,
    haunts: Haunts | None = None,
    sex_margin: float = 0.0,
    holdable: np.ndarray[Any, Any] | None = None,
) -> Consolidated:
    """Average linkage at ``threshold``; then each profile still holding at most
    :data:`SMALL_PROFILE` detections joins the large profile it is most like, if that linkage
    clears ``small_threshold``; the small ones left may merge among themselves at that
    threshold. Merges as (absorbed, survivor) row indices.

    ``apart`` holds throughout; a large profile that takes a small one takes on its pairs too,
    so two small profiles seen together never join the same deer. The small ones are compared
    with the large profiles as the first pass left them, one join each: were they merged one by
    one, small profiles that met first would pool what keeps them apart (fawns are seen with
    many deer) and end as one mixed profile that may join nobody. The sex ``votes`` lower the
    linkage by ``votes.weight`` times the difference in buck share in the small-profile
    passes, where a profile joins on little likeness, and by ``main_weight`` in the first;
    ``haunts`` lower it by where the profiles were seen, in every pass.

    A small profile whose nearest large one clears ``small_threshold`` is held back instead
    when its likeness alone (the embeddings, without votes or cameras) is no surer which sex's
    deer it is nearest than ``sex_margin`` (:func:`sex_in_doubt`): then its own sex reading
    would decide, and a few photos misread alike (a buck with his head outside the frame, a
    doe's ears read as antlers at night) would put it into a deer of the wrong sex. Only rows
    ``holdable`` marks may be held (all rows when it is ``None``); a small profile that merged
    in the first pass is held only if all its rows are holdable."""
    first_votes = SexVotes(votes.bucks, votes.does, main_weight) if votes and main_weight else None
    merges = average_linkage(sums, counts, apart, threshold, first_votes, haunts)
    if small_threshold is None:
        return Consolidated(merges)
    group = list(range(len(counts)))
    for gone, keep in merges:
        group = [keep if g == gone else g for g in group]
    alive = sorted(set(group))
    index = {g: i for i, g in enumerate(alive)}
    rows = np.array([index[g] for g in group])
    n = len(alive)
    kept = np.zeros((n, n), dtype=bool)
    pairs = np.argwhere(apart)
    kept[rows[pairs[:, 0]], rows[pairs[:, 1]]] = True
    size = _merged(np.asarray(counts, dtype=np.float64), rows, n)
    summed = _merged(sums, rows, n)
    bucks = _merged(votes.bucks, rows, n) if votes else np.zeros(n)
    does = _merged(votes.does, rows, n) if votes else np.zeros(n)
    weight = votes.weight if votes else 0.0
    share = buck_share(bucks, does)
    likeness = (summed @ summed.T) / np.outer(size, size)
    linkage = likeness - weight * np.abs(share[:, None] - share[None, :])
    cameras = _merged(haunts.cameras, rows, n) if haunts else np.zeros((n, 1))
    if haunts and haunts.weight:
        linkage -= haunts.weight * haunt_distance(cameras, cameras)
    large = np.flatnonzero(size > SMALL_PROFILE)
    smalls = np.flatnonzero(size <= SMALL_PROFILE)
    may_hold = (
        _merged(~np.asarray(holdable, dtype=bool), rows, n) == 0
        if holdable is not None
        else np.ones(n, dtype=bool)
    )
    offers: list[tuple[float, int, int]] = []
    held: set[int] = set()
    for row in smalls:
        allowed = large[~kept[row, large]]
        if len(allowed):
            at = int(linkage[row, allowed].argmax())
            nearest = int(allowed[at])
            if linkage[row, nearest] < small_threshold:
                continue
            doubt = sex_in_doubt(likeness[row, allowed], share[allowed], at, sex_margin)
            if doubt and may_hold[row]:
                held.add(int(row))
                continue
            offers.append((float(linkage[row, nearest]), int(row), nearest))
    joined: set[int] = set()
    home: dict[int, int] = {}  # a large profile's row -> the row that survives it
    for _, small, best in sorted(offers, key=lambda o: (-o[0], o[1])):
        target = home.get(best, best)
        if kept[small, target]:  # a small profile seen with this one joined it first
            continue
        keep, gone = min(small, target), max(small, target)  # rows are in order of preference
        merges.append((alive[gone], alive[keep]))
        joined.add(small)
        kept[keep] |= kept[gone]
        kept[:, keep] |= kept[:, gone]
        home[best] = keep
    left = np.array([s for s in smalls if s not in joined and s not in held])
    if len(left) > 1:
        last = average_linkage(
            summed[left],
            size[left],
            kept[np.ix_(left, left)],
            small_threshold,
            SexVotes(bucks[left], does[left], weight),
            Haunts(cameras[left], haunts.weight) if haunts else None,
        )
        merges += [(alive[left[gone]], alive[left[keep]]) for gone, keep in last]
    return Consolidated(merges, sorted(r for r, g in enumerate(rows) if g in held))
