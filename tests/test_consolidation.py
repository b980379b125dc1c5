"""Consolidation on its own (``reid/agglomerate.py``): average linkage against a textbook one,
profiles kept apart, the small-profile pass, and sex and camera evidence."""

from __future__ import annotations

import numpy as np

from tests.helpers import unit


def _naive_average_linkage(
    sums: np.ndarray,
    counts: np.ndarray,
    apart: np.ndarray,
    threshold: float,
    votes: tuple[np.ndarray, np.ndarray, float] | None = None,
    haunts: tuple[np.ndarray, float] | None = None,
) -> list[tuple[int, int]]:
    bucks, does, weight = votes or (np.zeros(len(counts)), np.zeros(len(counts)), 0.0)
    cameras, haunt_weight = haunts or (np.zeros((len(counts), 1)), 0.0)

    def share(members: list[int]) -> float:
        return float((bucks[members].sum() + 1) / (bucks[members].sum() + does[members].sum() + 2))

    def seen_at(members: list[int]) -> np.ndarray:
        smoothed = cameras[members].sum(0) + 0.5
        return smoothed / smoothed.sum()

    groups = {i: [i] for i in range(len(counts))}
    blocked = apart.copy()
    merges = []
    while True:
        best, pair = -np.inf, None
        for x in sorted(groups):
            for y in sorted(groups):
                if x < y and not blocked[x, y]:
                    value = sums[groups[x]].sum(0) @ sums[groups[y]].sum(0)
                    value /= counts[groups[x]].sum() * counts[groups[y]].sum()
                    value -= weight * abs(share(groups[x]) - share(groups[y]))
                    overlap = np.sqrt(seen_at(groups[x]) * seen_at(groups[y])).sum()
                    value -= haunt_weight * (1 - overlap)
                    if value > best:
                        best, pair = value, (x, y)
        if pair is None or best < threshold:
            return merges
        x, y = pair
        groups[x] += groups.pop(y)
        blocked[x] |= blocked[y]
        blocked[:, x] |= blocked[:, y]
        merges.append((y, x))


def test_average_linkage_merges_as_the_textbook_does() -> None:
    from thumper_tui.reid.agglomerate import Haunts, SexVotes, average_linkage

    rng = np.random.default_rng(0)
    for _ in range(80):
        n = int(rng.integers(2, 12))
        sums = rng.normal(size=(n, 4))
        counts = rng.integers(1, 4, n).astype(float)
        apart = rng.random((n, n)) < 0.15
        apart |= apart.T
        threshold = float(rng.uniform(-1, 1))
        bucks = rng.integers(0, 5, n).astype(float)
        does = rng.integers(0, 5, n).astype(float)
        before = counts.copy(), bucks.copy()
        assert average_linkage(sums, counts, apart, threshold) == _naive_average_linkage(
            sums, counts, apart, threshold
        )
        weight = float(rng.uniform(0, 1))
        assert average_linkage(
            sums, counts, apart, threshold, SexVotes(bucks, does, weight)
        ) == _naive_average_linkage(sums, counts, apart, threshold, (bucks, does, weight))
        cameras = rng.integers(0, 4, (n, 3)).astype(float)
        seen = cameras.copy()
        assert average_linkage(
            sums, counts, apart, threshold, SexVotes(bucks, does, weight), Haunts(cameras, weight)
        ) == _naive_average_linkage(
            sums, counts, apart, threshold, (bucks, does, weight), (cameras, weight)
        )
        # the caller's arrays are left alone
        assert np.array_equal(counts, before[0]) and np.array_equal(bucks, before[1])
        assert np.array_equal(cameras, seen)


