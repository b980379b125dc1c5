"""Every branch of the reprocess advisor, from recorded facts (no database, no model)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from thumper_tui.analytics.advisor import Action, advise
from thumper_tui.analytics.facts import (
    Current,
    DetectionSettings,
    RanchFacts,
    RecordedRun,
    file_sha256,
)
from thumper_tui.analytics.schedule import slot_plan
from thumper_tui.engine.recipe import RunRecipe
from thumper_tui.vocabulary.states import ClearMode, RunKind

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
SLOT = "2026-11-08T02:00:00+00:00"
SHA = "a1b2c3d4" * 8
RECIPE = RunRecipe(
    model_path="/srv/models/ranch.pt",
    model_sha256=SHA,
    embedder="thumper-reid-v2",
    reid_threshold=0.8,
    pipeline_version="1",
)
CURRENT = Current(
    Path("/srv/models/ranch.pt"),
    SHA,
    None,
    0.8,
    "the reid_threshold setting",
    "thumper-reid-v2",
    "1",
)


def run(
    id: int, kind: str = "full", recipe: RunRecipe = RECIPE, images: int = 6000, minutes: float = 10
) -> RecordedRun:
    finished = T0 + timedelta(days=id)
    return RecordedRun(
        id, kind, "all", "cli", "done", recipe, images, 0, 5, 0, None,
        finished - timedelta(minutes=minutes), finished - timedelta(minutes=minutes), finished,
    )  # fmt: skip


def facts(
    runs: list[RecordedRun] | None = None, done: int = 6000, pending: int = 0, **current: object
) -> RanchFacts:
    images = {"done": done, "pending": pending} if done or pending else {}
    return RanchFacts(
        [run(1)] if runs is None else runs,
        images,
        replace(CURRENT, **current),  # type: ignore[arg-type]
    )


def test_nothing_when_every_photo_is_processed_with_the_current_recipe() -> None:
    advice = advise(facts(), SLOT)
    assert advice.action == Action.NOTHING and advice.plan is None
    assert advice.reasons == ["every photo is processed with the current recipe (run 1 on)"]
    assert advice.to_json()["next_scheduled"] == "2026-11-08T02:00:00+00:00"


def test_no_photos_and_a_first_run() -> None:
    assert advise(facts(runs=[], done=0)).reasons == ["no photos imported yet"]
    first = advise(facts(runs=[], done=0, pending=500))
    assert first.action == Action.INCREMENTAL and first.plan is not None
    assert first.plan.images == 500 and first.estimate_s is None  # no pace measured yet


def test_a_new_model_file_means_a_full_reprocess_of_every_photo() -> None:
    advice = advise(facts(model_sha256="c3d4e5f6" * 8))
    assert advice.action == Action.FULL
    assert advice.reasons == [
        "model sha256 a1b2c3d4… → c3d4e5f6… since run 1 (/srv/models/ranch.pt)"
    ]
    assert advice.plan is not None
    assert (advice.plan.kind, advice.plan.clear_mode, advice.plan.images) == (
        RunKind.FULL,
        ClearMode.ALL,
        6000,
    )
    # 6,000 photos at the 600 images/min measured on this ranch: ten minutes.
    assert advice.estimate_s == pytest.approx(600)


def test_a_threshold_move_re_identifies_and_a_nudge_waits() -> None:
    moved = advise(facts(reid_threshold=0.86))
    assert moved.action == Action.FULL and moved.plan is not None
    assert moved.plan.kind == RunKind.REID_ONLY and moved.plan.clear_mode == ClearMode.ALL
    assert "re-ID threshold 0.8 → 0.86" in moved.reasons[0] and "more than 0.05" in moved.reasons[0]
    nudged = advise(facts(reid_threshold=0.83), SLOT)
    assert nudged.action == Action.WAIT and nudged.plan is None
    assert "a nudge of 0.03, no full reprocess" in nudged.reasons[0]
    assert nudged.reasons[1] == "the weekly run (Sun 08 Nov 02:00 UTC) picks it up"
    exactly = advise(facts(reid_threshold=0.85))
    assert exactly.action == Action.WAIT  # 0.05 is not more than 0.05


def test_a_new_embedder_or_pipeline_version() -> None:
    embedder = advise(facts(embedder="thumper-reid-v3"))
    assert embedder.action == Action.FULL and embedder.plan is not None
    assert embedder.plan.kind == RunKind.REID_ONLY
    assert embedder.reasons == ["identity embedder thumper-reid-v2 → thumper-reid-v3 since run 1"]
    fix = advise(facts(pipeline_version="2"))
    assert fix.action == Action.FULL and fix.plan is not None and fix.plan.kind == RunKind.FULL
    assert fix.reasons == ["pipeline version 1 → 2 since run 1 (a fix that changes results)"]


def test_new_photos_by_how_many_arrived() -> None:
    few = advise(facts(pending=999))
    assert few.action == Action.INCREMENTAL and few.plan is not None
    assert few.plan.kind == RunKind.INCREMENTAL and few.plan.images == 999
    assert few.estimate_s == pytest.approx(999 / 600 * 60)
    some = advise(facts(pending=1000), SLOT)
    assert some.action == Action.WAIT
    assert some.reasons == [
        "1,000 new photos (1,000 or more): the weekly run (Sun 08 Nov 02:00 UTC) takes them"
    ]
    flood = advise(facts(pending=10_001))
    assert flood.action == Action.FULL and flood.plan is not None
    assert flood.reasons == ["10,001 new photos arrived at once (more than 10,000)"]
    assert flood.plan.kind == RunKind.FULL and flood.plan.images == 16_001


def test_the_baseline_is_the_last_full_run() -> None:
    old = replace(RECIPE, model_sha256="0" * 64)
    # A full run with the old model, then a full run with the current one: nothing to do.
    assert advise(facts(runs=[run(1, recipe=old), run(2)])).action == Action.NOTHING
    # Incremental runs with the current model after a full run with the old one: the profiles
    # are still the old model's, so a full reprocess is due.
    mixed = advise(facts(runs=[run(1, recipe=old), run(2, kind="incremental")]))
    assert mixed.action == Action.FULL and "since run 1" in mixed.reasons[0]


def test_a_missing_model_file_is_said_not_guessed(tmp_path: Path) -> None:
    advice = advise(facts(model_sha256=None, model_problem="the model file /x.pt cannot be read"))
    assert advice.action == Action.NOTHING and advice.reasons == [
        "the model file /x.pt cannot be read"
    ]
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"weights" * 300_000)  # more than one read chunk
    assert file_sha256(weights) == hashlib.sha256(weights.read_bytes()).hexdigest()


def test_what_a_slot_runs() -> None:
    assert slot_plan(facts(), "changed").kind == RunKind.INCREMENTAL
    always = slot_plan(facts(), "always")
    assert (always.kind, always.clear_mode) == (RunKind.FULL, ClearMode.ALL)
    nudged = slot_plan(facts(reid_threshold=0.83), "changed")
    assert (nudged.kind, nudged.clear_mode) == (RunKind.REID_ONLY, ClearMode.ALL)
    nudged_with_photos = slot_plan(facts(reid_threshold=0.83, pending=5), "changed")
    assert nudged_with_photos.kind == RunKind.FULL
    assert slot_plan(facts(model_sha256="f" * 64), "changed").kind == RunKind.FULL


def test_a_reid_only_run_renews_the_re_id_baseline_but_not_the_detector_one() -> None:
    old = replace(RECIPE, reid_threshold=0.6, model_sha256="0" * 64)
    # The profiles were rebuilt at the current threshold by a reid-only run, but the detections
    # are still the old model's: only the model is news.
    runs = [run(1, recipe=old), run(2, kind="reid-only", recipe=replace(old, reid_threshold=0.8))]
    advice = advise(facts(runs=runs))
    assert advice.action == Action.FULL and len(advice.reasons) == 1
    assert advice.reasons[0].startswith("model sha256 00000000… → a1b2c3d4… since run 1")
    rebuilt = [run(1, recipe=replace(old, model_sha256=SHA)), runs[1]]
    rebuilt[1] = run(2, kind="reid-only")
    assert advise(facts(runs=rebuilt)).action == Action.NOTHING


def test_an_active_run_is_waited_for() -> None:
    running = replace(run(2, kind="incremental"), status="running", images_done=200)
    advice = advise(facts(runs=[run(1), running], pending=300))
    assert advice.action == Action.WAIT and advice.plan is None
    assert advice.reasons == [
        "run 2 (incremental) is running: 200 photos handled so far; let it finish first"
    ]


def test_a_changed_detector_setting_or_classifier_means_a_full_reprocess() -> None:
    recorded = replace(
        RECIPE, confidence=0.25, iou=0.7, imgsz=640, category_map={"buck": "buck", "doe": "doe"}
    )
    same = DetectionSettings(0.25, 0.7, None, {"buck": "buck", "doe": "doe"}, None)
    assert advise(facts([run(1, recipe=recorded)], detection=same)).action == Action.NOTHING
    changed = DetectionSettings(0.4, 0.7, 512, {"buck": "buck", "doe": "buck"}, "c3d4e5f6" * 8)
    advice = advise(facts([run(1, recipe=recorded)], detection=changed))
    assert advice.action == Action.FULL
    assert advice.reasons[:4] == [
        "confidence 0.25 → 0.4 since run 1",
        "imgsz 640 → 512 since run 1",
        "category_map doe → changed since run 1",
        "classifier none → c3d4e5f6… since run 1",
    ]
    # A run recorded before a setting existed is no reason to redo everything.
    old = replace(RECIPE, iou=None, confidence=None)
    assert advise(facts([run(1, recipe=old)], detection=same)).action == Action.NOTHING
