"""The field's formats on a processed ranch, on SQLite and PostgreSQL: MegaDetector JSON out
(checked by MegaDetector's own validator) and back in as an imported run, Camtrap DP out
(checked by frictionless against the shipped 1.0.2 schemas), CSV out."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from megadetector.postprocessing.validate_batch_results import validate_batch_results
from sqlalchemy import func, select

from tests.conftest import create_pg_database, drop_pg_database
from tests.helpers import ok, query, run_cli, run_json
from thumper_tui.interop.camtrap.validate import validate_package
from thumper_tui.store.models import Deer, Detection, Image, ImportedBoxes, Run
from thumper_tui.synth.ranch import RanchOptions

pytestmark = pytest.mark.slow  # a real detector and embedder over a ranch

RANCH = RanchOptions(cameras=3, deer=6, days=2, images=24, size=(640, 360), seed=77)


@pytest.fixture
def second_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as ``database_url``."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    url = create_pg_database("thumper_interop")
    try:
        yield url
    finally:
        drop_pg_database(url)


def md_boxes(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Each image's boxes in a batch file: box, confidence and category (the classification
    where there is one: a human's correction is carried there, not in the detector's class)."""
    data = json.loads(path.read_text())
    names, classes = data["detection_categories"], data.get("classification_categories", {})
    return {
        image["file"]: sorted(
            (
                tuple(d["bbox"]),
                d["conf"],
                tuple(classes[c[0]] for c in d.get("classifications", [])) or names[d["category"]],
            )
            for d in image["detections"] or []
        )
        for image in data["images"]
    }


def verdict(path: Path) -> dict[str, Any]:
    results: dict[str, Any] = validate_batch_results(str(path))["validation_results"]
    return results


def decide(url: str) -> tuple[int, str, int]:
    """Name a profile and correct one of its detections' category: what exports must carry."""
    profile = run_json("profiles", database_url=url)[0]
    ok("name", str(profile["id"]), "Bambi", url=url)
    shown = run_json("profile", "show", str(profile["id"]), database_url=url)
    detection = shown["photos"][0]["detection"]
    other = "doe" if profile["category"] == "buck" else "buck"
    ok("correct", str(detection), other, url=url)
    return profile["id"], other, detection