def test_haunt_distance_is_nought_for_alike_cameras_and_near_one_for_others() -> None:
    from thumper_tui.reid.agglomerate import haunt_distance

    cameras = np.array([[40.0, 20, 0, 0], [4, 2, 0, 0], [0, 0, 30, 30], [0, 0, 1, 0]])
    distance = haunt_distance(cameras, cameras)
    assert np.allclose(distance, distance.T) and np.allclose(np.diag(distance), 0, atol=0.01)
    assert distance[0, 1] < 0.05  # seen in the same shares: alike (less sure of fewer photos)
    assert distance[0, 2] > 0.7  # never at the same cameras
    # A single photo is weak evidence: it is nearer a profile seen at its camera than one not.
    assert distance[3, 2] < distance[3, 0] < 1


def test_a_small_profile_joins_the_deer_seen_at_its_cameras() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, Haunts, consolidation

    big = SMALL_PROFILE + 1
    # A small profile as like one large profile (0.71) as the other; the large ones unalike.
    sums = np.stack([unit(1, 0) * big, unit(0, 1) * big, unit(1, 1) * 2])
    counts = np.array([big, big, 2.0])
    apart = np.zeros((3, 3), dtype=bool)
    # The first large profile is seen at cameras 0 and 1, the second at 2 and 3, the small one
    # at camera 3 twice.
    cameras = np.array([[6.0, 5, 0, 0], [0, 0, 5, 6], [0, 0, 0, 2]])
    assert consolidation(sums, counts, apart, 0.9, 0.3, haunts=Haunts(cameras, 0.0)).merges == [
        (2, 0)
    ]
    assert consolidation(sums, counts, apart, 0.9, 0.3, haunts=Haunts(cameras, 0.1)).merges == [
        (2, 1)
    ]
    # In the first pass too: at 0.69 it joins on likeness alone, its haunts send it home.
    assert consolidation(sums, counts, apart, 0.69, None, haunts=Haunts(cameras, 0.0)).merges == [
        (2, 0)
    ]
    assert consolidation(sums, counts, apart, 0.69, None, haunts=Haunts(cameras, 0.1)).merges == [
        (2, 1)
    ]
    # Seen at neither's cameras, it stays alone at a threshold likeness alone would clear.
    elsewhere = np.array([[6.0, 5, 0, 0, 0], [0, 0, 5, 6, 0], [0, 0, 0, 0, 2]])
    assert (
        consolidation(sums, counts, apart, 0.69, None, haunts=Haunts(elsewhere, 0.1)).merges == []
    )


def test_two_boxes_over_one_place_are_not_two_deer_seen_together() -> None:
    from thumper_tui.reid.agglomerate import TOGETHER_MAX_IOU, seen_together

    whole = (0.1, 0.1, 0.5, 0.5)
    front = (0.1, 0.1, 0.3, 0.5)  # IoU 0.5 with the whole: a partial box of the same deer
    beside = (0.4, 0.1, 0.8, 0.5)  # IoU 0.14: another deer brushing past
    far = (0.6, 0.2, 0.9, 0.6)
    photos = [
        [(3, whole), (1, front)],  # one deer boxed twice: nothing keeps 1 and 3 apart
        [(3, whole), (2, far), (4, beside)],
        [(5, whole), (5, far)],  # a profile is never apart from itself
    ]
    assert seen_together(photos) == {(2, 3), (3, 4), (2, 4)}
    assert TOGETHER_MAX_IOU <= 0.5  # above 0.5 the engine flags a duplicate box already
    assert seen_together(photos, max_iou=1.01) == {(1, 3), (2, 3), (3, 4), (2, 4)}


def test_profiles_kept_apart_never_merge_even_through_a_third() -> None:
    from thumper_tui.reid.agglomerate import average_linkage

    sums = np.stack([unit(1, 0), unit(1, 0.05), unit(1, 0.3)])
    apart = np.zeros((3, 3), dtype=bool)
    apart[0, 2] = apart[2, 0] = True
    merges = average_linkage(sums, np.ones(3), apart, 0.5)
    assert merges == [(1, 0)]  # 2 may not join 0, so it may not join 0+1 either


