"""Re-identification in the engine, on real databases with the shipped detector and embedder:
every deer gets a profile, `thumper eval reid` scores them, and every human decision (names,
notes, verified assignments, primary photos, category corrections, detections taken out,
"not the same deer") survives each clear mode."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers import ok, query, run_cli, run_json
from thumper_tui.engine.recipe import RunRecipe, recipe_columns
from thumper_tui.reid.agglomerate import TOGETHER_MAX_IOU
from thumper_tui.store.engine import make_engine
from thumper_tui.store.models import Deer, Detection, NotSameDeer
from thumper_tui.synth.ranch import RanchOptions
from thumper_tui.vocabulary.boxes import iou

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

RANCH = RanchOptions(cameras=2, deer=5, days=2, images=36, size=(960, 540), seed=91)


def deer_detections(url: str) -> list[Any]:
    return query(
        url,
        select(
            Detection.id,
            Detection.image_id,
            Detection.x1,
            Detection.y1,
            Detection.x2,
            Detection.y2,
            Detection.deer_id,
            Detection.verified,
            Detection.species,
            Detection.is_duplicate,
            Detection.confidence,
            Detection.category,
            Detection.corrected_category,
        ).where(Detection.species == "deer", Detection.is_duplicate.is_(False)),
    )


def split_by_camera(ranch: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two import folders linking the ranch's first camera, and the others: a ranch whose
    photos arrive in two parts."""
    cameras = sorted(p for p in ranch.iterdir() if p.is_dir())
    first, later = tmp_path / "first", tmp_path / "later"
    for folder, part in ((first, cameras[:1]), (later, cameras[1:])):
        folder.mkdir()
        for camera in part:
            (folder / camera.name).symlink_to(camera)
    return first, later


def at(rows: list[Any], image_id: int, box: tuple[float, float, float, float]) -> Any:
    """The detection at the same place of the same photo (IoU >= 0.5), if any."""
    best = max(
        (r for r in rows if r.image_id == image_id),
        key=lambda r: iou((r.x1, r.y1, r.x2, r.y2), box),
        default=None,
    )
    assert best is not None and iou((best.x1, best.y1, best.x2, best.y2), box) >= 0.5
    return best


def test_every_deer_gets_a_profile_and_eval_scores_them(ranch: Path, database_url: str) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    rows = deer_detections(database_url)
    runs = run_json("runs", database_url=database_url)
    # A confident deer has a profile unless consolidation held its profile back (its sex in
    # doubt); an unsure one joins one or stays out.
    confident_out = [r for r in rows if r.confidence >= 0.5 and r.deer_id is None]
    assert len(rows) > 20 and len(confident_out) <= runs[0]["held_detections"]
    placed = [r for r in rows if r.deer_id is not None]
    # Two deer in one photo are two profiles, whatever consolidation merged; only two boxes over
    # one place (perhaps one deer boxed twice) may share one.
    for a in placed:
        for b in placed:
            if a.id < b.id and a.image_id == b.image_id and a.deer_id == b.deer_id:
                assert iou((a.x1, a.y1, a.x2, a.y2), (b.x1, b.y1, b.x2, b.y2)) >= TOGETHER_MAX_IOU
    profiles = run_json("profiles", database_url=database_url)
    assert sum(p["sightings"] for p in profiles) == len(placed)
    assert {p["category"] for p in profiles} <= {"buck", "doe", "fawn", "unknown"}
    report = run_json("eval", "reid", "--truth", str(ranch), database_url=database_url)
    assert {
        "profiles",
        "individuals",
        "bcubed_precision",
        "bcubed_recall",
        "bcubed_f1",
        "mixed_category_profiles",
    } <= set(report)
    assert report["matched_detections"] + report["unmatched_detections"] == len(placed)
    assert report["unassigned_deer_detections"] == len(rows) - len(placed)
    assert report["matched_detections"] >= 0.8 * len(placed)
    assert 1 <= report["individuals"] <= RANCH.deer and report["profiles"] <= len(profiles)
    assert report["bcubed_precision"] >= 0.8 and report["buck_doe_profiles"] == 0
    text = ok("eval", "reid", "--truth", str(ranch), url=database_url)
    assert "B-cubed precision" in text and "deer detections in no profile" in text
    # The run recorded its whole recipe: nothing of it reads back as a default (no classifier
    # is configured, so it records none; it detected, so it names no detections file).
    recorded = {**runs[0]["settings"], **{k: runs[0][k] for k in recipe_columns()}}
    recipe = RunRecipe.from_json(recorded)
    assert set(recipe.to_json()) <= set(recorded)
    unset = [k for k, v in recipe.to_json().items() if v is None]
    assert unset == ["classifier_path", "classifier_sha256", "detections_source"]
    assert RunRecipe.from_json(recipe.to_json()) == recipe
    assert 0 < recipe.reid_threshold < 1 and recipe.embedder and recipe.model_sha256
    assert recipe.consolidation.head_votes > 0  # the shipped embedder's card has a sex head


