"""The run recipe: to and from JSON, runs recorded before it existed, and what changed."""

from __future__ import annotations

from types import SimpleNamespace

from thumper_tui.engine.recipe import Change, RunRecipe, RunRequest, recipe_columns
from thumper_tui.reid.evidence import ConsolidationRecipe

RECIPE = RunRecipe(
    model_path="/srv/models/ranch.pt",
    model_sha256="a1b2" * 16,
    model_classes=("buck", "doe", "fawn"),
    imgsz=640,
    confidence=0.25,
    duplicate_iou=0.5,
    category_map={"buck": "buck", "doe": "doe"},
    device="cuda:0",
    half=True,
    embedder="thumper-reid-v2",
    reid_threshold=0.8,
    consolidation=ConsolidationRecipe(merge_threshold=0.4, small_threshold=0.1, sex_margin=0.05),
    pipeline_version="1",
)


def test_round_trips_through_json_and_a_runs_row() -> None:
    assert RunRecipe.from_json(RECIPE.to_json()) == RECIPE
    row = SimpleNamespace(settings=RECIPE.settings_json(), **RECIPE.column_values())
    assert RunRecipe.from_row(row) == RECIPE
    assert set(RECIPE.column_values()) == set(recipe_columns())
    assert not set(RECIPE.column_values()) & set(RECIPE.settings_json())


def test_a_run_recorded_before_the_recipe_reads_with_defaults() -> None:
    # What a run of the first engine recorded: no consolidation, no sex or camera weights.
    old = SimpleNamespace(
        settings={"imgsz": 512, "embedder": "thumper-reid-v1", "model": "/m.pt"},
        model_path="/m.pt",
        model_sha256="ff" * 32,
        model_classes=["buck", "doe"],
        reid_threshold=None,
        pipeline_version=None,
    )
    recipe = RunRecipe.from_row(old)
    assert recipe.consolidation.merge_threshold is None  # such a run never consolidated
    assert recipe.consolidation == ConsolidationRecipe()
    assert (recipe.imgsz, recipe.embedder, recipe.confidence) == (512, "thumper-reid-v1", None)
    assert recipe.model_classes == ("buck", "doe") and recipe.pipeline_version is None
    assert RunRecipe.from_json(None) == RunRecipe()


def test_diff_names_each_changed_field() -> None:
    nudged = RunRecipe.from_json(
        {**RECIPE.to_json(), "reid_threshold": 0.83, "model_sha256": "c3d4" * 16, "sex_margin": 0}
    )
    assert RECIPE.diff(nudged) == [
        Change("model_sha256", "a1b2" * 16, "c3d4" * 16),
        Change("reid_threshold", 0.8, 0.83),
        Change("consolidation.sex_margin", 0.05, 0.0),
    ]
    assert RECIPE.diff(RECIPE) == []
    assert nudged.diff(RECIPE)[1] == Change("reid_threshold", 0.83, 0.8)


def test_the_request_keeps_only_what_was_asked() -> None:
    assert RunRequest().to_json() == {}
    asked = RunRequest(model="/other.pt", reid_threshold=0.7)
    assert asked.to_json() == {"model": "/other.pt", "reid_threshold": 0.7}
    assert RunRequest.from_json({**asked.to_json(), "imgsz": 512}) == asked
    assert RunRequest.from_json(None) == RunRequest()