def test_a_small_profile_may_join_at_the_lower_threshold_but_two_large_ones_never() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, consolidation

    big = SMALL_PROFILE + 1
    sums = np.stack([unit(1, 0) * big, unit(0.6, 0.8) * big, unit(0.8, 0.6) * 2])
    counts = np.array([big, big, 2.0])
    apart = np.zeros((3, 3), dtype=bool)
    # At 0.97 nothing merges; at the small threshold 0.5 the small one joins its nearest
    # large profile (similarity 0.96 to the second, 0.8 to the first), the large ones (0.6) not.
    assert consolidation(sums, counts, apart, 0.97, None).merges == []
    assert consolidation(sums, counts, apart, 0.97, 0.5).merges == [(2, 1)]
    assert consolidation(sums, counts, apart, 0.97, 0.99).merges == []


def test_sex_votes_hold_a_small_doe_back_from_a_buck_but_not_from_a_doe() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, SexVotes, consolidation

    big = SMALL_PROFILE + 1
    # A small profile (2 detections) about equally like a large buck profile (0.74) and a large
    # doe profile (0.67); the two large ones are unalike.
    sums = np.stack([unit(1, 0) * big, unit(0, 1) * big, unit(0.5, 0.45) * 2])
    counts = np.array([big, big, 2.0])
    apart = np.zeros((3, 3), dtype=bool)
    blind = SexVotes(np.zeros(3), np.zeros(3), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, blind).merges == [(2, 0)]  # likeness alone
    # The detector called the large ones a buck and a doe, and the small one a doe twice.
    votes = SexVotes(np.array([big, 0, 0]), np.array([0, big, 2]), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, votes).merges == [(2, 1)]
    # In the first pass they weigh as much as the main weight says (none: likeness alone).
    assert consolidation(sums, counts, apart, 0.45, None, votes).merges == [(2, 0)]
    assert consolidation(sums, counts, apart, 0.45, None, votes, main_weight=0.2).merges == [(2, 1)]


def test_a_small_profile_whose_likeness_leaves_its_sex_in_doubt_is_held_back() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, SexVotes, consolidation

    big = SMALL_PROFILE + 1
    # As above: a small profile like a large buck's (0.74) and a large doe's (0.67) profile.
    sums = np.stack([unit(1, 0) * big, unit(0, 1) * big, unit(0.5, 0.45) * 2])
    counts = np.array([big, big, 2.0])
    apart = np.zeros((3, 3), dtype=bool)
    # Read as a buck twice, it goes to the buck, whom its likeness prefers by 0.07: beyond a
    # margin of 0.05 its sex is not in doubt, within one of 0.1 it is.
    as_buck = SexVotes(np.array([big, 0, 2]), np.array([0, big, 0]), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, as_buck, sex_margin=0.05).merges == [(2, 0)]
    held = consolidation(sums, counts, apart, 0.9, 0.3, as_buck, sex_margin=0.1)
    assert (held.merges, held.held) == ([], [2])
    # Read as a doe twice, its votes alone take it to the doe against its likeness: any margin
    # holds it back (none: the rule is off).
    as_doe = SexVotes(np.array([big, 0, 0]), np.array([0, big, 2]), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, as_doe).merges == [(2, 1)]
    assert consolidation(sums, counts, apart, 0.9, 0.3, as_doe, sex_margin=0.01).held == [2]
    # Only profiles nobody touched are held; a touched one joins as before.
    touched = np.array([True, True, False])
    kept = consolidation(sums, counts, apart, 0.9, 0.3, as_doe, sex_margin=0.1, holdable=touched)
    assert (kept.merges, kept.held) == ([(2, 1)], [])
    # Large profiles with no sex votes (fawns) leave nothing in doubt.
    fawns = SexVotes(np.zeros(3), np.zeros(3), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, fawns, sex_margin=0.1).held == []
    # One clearly like the buck (0.97 against 0.26) joins him whatever it was read as.
    sums[2] = unit(1, 0.27) * 2
    clear = consolidation(sums, counts, apart, 0.9, 0.3, as_doe, sex_margin=0.1)
    assert (clear.merges, clear.held) == ([(2, 0)], [])


