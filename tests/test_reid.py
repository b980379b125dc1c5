"""Re-identification pieces on their own: crops, the gallery, burst linking, the assignment
problem, the replay that chooses the threshold, and the shipped identity embedder."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from thumper_tui.reid.assignment import max_weight_pairs
from thumper_tui.reid.bursts import Seen, continuation_cost, link
from thumper_tui.reid.crops import CROP_HEIGHT, CROP_WIDTH, cut, letterbox, prepare
from thumper_tui.reid.gallery import BANK_SIZE, Gallery, assign_photo, compatible


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_letterbox_keeps_the_aspect_ratio_on_a_fixed_canvas() -> None:
    wide = np.full((30, 120, 3), 200, dtype=np.uint8)
    out = letterbox(wide)
    assert out.shape == (CROP_HEIGHT, CROP_WIDTH, 3)
    rows = np.where((out != 114).any(axis=(1, 2)))[0]
    assert len(rows) == round(30 * CROP_WIDTH / 120)  # scaled by width, grey above and below


def test_cut_widens_the_box_and_stays_inside_the_photo() -> None:
    photo = np.zeros((100, 200, 3), dtype=np.uint8)
    assert cut(photo, (0.25, 0.2, 0.75, 0.8)).shape[:2] == (68, 112)
    assert cut(photo, (0.0, 0.0, 1.0, 1.0)).shape[:2] == (100, 200)
    assert prepare(photo, []).shape == (0, CROP_HEIGHT, CROP_WIDTH, 3)


def test_categories_that_may_share_a_profile() -> None:
    assert compatible("doe", "doe") and compatible("unknown", "buck")
    assert compatible("fawn", "unknown")
    assert not compatible("buck", "doe") and not compatible("fawn", "doe")


def test_a_detection_joins_the_most_similar_profile_above_the_threshold() -> None:
    gallery = Gallery(threshold=0.8)
    first = assign_photo(gallery, [unit(1, 0, 0)], ["doe"], [None])
    second = assign_photo(gallery, [unit(1, 0.1, 0)], ["doe"], [None])
    third = assign_photo(gallery, [unit(0, 1, 0)], ["doe"], [None])
    assert first[0][1] is None and second[0][0] == first[0][0] and second[0][1] > 0.8
    assert third[0][0] != first[0][0] and third[0][1] is None  # too far: a new profile
    buck = assign_photo(gallery, [unit(1, 0, 0)], ["buck"], [None])
    assert buck[0][0] not in (first[0][0], third[0][0])  # never a doe's profile


def test_two_deer_in_one_photo_are_two_profiles() -> None:
    gallery = Gallery(threshold=0.5)
    ((only, _),) = assign_photo(gallery, [unit(1, 0, 0)], ["doe"], [None])
    both = assign_photo(gallery, [unit(1, 0.05, 0), unit(1, 0.1, 0)], ["doe", "doe"], [None, None])
    assert both[0][0] != both[1][0] and only in {both[0][0], both[1][0]}


def test_links_and_blocks_override_similarity() -> None:
    gallery = Gallery(threshold=0.5)
    ((a, _),) = assign_photo(gallery, [unit(1, 0, 0)], ["doe"], [None])
    ((b, _),) = assign_photo(gallery, [unit(0, 1, 0)], ["doe"], [None])
    # A burst link wins over a closer profile...
    ((linked, score),) = assign_photo(gallery, [unit(1, 0, 0)], ["doe"], [b])
    assert linked == b and score is not None and score < 0.1
    # ...and "not the same deer" wins over both.
    ((blocked, _),) = assign_photo(gallery, [unit(1, 0, 0)], ["doe"], [a], [{a}])
    assert blocked not in (a,)


def test_the_bank_keeps_diverse_exemplars_up_to_its_size() -> None:
    gallery = Gallery(threshold=-1.0)
    rng = np.random.default_rng(3)
    ((key, _),) = assign_photo(gallery, [unit(1, 0, 0, 0)], ["buck"], [None])
    for _ in range(40):
        vector = rng.normal(size=4).astype(np.float32)
        assign_photo(gallery, [vector / np.linalg.norm(vector)], ["buck"], [key])
    profile = gallery.profiles[key]
    assert len(profile.bank) == BANK_SIZE and profile.joined == 41
    before = len(profile.bank)
    assign_photo(gallery, [profile.bank[0].copy()], ["buck"], [key])  # redundant: not banked
    assert len(profile.bank) == before


def test_an_unknown_profile_takes_the_first_real_category() -> None:
    gallery = Gallery(threshold=0.5)
    ((key, _),) = assign_photo(gallery, [unit(1, 0)], ["unknown"], [None])
    assign_photo(gallery, [unit(1, 0.1)], ["fawn"], [None])
    assert gallery.profiles[key].category == "fawn"


def test_burst_links_follow_boxes_that_continue_each_other() -> None:
    previous = [Seen((0.1, 0.5, 0.3, 0.7), "doe", 7), Seen((0.6, 0.5, 0.8, 0.7), "fawn", 9)]
    boxes = [(0.63, 0.5, 0.83, 0.7), (0.12, 0.5, 0.32, 0.7), (0.4, 0.1, 0.45, 0.15)]
    assert link(previous, boxes, ["fawn", "doe", "doe"]) == [9, 7, None]
    # The detector's category only breaks ties: the box that continues wins.
    assert link(previous, [(0.12, 0.5, 0.32, 0.7)], ["buck"]) == [7]
    two = [Seen((0.1, 0.5, 0.3, 0.7), "buck", 3), Seen((0.11, 0.5, 0.31, 0.7), "doe", 4)]
    assert link(two, [(0.105, 0.5, 0.305, 0.7)], ["doe"]) == [4]
    assert continuation_cost((0.1, 0.1, 0.2, 0.2), (0.1, 0.1, 0.4, 0.4)) is None  # grew x3
    assert continuation_cost((0.1, 0.1, 0.2, 0.2), (0.1, 0.1, 0.2, 0.2)) == 0


def test_one_deer_of_a_frame_continues_at_most_one_of_the_next() -> None:
    previous = [Seen((0.1, 0.5, 0.3, 0.7), "doe", 7)]
    assert link(previous, [(0.1, 0.5, 0.3, 0.7), (0.12, 0.5, 0.32, 0.7)], ["doe", "doe"]) == [
        7,
        None,
    ]


def test_assignment_finds_the_best_total() -> None:
    rng = np.random.default_rng(11)
    for _ in range(150):
        rows, cols = (int(n) for n in rng.integers(1, 6, 2))
        weights = rng.integers(0, 9, (rows, cols)).astype(float)
        pairs = max_weight_pairs(weights)
        assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
        got = sum(weights[r, c] for r, c in pairs)
        small, large = sorted((rows, cols))
        best = 0.0
        for perm in itertools.permutations(range(large), small):
            pick = (
                [(i, p) for i, p in enumerate(perm)]
                if rows <= cols
                else [(p, i) for i, p in enumerate(perm)]
            )
            best = max(best, sum(weights[r, c] for r, c in pick))
        assert got == best
    assert max_weight_pairs(np.zeros((0, 3))) == []
    assert max_weight_pairs(np.array([[0.0, 0.0]])) == []  # nothing shared: no pair


EMBED_ONE = """
import numpy as np, sys
from thumper_tui.reid.embedder import IdentityEmbedder
photo = np.random.default_rng(5).integers(0, 255, (360, 640, 3), dtype=np.uint8)
v = IdentityEmbedder().embed(photo, [(0.2, 0.3, 0.5, 0.7), (0.6, 0.1, 0.9, 0.6)])
sys.stdout.write(v.astype('<f4').tobytes().hex())
"""


def test_the_shipped_embedder_is_deterministic_across_processes() -> None:
    from thumper_tui.reid.embedder import REID_WEIGHTS, IdentityEmbedder
    from thumper_tui.reid.net import EMBEDDING_DIM, IdentityNet, load_state

    checkpoint = load_state(REID_WEIGHTS)
    assert set(checkpoint["state"]) == set(IdentityNet().state_dict())  # every layer trained
    assert 0.0 < checkpoint["card"]["threshold"] < 1.0
    runs = [
        subprocess.run(
            [sys.executable, "-c", EMBED_ONE], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    vectors = np.frombuffer(bytes.fromhex(runs[0]), dtype="<f4").reshape(2, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    here = IdentityEmbedder().embed(
        np.random.default_rng(5).integers(0, 255, (360, 640, 3), dtype=np.uint8),
        [(0.2, 0.3, 0.5, 0.7), (0.6, 0.1, 0.9, 0.6)],
    )
    assert np.array_equal(here, vectors)


@pytest.mark.parametrize("threshold", [0.5, 0.99])
def test_the_replay_scores_a_clustering_against_the_truth(threshold: float) -> None:
    from thumper_tui.reid.dataset import TruthCrop
    from thumper_tui.reid.simulate import replay

    def crop(file: str, who: str, box: tuple[float, float, float, float]) -> TruthCrop:
        return TruthCrop(
            pixels=np.zeros((4, 4, 3), dtype=np.uint8),
            box=(0, 0, 1, 1),
            photo_box=box,
            individual=who,
            category="doe",
            camera="A",
            burst=file,
            night=False,
            taken_at=f"2025-01-0{file[-1]}T06:00:00",
            file=file,
        )

    crops = [
        crop("f1", "x", (0.1, 0.1, 0.2, 0.2)),
        crop("f2", "x", (0.5, 0.5, 0.6, 0.6)),
        crop("f3", "y", (0.1, 0.1, 0.2, 0.2)),
    ]
    vectors = np.stack([unit(1, 0), unit(1, 0.2), unit(0, 1)])
    result = replay(crops, vectors, threshold)
    if threshold == 0.5:  # x with x (similarity 0.98), y alone (0.2)
        assert result.profiles == 2 and result.score.f1 == 1.0
    else:
        assert result.profiles == 3 and result.score.precision == 1.0 and result.score.recall < 1


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
    assert consolidation(sums, counts, apart, 0.9, 0.3, haunts=Haunts(cameras, 0.0)) == [(2, 0)]
    assert consolidation(sums, counts, apart, 0.9, 0.3, haunts=Haunts(cameras, 0.1)) == [(2, 1)]
    # In the first pass too: at 0.69 it joins on likeness alone, its haunts send it home.
    assert consolidation(sums, counts, apart, 0.69, None, haunts=Haunts(cameras, 0.0)) == [(2, 0)]
    assert consolidation(sums, counts, apart, 0.69, None, haunts=Haunts(cameras, 0.1)) == [(2, 1)]
    # Seen at neither's cameras, it stays alone at a threshold likeness alone would clear.
    elsewhere = np.array([[6.0, 5, 0, 0, 0], [0, 0, 5, 6, 0], [0, 0, 0, 0, 2]])
    assert consolidation(sums, counts, apart, 0.69, None, haunts=Haunts(elsewhere, 0.1)) == []


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
    assert consolidation(sums, counts, apart, 0.97, None) == []
    assert consolidation(sums, counts, apart, 0.97, 0.5) == [(2, 1)]
    assert consolidation(sums, counts, apart, 0.97, 0.99) == []


def test_sex_votes_hold_a_small_doe_back_from_a_buck_but_not_from_a_doe() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, SexVotes, consolidation

    big = SMALL_PROFILE + 1
    # A small profile (2 detections) about equally like a large buck profile (0.74) and a large
    # doe profile (0.67); the two large ones are unalike.
    sums = np.stack([unit(1, 0) * big, unit(0, 1) * big, unit(0.5, 0.45) * 2])
    counts = np.array([big, big, 2.0])
    apart = np.zeros((3, 3), dtype=bool)
    blind = SexVotes(np.zeros(3), np.zeros(3), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, blind) == [(2, 0)]  # likeness alone
    # The detector called the large ones a buck and a doe, and the small one a doe twice.
    votes = SexVotes(np.array([big, 0, 0]), np.array([0, big, 2]), 0.2)
    assert consolidation(sums, counts, apart, 0.9, 0.3, votes) == [(2, 1)]
    # In the first pass they weigh as much as the main weight says (none: likeness alone).
    assert consolidation(sums, counts, apart, 0.45, None, votes) == [(2, 0)]
    assert consolidation(sums, counts, apart, 0.45, None, votes, main_weight=0.2) == [(2, 1)]


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
    assert sorted(consolidation(sums, counts, apart, 0.99, 0.4)) == [(2, 0), (3, 1)]


def test_two_small_profiles_seen_together_never_join_the_same_deer() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, consolidation

    big = SMALL_PROFILE + 1
    sums = np.stack([unit(1, 0) * big, unit(0.9, 0.436), unit(0.8, 0.6)])
    counts = np.array([big, 1.0, 1.0])
    apart = np.zeros((3, 3), dtype=bool)
    apart[1, 2] = apart[2, 1] = True
    # Both are most like the large one; the closer joins, the other stays its own profile.
    assert consolidation(sums, counts, apart, 0.99, 0.5) == [(1, 0)]


def test_a_preferred_small_profile_survives_and_later_joins_follow_it() -> None:
    from thumper_tui.reid.agglomerate import SMALL_PROFILE, consolidation

    big = SMALL_PROFILE + 1
    # Row 0 is small but comes first (named); row 1 is large; row 2 small, also like row 1.
    sums = np.stack([unit(0.9, 0.436) * 2, unit(1, 0) * big, unit(0.8, -0.6)])
    counts = np.array([2.0, big, 1.0])
    apart = np.zeros((3, 3), dtype=bool)
    merges = consolidation(sums, counts, apart, 0.99, 0.5)
    assert merges == [(1, 0), (2, 0)]  # the large one joins row 0, so row 2 joins row 0 too


def test_the_sex_head_adds_votes_only_where_the_detector_called_a_sex() -> None:
    from thumper_tui.reid.agglomerate import HEAD_VOTES, SexVotes, with_head_votes

    votes = SexVotes(np.array([2.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), 0.2)
    merged = with_head_votes(votes, np.array([0.9, 0.2, 0.99]))
    assert np.allclose(merged.bucks, [2 + 2 * HEAD_VOTES * 0.9, 1 * HEAD_VOTES * 0.2, 0])
    assert np.allclose(merged.does, [2 * HEAD_VOTES * 0.1, 1 + 1 * HEAD_VOTES * 0.8, 0])
    assert merged.weight == 0.2


def test_the_sex_head_fit_recovers_a_linear_rule_and_reads_profiles_from_sums() -> None:
    from thumper_tui.reid.sex import SexHead, fit_sex_head

    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(400, 8))
    is_buck = vectors[:, 0] - 0.5 * vectors[:, 3] > 0.2
    head = fit_sex_head(vectors, is_buck)
    single = head.buck_probability(vectors, np.ones(len(vectors)))
    assert ((single > 0.5) == is_buck).mean() > 0.97
    assert fit_sex_head(vectors, is_buck).as_json() == head.as_json()  # deterministic
    # A profile's reading is the head on its mean embedding, and 0.5 without embeddings.
    both = head.buck_probability(np.stack([vectors[:3].sum(0), np.zeros(8)]), np.array([3, 0]))
    mean_logit = (vectors[:3].mean(0) @ head.weights) + head.bias
    assert both[0] == pytest.approx(1 / (1 + np.exp(-mean_logit))) and both[1] == 0.5
    assert SexHead.from_json(head.as_json()).bias == pytest.approx(head.bias, abs=1e-6)
    with pytest.raises(ValueError, match="both"):
        fit_sex_head(vectors, np.ones(len(vectors), dtype=bool))


def test_the_shipped_card_holds_a_sex_head_of_its_embedder() -> None:
    from thumper_tui.reid.embedder import REID_VERSION, shipped_sex_head
    from thumper_tui.reid.net import EMBEDDING_DIM

    head = shipped_sex_head(REID_VERSION)
    assert head is not None and head.weights.shape == (EMBEDDING_DIM,)
    assert shipped_sex_head("thumper-reid-v1") is None  # another embedder's vectors


def _coloured_crops(count: int) -> tuple[list[Any], list[int]]:
    from thumper_tui.reid.dataset import TruthCrop

    rng = np.random.default_rng(3)
    crops, labels = [], []
    for i in range(count):
        label = i % 4
        pixels = np.full((60, 90, 3), 40 + 50 * label, dtype=np.uint8)
        pixels[20:40, 30:60] = rng.integers(0, 255, 3)
        box = (0.1, 0.1, 0.9, 0.9)
        crops.append(
            TruthCrop(pixels, box, box, f"deer-{label}", "doe", "Cam", str(i), False, "", "")
        )
        labels.append(label)
    return crops, labels


def test_fitting_gives_the_same_weights_whichever_processes_cut_the_views() -> None:
    import torch

    from thumper_tui.reid.train import FitOptions, fit

    crops, labels = _coloured_crops(24)
    seen: list[tuple[int, float, float]] = []
    options = FitOptions(epochs=2, batch=8, threads=1)
    alone = fit(crops, labels, options, lambda *epoch: seen.append(epoch))
    helped = fit(crops, labels, FitOptions(epochs=2, batch=8, threads=1, loader_workers=2))
    assert [e[0] for e in seen] == [1, 2]  # one report per epoch
    assert not alone.training and not helped.training
    for key, value in alone.state_dict().items():
        assert torch.equal(value, helped.state_dict()[key]), key


def test_a_checkpoint_builds_the_network_its_card_names(tmp_path: Path) -> None:
    import torch

    from thumper_tui.reid.net import LAYERS, WIDE_LAYERS, IdentityNet, load_state, net_for

    wide = IdentityNet(WIDE_LAYERS)
    path = tmp_path / "wide.pt"
    card = {"layers": [list(layer) for layer in WIDE_LAYERS]}
    torch.save({"state": wide.state_dict(), "version": "x", "card": card}, path)
    rebuilt = net_for(load_state(path))
    assert rebuilt.layers == WIDE_LAYERS
    crops = torch.zeros((1, 96, 144, 3), dtype=torch.uint8)
    wide.eval()
    assert torch.equal(rebuilt(crops), wide(crops))
    # The first checkpoints carried no layers: they are the small network.
    assert net_for({"state": IdentityNet().state_dict(), "card": {}}).layers == LAYERS


def test_revalidating_fits_a_sex_head_and_leaves_the_network_alone(tmp_path: Path) -> None:
    import torch

    from thumper_tui.reid.build import ReidTrainOptions, revalidate
    from thumper_tui.reid.embedder import REID_WEIGHTS
    from thumper_tui.reid.net import EMBEDDING_DIM, load_state

    small = ReidTrainOptions(
        validation_seed=4600,
        validation_images=40,
        validation_deer=8,
        images=40,
        deer=8,
        sex_head_seeds=(6100,),
    )
    card = revalidate(tmp_path, small, install=False)
    head = card["sex_head"]
    assert len(head["weights"]) == EMBEDDING_DIM and "6100" in head["fitted_on"]
    assert 0.5 < head["training_accuracy"] <= 1 and 0 <= head["validation_accuracy"] <= 1
    shipped = load_state(REID_WEIGHTS)
    assert card["training"]["fit"] == shipped["card"]["training"]["fit"]  # as it was fitted
    written = load_state(tmp_path / REID_WEIGHTS.name)
    assert written["card"]["sex_head"] == head
    assert all(torch.equal(written["state"][k], v) for k, v in shipped["state"].items())
