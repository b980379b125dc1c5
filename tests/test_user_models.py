"""A rancher's own weights and classes: detections land in the categories their map says, with
the size the weights were trained at, and a crop classifier deciding in a two-stage set-up."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers import ok, query, run_cli, run_json
from tests.user_models import (
    CROP_CLASSES,
    CROP_MAP,
    FOREIGN_CLASSES,
    FOREIGN_MAP,
    USER_CLASSES,
    USER_IMGSZ,
    UserModels,
)
from thumper_tui.detector.classifier import crop
from thumper_tui.detector.decode import decode_for_model
from thumper_tui.detector.inference import Detector
from thumper_tui.detector.model import DetectorError
from thumper_tui.store.models import Deer, Detection

pytestmark = pytest.mark.slow


def _processed(url: str, ranch: Path) -> tuple[list[Any], dict[str, Any]]:
    """Import and process ``ranch``: every detection's class, category and species, and the
    run's recorded settings."""
    ok("import", str(ranch), url=url)
    out = ok("process", url=url)
    assert "done" in out, out
    rows = query(url, select(Detection.class_name, Detection.category, Detection.species))
    (run,) = run_json("runs", database_url=url)
    return rows, run


def test_user_weights_sort_their_own_classes_by_the_default_map(
    user_models: UserModels, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THUMPER_MODEL", str(user_models.detector))
    rows, run = _processed(database_url, user_models.ranch)
    expected = {"Mature": "buck", "Doe": "doe", "Fawn": "fawn"}
    assert rows and {name for name, _, _ in rows} <= set(USER_CLASSES)
    for name, category, species in rows:
        assert category == expected.get(name, "other"), name
        assert species == ("deer" if name in expected else name)
    assert {"doe", "fawn"} <= {category for _, category, _ in rows}
    settings = run["settings"]
    assert settings["imgsz"] == USER_IMGSZ  # from the checkpoint, not 640 nor the demo's 512
    assert run["model_classes"] == list(USER_CLASSES)
    assert settings["category_map"]["mature"] == "buck"
    assert settings["unmarked_images"] == 0 and settings["demo_model_allowed"] is False
    assert query(database_url, select(Deer.id)), "the deer were re-identified into profiles"


def test_foreign_class_names_need_the_map_and_follow_it(
    user_models: UserModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THUMPER_MODEL", str(user_models.foreign))
    unmapped = f"sqlite:///{tmp_path / 'unmapped.db'}"
    rows, _ = _processed(unmapped, user_models.ranch)
    assert rows and {category for _, category, _ in rows} == {"other"}, "no default knows them"

    monkeypatch.setenv("THUMPER_CATEGORY_MAP", FOREIGN_MAP + ",person=other")
    mapped = f"sqlite:///{tmp_path / 'mapped.db'}"
    rows, run = _processed(mapped, user_models.ranch)
    expected = {"Antlered": "buck", "Antlerless": "doe", "Spotted": "fawn"}
    assert {name for name, _, _ in rows} <= set(FOREIGN_CLASSES)
    for name, category, _ in rows:
        assert category == expected.get(name, "other"), name
    assert run["settings"]["category_map"]["antlerless"] == "doe"


def test_the_classifier_decides_each_deer_through_the_map(user_models: UserModels) -> None:
    category_map = {name.lower(): category for category, name in CROP_CLASSES.items()}
    detector = Detector(
        user_models.generic,
        device="cpu",
        category_map={"deer": "unknown", **category_map},
        classifier=user_models.classifier,
    )
    assert detector.classifier is not None
    photos = sorted(user_models.ranch.glob("*/*.jpg"))[:8]
    arrays = [decode_for_model(p, detector.imgsz).array for p in photos]
    results = detector.detect(arrays)
    deer = [(i, f) for i, found in enumerate(results) for f in found if f.class_name == "Deer"]
    assert deer, "the generic detector found deer"
    verdicts = detector.classifier.classify([crop(arrays[i], f.box) for i, f in deer])
    for (_, found), verdict in zip(deer, verdicts, strict=True):
        assert found.category == category_map[verdict.class_name], verdict
        assert found.species == "deer"


def test_a_two_stage_set_up_runs_end_to_end_and_is_recorded(
    user_models: UserModels, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THUMPER_MODEL", str(user_models.generic))
    monkeypatch.setenv("THUMPER_CLASSIFIER", str(user_models.classifier))
    monkeypatch.setenv("THUMPER_CATEGORY_MAP", CROP_MAP)
    rows, run = _processed(database_url, user_models.ranch)
    deer = [(name, category) for name, category, species in rows if species == "deer"]
    assert deer and {name for name, _ in deer} == {"Deer"}
    # The classifier gave every deer a sex or age: none is left "unknown" as the map says Deer is.
    assert {category for _, category in deer} <= {"buck", "doe", "fawn"}
    settings = run["settings"]
    digest = hashlib.sha256(user_models.classifier.read_bytes()).hexdigest()
    assert settings["classifier_sha256"] == digest
    assert settings["classifier_classes"] == sorted(CROP_CLASSES.values())
    assert settings["classifier_path"] == str(user_models.classifier.resolve())


def test_weights_of_the_wrong_kind_are_refused_in_one_line(user_models: UserModels) -> None:
    with pytest.raises(DetectorError) as as_model:
        Detector(user_models.classifier, device="cpu")
    assert "are a classify model, not a detection model" in str(as_model.value)
    assert "`classifier` setting" in str(as_model.value)
    with pytest.raises(DetectorError) as as_classifier:
        Detector(user_models.detector, device="cpu", classifier=user_models.detector)
    assert "are a detect model, not a classification model" in str(as_classifier.value)


def test_own_weights_run_over_real_photos_without_leave(
    user_models: UserModels, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    ok("import", str(Path(__file__).parent / "data" / "real"), url=url)
    done = run_cli("reprocess", "--model", str(user_models.detector), database_url=url)
    assert done.exit_code == 0, done.output
    (run,) = run_json("runs", database_url=url)
    assert run["status"] == "done" and run["settings"]["unmarked_images"] == 5
    assert run["settings"]["demo_model_allowed"] is False


def test_megadetector_animals_are_sorted_by_the_classifier_when_imported(
    user_models: UserModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("first.db", "second.db"))
    monkeypatch.setenv("THUMPER_MODEL", str(user_models.generic))
    _processed(first, user_models.ranch)
    exported = tmp_path / "md.json"
    ok("export", "megadetector", str(exported), "--md-categories", url=first)
    monkeypatch.setenv("THUMPER_CLASSIFIER", str(user_models.classifier))
    monkeypatch.setenv("THUMPER_CATEGORY_MAP", CROP_MAP + ",animal=unknown")
    result = run_cli(
        "import-detections", str(exported), "--root", str(user_models.ranch), database_url=second
    )
    assert result.exit_code == 0, result.output
    rows = query(second, select(Detection.class_name, Detection.category, Detection.species))
    # MegaDetector's "animal" goes through the map to a deer, and the classifier sorts it
    assert rows and {name for name, _, _ in rows} == {"animal"}
    assert {category for _, category, _ in rows} <= {"buck", "doe", "fawn"}
    (run,) = run_json("runs", database_url=second)
    digest = hashlib.sha256(user_models.classifier.read_bytes()).hexdigest()
    assert run["kind"] == "imported" and run["settings"]["classifier_sha256"] == digest
    assert run["model_classes"] == ["animal", "buck", "doe", "fawn", "person", "vehicle"]
    # the classifier's probability is kept, and is what an export says of each deer's category
    sure = query(second, select(Detection.id, Detection.category_confidence))
    assert all(p is not None and 0 < p <= 1 for _, p in sure)
    back = tmp_path / "back.json"
    ok("export", "megadetector", str(back), url=second)
    said = sorted(
        d["classifications"][0][1]
        for image in json.loads(back.read_text())["images"]
        for d in image["detections"]
    )
    assert said == sorted(round(p, 4) for _, p in sure)