def test_a_held_profile_stays_out_of_the_small_profiles_own_merges() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, SexVotes, consolidation

    big = SMALL_PROFILE + 1
    # Two small profiles alike (0.9998), both between a buck and a doe; kept from merging in the
    # first pass, without the margin both join the doe, with it both are held and neither
    # merges with the other.
    sums = np.stack([unit(1, 0) * big, unit(0, 1) * big, unit(0.5, 0.45) * 2, unit(0.5, 0.47) * 3])
    counts = np.array([big, big, 2.0, 3.0])
    apart = np.zeros((4, 4), dtype=bool)
    votes = SexVotes(np.array([big, 0, 0, 0]), np.array([0, big, 2, 3]), 0.2)
    merges = consolidation(sums, counts, apart, 0.9999, 0.3, votes).merges
    assert sorted(merges) == [(2, 1), (3, 1)]
    held = consolidation(sums, counts, apart, 0.9999, 0.3, votes, sex_margin=0.1)
    assert (held.merges, held.held) == ([], [2, 3])
    # Merged in the first pass, the two are held whole.
    first = consolidation(sums, counts, apart, 0.999, 0.3, votes, sex_margin=0.1)
    assert (first.merges, first.held) == ([(3, 2)], [2, 3])


def test_small_profiles_join_large_ones_rather_than_pool_their_constraints() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, consolidation

    big = SMALL_PROFILE + 1
    # Two large profiles A, B; two small ones, each seen in a photo with the other's deer, more
    # like each other (0.75) than like their own (0.5). Pooled first, they could join neither.
    a, c = 0.5, 0.75**0.5
    sums = np.stack([unit(1, 0, 0) * big, unit(0, 1, 0) * big, unit(a, 0, c), unit(0, a, c)])
    counts = np.array([big, big, 1.0, 1.0])
    apart = np.zeros((4, 4), dtype=bool)
    apart[2, 1] = apart[1, 2] = apart[3, 0] = apart[0, 3] = True
    assert sorted(consolidation(sums, counts, apart, 0.99, 0.4).merges) == [(2, 0), (3, 1)]


def test_two_small_profiles_seen_together_never_join_the_same_deer() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, consolidation

    big = SMALL_PROFILE + 1
    sums = np.stack([unit(1, 0) * big, unit(0.9, 0.436), unit(0.8, 0.6)])
    counts = np.array([big, 1.0, 1.0])
    apart = np.zeros((3, 3), dtype=bool)
    apart[1, 2] = apart[2, 1] = True
    # Both are most like the large one; the closer joins, the other stays its own profile.
    assert consolidation(sums, counts, apart, 0.99, 0.5).merges == [(1, 0)]


def test_a_preferred_small_profile_survives_and_later_joins_follow_it() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, consolidation

    big = SMALL_PROFILE + 1
    # Row 0 is small but comes first (named); row 1 is large; row 2 small, also like row 1.
    sums = np.stack([unit(0.9, 0.436) * 2, unit(1, 0) * big, unit(0.8, -0.6)])
    counts = np.array([2.0, big, 1.0])
    apart = np.zeros((3, 3), dtype=bool)
    merges = consolidation(sums, counts, apart, 0.99, 0.5).merges
    assert merges == [(1, 0), (2, 0)]  # the large one joins row 0, so row 2 joins row 0 too


def test_the_sex_head_adds_votes_only_where_the_detector_called_a_sex() -> None:
    from thumper_tui.reid.agglomerate import HEAD_VOTES, SexVotes, with_head_votes

    votes = SexVotes(np.array([2.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), 0.2)
    merged = with_head_votes(votes, np.array([0.9, 0.2, 0.99]))
    assert np.allclose(merged.bucks, [2 + 2 * HEAD_VOTES * 0.9, 1 * HEAD_VOTES * 0.2, 0])
    assert np.allclose(merged.does, [2 * HEAD_VOTES * 0.1, 1 + 1 * HEAD_VOTES * 0.8, 0])
    assert merged.weight == 0.2