def test_eval_reid_explains_a_ranch_that_was_not_imported(
    ranch: Path, database_url: str, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(ranch / "truth.json", other / "truth.json")
    result = run_cli("eval", "reid", "--truth", str(other), database_url=database_url)
    assert result.exit_code == 2 and "thumper import" in result.output


@pytest.mark.parametrize("clear_mode", ["none", "detections", "all"])
def test_human_decisions_survive_every_clear_mode(
    ranch: Path, database_url: str, tmp_path: Path, clear_mode: str
) -> None:
    first, later = split_by_camera(ranch, tmp_path)
    ok("import", str(first), url=database_url)
    ok("process", url=database_url)
    profiles = sorted(
        run_json("profiles", database_url=database_url), key=lambda p: -p["sightings"]
    )
    assert len(profiles) >= 3
    bambi, faline, other = (p["id"] for p in profiles[:3])
    ok("name", str(bambi), "Bambi", url=database_url)
    ok("name", str(faline), "Faline", url=database_url)
    ok("note", str(bambi), "torn left ear", url=database_url)
    ok("not-same", str(bambi), str(faline), url=database_url)
    rows = deer_detections(database_url)
    # A human moves one of another profile's detections into Bambi, and picks Faline's photo.
    moved = next(r for r in rows if r.deer_id == other)
    ok("verify", str(moved.id), str(bambi), url=database_url)
    photo = next(r for r in rows if r.deer_id == faline)
    from thumper_tui.naming.decisions import set_primary

    async def choose() -> None:
        engine = make_engine(database_url)
        await set_primary(engine, faline, photo.id)
        await engine.dispose()

    asyncio.run(choose())
    # And takes one of Bambi's detections out of every profile.
    taken = next(r for r in rows if r.deer_id == bambi)
    ok("take-out", str(taken.id), url=database_url)
    # And confirms what one detection is (a correction the detector cannot outvote later).
    said = next(r for r in rows if r.deer_id == other and r.id != moved.id)
    ok("correct", str(said.id), said.category, url=database_url)
    before = {r.id: r for r in deer_detections(database_url)}
    if clear_mode == "none":
        ok("import", str(later), url=database_url)
    ok("reprocess", "--clear-mode", clear_mode, url=database_url)

    after = deer_detections(database_url)
    live = {
        r.id: r
        for r in query(
            database_url,
            select(Deer.id, Deer.name, Deer.notes, Deer.primary_detection_id, Deer.status),
        )
    }
    assert live[bambi].name == "Bambi" and live[bambi].notes == "torn left ear"
    assert live[faline].name == "Faline"
    assert live[bambi].status == live[faline].status == "active"
    box = (moved.x1, moved.y1, moved.x2, moved.y2)
    kept = at(after, moved.image_id, box)
    assert kept.deer_id == bambi and kept.verified
    out = at(after, taken.image_id, (taken.x1, taken.y1, taken.x2, taken.y2))
    assert out.deer_id is None and out.verified  # still out, still a human's word
    assert at(after, said.image_id, (said.x1, said.y1, said.x2, said.y2)).corrected_category == (
        said.category
    )
    primary = live[faline].primary_detection_id
    assert primary is not None
    assert at(after, photo.image_id, (photo.x1, photo.y1, photo.x2, photo.y2)).id == primary
    assert query(database_url, select(NotSameDeer.deer_a, NotSameDeer.deer_b)) == [
        tuple(sorted((bambi, faline)))
    ]
    # Named profiles hold most of the places they held before.
    for profile in (bambi, faline):
        earlier = [r for r in before.values() if r.deer_id == profile]
        still = [at(after, r.image_id, (r.x1, r.y1, r.x2, r.y2)).deer_id for r in earlier]
        assert still.count(profile) > len(earlier) / 2, (profile, still)
    active = {i for i, r in live.items() if r.status == "active"}
    assert {
        r.deer_id for r in after if r.deer_id is not None
    } <= active  # none points at a lost one


def test_reid_only_run_reuses_detections_with_a_new_threshold(
    ranch: Path, database_url: str, tmp_path: Path
) -> None:
    first, later = split_by_camera(ranch, tmp_path)
    ok("import", str(first), url=database_url)
    ok("process", url=database_url)
    detected = run_json("status", database_url=database_url)["images"]["done"]
    before = sorted((r.image_id, r.x1, r.y1) for r in deer_detections(database_url))
    ok("import", str(later), url=database_url)  # photos never detected: not the run's to touch
    ok(
        "reprocess",
        "--reid-only",
        "--clear-mode",
        "detections",
        "--threshold",
        "0.99",
        url=database_url,
    )
    after = deer_detections(database_url)
    assert sorted((r.image_id, r.x1, r.y1) for r in after) == before  # nothing detected anew
    runs = run_json("runs", database_url=database_url)
    assert runs[0]["kind"] == "reid-only" and runs[0]["reid_threshold"] == 0.99
    assert runs[0]["status"] == "done" and runs[0]["images"]["done"] == detected
    assert runs[0]["timings"]["decode"] == runs[0]["timings"]["detect"] == 0.0
    assert all(r.deer_id is not None for r in after if r.confidence >= 0.5)
    images = run_json("status", database_url=database_url)["images"]
    assert images["pending"] == RANCH.images - detected > 0  # still waiting to be detected
    ok("process", url=database_url)  # and the next run that detects takes them
    assert run_json("status", database_url=database_url)["images"]["done"] == RANCH.images
    refused = run_cli("reprocess", "--reid-only", "--clear-mode", "none", database_url=database_url)
    assert refused.exit_code == 2 and "--reid-only needs" in refused.output


def test_reprocess_with_other_weights_records_them(
    ranch: Path, database_url: str, tmp_path: Path
) -> None:
    from thumper_tui.detector.model import DEMO_WEIGHTS

    ok("import", str(ranch), url=database_url)
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    refused = run_cli("reprocess", "--model", str(broken), database_url=database_url)
    assert refused.exit_code == 2 and "broken.pt" in refused.output
    assert run_json("runs", database_url=database_url) == []  # nothing queued
    copy = tmp_path / "mine.pt"
    shutil.copy(DEMO_WEIGHTS, copy)
    ok("reprocess", "--clear-mode", "detections", "--model", str(copy), url=database_url)
    run = run_json("runs", database_url=database_url)[0]
    assert run["status"] == "done" and run["model_path"] == str(copy.resolve())
    assert run["settings"]["model"] == str(copy.resolve())


def test_a_broken_identity_embedder_is_reported_in_one_line(
    ranch: Path, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import thumper_tui.reid.embedder as embedder

    broken = tmp_path / "reid.pt"
    broken.write_bytes(b"\x80\x02 truncated")
    monkeypatch.setattr(embedder, "REID_WEIGHTS", broken)
    ok("import", str(ranch), url=database_url)
    result = run_cli("process", database_url=database_url)
    assert result.exit_code == 1
    assert f"cannot load the identity embedder {broken}" in result.output
    assert "Traceback" not in result.output
    status = run_json("status", database_url=database_url)
    assert status["images"]["processing"] == 0  # nothing left claimed


@pytest.mark.parametrize("clear_mode", ["none", "detections", "all"])
def test_merges_and_splits_survive_every_clear_mode(
    ranch: Path, database_url: str, clear_mode: str
) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    profiles = sorted(
        run_json("profiles", database_url=database_url), key=lambda p: -p["sightings"]
    )
    keep, gone, cut = (p["id"] for p in profiles[:3])
    ok("merge", str(gone), str(keep), url=database_url)
    rows = deer_detections(database_url)

    def alone(r: Any) -> bool:
        """No other deer box over the same place: a new box there continues only this one."""
        box = (r.x1, r.y1, r.x2, r.y2)
        return not any(
            o.id != r.id and o.image_id == r.image_id and iou((o.x1, o.y1, o.x2, o.y2), box) > 0.1
            for o in rows
        )

    merged = [r for r in rows if r.deer_id == keep and alone(r)]
    split_off = [r for r in rows if r.deer_id == cut and alone(r)][:2]
    assert merged and len(split_off) == 2
    out = ok("split", str(cut), *(str(r.id) for r in split_off), url=database_url)
    new = int(out.split("into new profile ")[1].split()[0])

    ok("reprocess", "--clear-mode", clear_mode, url=database_url)

    after = deer_detections(database_url)
    for r in merged:  # every photo of the merged deer is still the survivor's
        assert at(after, r.image_id, (r.x1, r.y1, r.x2, r.y2)).deer_id == keep
    for r in split_off:  # and the split-off detections are still the other deer's
        assert at(after, r.image_id, (r.x1, r.y1, r.x2, r.y2)).deer_id == new
    status = dict(query(database_url, select(Deer.id, Deer.status)))
    assert status[gone] == "merged" and status[new] == status[cut] == "active"
    assert tuple(sorted((cut, new))) in query(
        database_url, select(NotSameDeer.deer_a, NotSameDeer.deer_b)
    )
