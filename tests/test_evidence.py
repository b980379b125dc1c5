"""What consolidation weighs, as the engine and the threshold replay both build it."""

from __future__ import annotations

import numpy as np

from tests.helpers import unit
from thumper_tui.reid.evidence import ConsolidationRecipe, ProfileFacts, Sighting, decide

RECIPE = ConsolidationRecipe(merge_threshold=0.5, small_threshold=None, sex_margin=0.0)


def sightings(rows: list[tuple[int, str, np.ndarray | None]]) -> list[Sighting]:
    """One sighting per (profile row, vote, vector), each in a photo of its own."""
    return [
        Sighting(row, f"photo-{n}", (0.1, 0.1, 0.3, 0.3), vote, vector, "Hayfield")
        for n, (row, vote, vector) in enumerate(rows)
    ]


def test_alike_profiles_merge_into_the_earlier_row() -> None:
    a, b = unit(1, 0.05, 0), unit(1, 0, 0.05)
    seen = sightings([(0, "doe", a), (0, "doe", a), (1, "doe", b), (2, "doe", unit(0, 0, 1))])
    outcome = decide(seen, [ProfileFacts()] * 3, RECIPE)
    assert outcome.merges == [(1, 0)] and outcome.held == []


def test_names_humans_and_photos_keep_profiles_apart() -> None:
    a = unit(1, 0, 0)
    seen = sightings([(0, "doe", a), (1, "doe", a)])
    named = [ProfileFacts(decided=True), ProfileFacts(decided=True)]
    assert decide(seen, named, RECIPE).merges == []
    assert decide(seen, [ProfileFacts()] * 2, RECIPE, kept_apart=[(1, 0)]).merges == []
    together = [
        Sighting(0, "one photo", (0.0, 0.0, 0.2, 0.2), "doe", a, "Hayfield"),
        Sighting(1, "one photo", (0.5, 0.5, 0.9, 0.9), "doe", a, "Hayfield"),
    ]
    assert decide(together, [ProfileFacts()] * 2, RECIPE).merges == []


def test_nothing_to_decide_without_embeddings_or_a_threshold() -> None:
    blind = sightings([(0, "doe", None), (1, "doe", None)])
    assert decide(blind, [ProfileFacts()] * 2, RECIPE).merges == []
    a = unit(1, 0, 0)
    seen = sightings([(0, "doe", a), (1, "doe", a)])
    assert decide(seen, [ProfileFacts()] * 2, ConsolidationRecipe()).merges == []
    assert decide(seen, [ProfileFacts()] * 2, RECIPE).merges == [(1, 0)]


def test_only_a_holdable_profile_is_held_and_only_with_a_margin() -> None:
    # Two large profiles, a buck and a doe, and a small one half-way between them.
    buck, doe, between = unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0.2)
    rows = [(0, "buck", buck)] * 12 + [(1, "doe", doe)] * 12 + [(2, "doe", between)] * 2
    recipe = ConsolidationRecipe(merge_threshold=0.9, small_threshold=0.3, sex_margin=0.1)
    facts = [ProfileFacts(holdable=False)] * 2
    assert decide(sightings(rows), [*facts, ProfileFacts(holdable=True)], recipe).held == [2]
    assert decide(sightings(rows), [*facts, ProfileFacts(holdable=False)], recipe).held == []
    unheld = ConsolidationRecipe(merge_threshold=0.9, small_threshold=0.3, sex_margin=0.0)
    assert decide(sightings(rows), [*facts, ProfileFacts()], unheld).held == []
