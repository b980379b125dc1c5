"""Re-identification pieces on their own: crops, the gallery, burst linking and the assignment
problem. Consolidation is in test_consolidation.py, the embedder in test_identity_embedder.py."""

from __future__ import annotations

import itertools

import numpy as np

from tests.helpers import unit
from thumper_tui.reid.assignment import max_weight_pairs
from thumper_tui.reid.bursts import Seen, continuation_cost, link
from thumper_tui.reid.crops import CROP_HEIGHT, CROP_WIDTH, cut, letterbox, prepare
from thumper_tui.reid.gallery import BANK_SIZE, Gallery, assign_photo, compatible


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