def test_megadetector_out_validates_and_comes_back_in(
    ranch: Path, database_url: str, second_database: str, tmp_path: Path
) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    _, corrected, _ = decide(database_url)
    out = tmp_path / "md.json"
    said = run_json(
        "export", "megadetector", str(out), "--root", str(ranch), database_url=database_url
    )
    results = verdict(out)
    assert results["errors"] == [] and results["warnings"] == []
    total = query(database_url, select(func.count()).select_from(Detection))[0][0]
    assert (said["photos"], said["detections"]) == (RANCH.images, total)
    data = json.loads(out.read_text())
    assert data["info"]["detector"] == "thumper-demo-yolov8n.pt"
    assert data["info"]["detector_metadata"]["typical_detection_threshold"] == 0.25
    assert {i["file"] for i in data["images"]} == {
        str(p.relative_to(ranch)) for p in ranch.rglob("*.jpg")
    }
    # the corrected detection carries the human's category, with certainty
    classes = data["classification_categories"]
    human = [
        d
        for i in data["images"]
        for d in i["detections"]
        if d.get("classifications") and d["classifications"][0][1] == 1.0
    ]
    assert [classes[d["classifications"][0][0]] for d in human] == [corrected]

    result = run_cli(
        "import-detections", str(out), "--root", str(ranch), database_url=second_database
    )
    assert result.exit_code == 0, result.output
    run = query(second_database, select(Run.kind, Run.status, Run.model_path, Run.settings))[0]
    assert (run.kind, run.status, run.model_path) == ("imported", "done", data["info"]["detector"])
    source = run.settings["detections_source"]
    assert source["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert query(second_database, select(func.count()).select_from(ImportedBoxes)) == [(0,)]
    # Thumper re-identified the imported deer: every deer box not a duplicate has its embedding
    deer = query(
        second_database,
        select(Detection.embedding.is_not(None), Detection.deer_id.is_not(None)).where(
            Detection.is_deer_sighting()
        ),
    )
    assert deer and all(embedded for embedded, _ in deer)
    # the same boxes through the same embedder: profiles as the detector's run made them
    placed_before = query(
        database_url,
        select(func.count()).where(Detection.is_deer_sighting(), Detection.deer_id.is_not(None)),
    )[0][0]
    assert sum(placed for _, placed in deer) == placed_before
    assert query(second_database, select(func.count()).select_from(Deer))[0][0] > 0

    back = tmp_path / "back.json"
    ok("export", "megadetector", str(back), "--root", str(ranch), url=second_database)
    assert md_boxes(back) == md_boxes(out)
    first = Counter(
        c
        for (c,) in query(
            database_url, select(func.coalesce(Detection.corrected_category, Detection.category))
        )
    )
    second = Counter(c for (c,) in query(second_database, select(Detection.category)))
    assert first == second


def test_megadetector_categories_and_a_run_of_its_own(
    ranch: Path, database_url: str, tmp_path: Path
) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    out = tmp_path / "md.json"
    ok("export", "megadetector", str(out), "--md-categories", "--run", "1", url=database_url)
    data = json.loads(out.read_text())
    assert verdict(out)["errors"] == []
    assert data["detection_categories"] == {"1": "animal", "2": "person", "3": "vehicle"}
    kinds = {d["category"] for i in data["images"] for d in i["detections"]}
    assert kinds == {"1"}  # the demo ranch holds animals only
    deer = [d for i in data["images"] for d in i["detections"] if "classifications" in d]
    assert deer and all(d["classifications"][0][0] in {"1", "2", "3"} for d in deer)
    # a run that processed nothing exports nothing, and says so
    ok("reprocess", "--clear-mode", "none", "--queue-only", url=database_url)
    ok("cancel", url=database_url)
    empty = run_cli("export", "megadetector", str(tmp_path / "none.json"), "--run", "2",
                    database_url=database_url)  # fmt: skip
    assert empty.exit_code == 1 and "nothing to export" in empty.output
    assert not (tmp_path / "none.json").exists()


def test_camtrap_dp_out_validates_with_individuals(
    ranch: Path, database_url: str, tmp_path: Path
) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    profile, corrected, detection = decide(database_url)
    out = tmp_path / "dp"
    refused = run_cli("export", "camtrap-dp", str(out), database_url=database_url)
    assert refused.exit_code == 1 and "location" in refused.output and not out.exists()
    cameras = sorted({i["camera"] for i in run_json("images", database_url=database_url)})
    for n, camera in enumerate(cameras):
        ok("camera", camera, "--location", f"30.{n},-97.{n}", url=database_url)
    said = run_json("export", "camtrap-dp", str(out), database_url=database_url)
    assert (said["validation"], said["problems"]) == ("valid", [])
    assert validate_package(out / "datapackage.json") == []
    media = list(csv.DictReader((out / "media.csv").open()))
    observations = list(csv.DictReader((out / "observations.csv").open()))
    assert len(media) == RANCH.images
    by_id = {o["observationID"]: o for o in observations}
    human = by_id[f"o{detection}"]
    assert (human["classificationMethod"], human["individualID"]) == ("human", "Bambi")
    assert {"buck": "male", "doe": "female"}[corrected] == human["sex"]
    named = [o for o in observations if o["individualID"] == "Bambi"]
    placed = query(
        database_url,
        select(func.count()).where(Detection.deer_id == profile, Detection.is_duplicate.is_(False)),
    )[0][0]
    assert len([o for o in named if o["observationLevel"] == "media"]) == placed
    events = [o for o in observations if o["observationLevel"] == "event"]
    assert events and all(o["individualID"] and o["eventID"] for o in events)
    package = json.loads((out / "datapackage.json").read_text())
    assert package["profile"].endswith("/1.0.2/camtrap-dp-profile.json")
    assert package["taxonomic"][0]["scientificName"]

    # the validator really checks: a broken copy of the export fails it
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("deployments.csv", "media.csv"):
        (broken / name).write_bytes((out / name).read_bytes())
    (broken / "observations.csv").write_text(
        (out / "observations.csv").read_text().replace(",human,", ",robot,", 1)
    )
    del package["created"]
    (broken / "datapackage.json").write_text(json.dumps(package))
    problems = validate_package(broken / "datapackage.json")
    assert any("created" in p for p in problems) or any("robot" in p for p in problems)
    package["created"] = "2026-12-03T00:00:00Z"
    (broken / "datapackage.json").write_text(json.dumps(package))
    assert any("robot" in p for p in validate_package(broken / "datapackage.json"))


def test_csv_out_lists_profiles_and_sightings(
    ranch: Path, database_url: str, tmp_path: Path
) -> None:
    ok("import", str(ranch), url=database_url)
    ok("process", url=database_url)
    decide(database_url)
    out = tmp_path / "csv"
    said = run_json("export", "csv", str(out), database_url=database_url)
    profiles = list(csv.DictReader((out / "profiles.csv").open()))
    sightings = list(csv.DictReader((out / "sightings.csv").open()))
    live = query(
        database_url, select(func.count()).select_from(Deer).where(Deer.status == "active")
    )
    assert len(profiles) == live[0][0]
    assert [p["name"] for p in profiles if p["name"]] == ["Bambi"]
    deer = query(
        database_url,
        select(func.count()).select_from(Detection).where(Detection.is_deer_sighting()),
    )[0][0]
    assert len(sightings) == said["detections"] == deer
    assert all(p["cameras"] and p["primary_photo"] for p in profiles if int(p["sightings"]))
    assert {s["category_by_human"] for s in sightings} == {"yes", "no"}


def test_the_standards_own_example_validates() -> None:
    example = Path(__file__).parent / "data" / "camtrap-dp-1.0.2" / "example" / "datapackage.json"
    assert validate_package(example) == []


def image_count(url: str) -> int:
    return int(query(url, select(func.count()).select_from(Image))[0][0])
