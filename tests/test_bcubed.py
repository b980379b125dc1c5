"""B-cubed scores on cases worked out by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thumper_tui.vocabulary.bcubed import BCubed, bcubed


def test_perfect_split_and_merged() -> None:
    truth = ["a", "a", "b", "b"]
    assert bcubed([1, 1, 2, 2], truth) == BCubed(1.0, 1.0, 1.0)
    merged = bcubed([1, 1, 1, 1], truth)
    assert (merged.precision, merged.recall) == (0.5, 1.0)
    split = bcubed([1, 2, 3, 4], truth)
    assert (split.precision, split.recall) == (1.0, 0.5)
    assert split.f1 == pytest.approx(2 / 3)


def test_uneven_case() -> None:
    # Cluster 1 = {a, a, b}: precisions 2/3, 2/3, 1/3; cluster 2 = {b}: 1.
    score = bcubed([1, 1, 1, 2], ["a", "a", "b", "b"])
    assert score.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert score.recall == pytest.approx((1 + 1 + 1 / 2 + 1 / 2) / 4)


def test_mismatched_lengths_and_empty() -> None:
    with pytest.raises(ValueError):
        bcubed([1], [])
    assert bcubed([], []).f1 == 0.0


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=60))
def test_scores_are_bounded_and_symmetric(pairs: list[tuple[int, int]]) -> None:
    clusters, truth = zip(*pairs, strict=True)
    forward, backward = bcubed(clusters, truth), bcubed(truth, clusters)
    assert 0 < forward.precision <= 1 and 0 < forward.recall <= 1
    assert forward.precision == pytest.approx(backward.recall)
