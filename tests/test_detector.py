"""The shipped demo detector: offline, silent, and finding deer on photos it never saw."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli
from thumper_tui.detector.model import (
    DEMO_CARD,
    DEMO_CLASSES,
    DEMO_WEIGHTS,
    DetectorError,
    class_names,
    load_detector,
)
from thumper_tui.lab.detector.evaluate import average_precision, predict
from thumper_tui.synth.ranch import RanchOptions, load_truth
from thumper_tui.vocabulary.boxes import as_box, iou

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

UNSEEN_SEED = 4242  # training used 1000


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail on any attempt to open a network connection, and record it."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any, *args: Any) -> None:
        attempts.append(address)
        raise NetworkAttempt(f"network connection attempted: {address}")

    def refuse_create(address: Any, *args: Any, **kwargs: Any) -> None:
        attempts.append(address)
        raise NetworkAttempt(f"network connection attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    yield attempts
    assert attempts == []


@pytest.fixture(scope="module")
def unseen_ranch(ranches: Callable[[RanchOptions], Path]) -> Path:
    return ranches(RanchOptions(cameras=3, deer=8, days=2, images=12, seed=UNSEEN_SEED))


def test_shipped_weights_and_card_are_in_the_package() -> None:
    assert DEMO_WEIGHTS.is_file()
    assert 2_000_000 < DEMO_WEIGHTS.stat().st_size < 10_000_000
    card = json.loads(DEMO_CARD.read_text())
    assert card["classes"] == list(DEMO_CLASSES)
    assert card["training"]["seed"] != UNSEEN_SEED
    assert card["evaluation"]["seed"] not in (card["training"]["seed"], UNSEEN_SEED)
    assert 0.0 <= card["evaluation"]["map50"] <= 1.0
    assert card["data"]["images"] == card["training"]["images"]


def test_weights_load_offline_and_detect_deer(
    no_network: list[Any], unseen_ranch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = load_detector()
    assert class_names(model) == dict(enumerate(DEMO_CLASSES))
    truth = load_truth(unseen_ranch)
    records = [r for r in truth["images"] if any(a["species"] == "deer" for a in r["animals"])]
    paths = [unseen_ranch / r["file"] for r in records]
    found = total = 0
    for record, preds in zip(records, predict(model, paths, 512), strict=True):
        for animal in record["animals"]:
            if animal["species"] != "deer":
                continue
            total += 1
            box = as_box(animal["box"])
            found += any(
                p.confidence >= 0.25
                and p.label in ("buck", "doe", "fawn")
                and iou(p.box, box) >= 0.5
                for p in preds
            )
    assert total >= 5
    assert found / total >= 0.8
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # ultralytics stays silent


def test_missing_weights_are_refused_without_a_download(
    no_network: list[Any], tmp_path: Path
) -> None:
    with pytest.raises(DetectorError, match="model weights not found"):
        load_detector(tmp_path / "yolov8n.pt")
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    with pytest.raises(DetectorError, match="cannot load model weights"):
        load_detector(broken)


def test_eval_detect_command(unseen_ranch: Path) -> None:
    result = run_cli("eval", "detect", "--data", str(unseen_ranch), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"map50", "per_class", "category_accuracy", "images"} <= set(report)
    assert report["images"] == 12
    for row in report["per_class"].values():
        assert set(row) == {"map50", "precision", "recall"}
    missing = run_cli("eval", "detect", "--data", str(unseen_ranch), "--model", "nope.pt")
    assert missing.exit_code == 2 and "model weights not found" in missing.stderr


def test_model_setting_points_the_engine_at_user_weights(
    unseen_ranch: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("THUMPER_MODEL", str(tmp_path / "ranch-yolov8s.pt"))
    result = run_cli("eval", "detect", "--data", str(unseen_ranch))
    assert result.exit_code == 2
    assert f"model weights not found: {tmp_path / 'ranch-yolov8s.pt'}" in result.stderr


def test_other_weights_are_evaluated_at_the_size_they_were_trained_at(
    unseen_ranch: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "my-weights.pt"  # no model card beside it: the checkpoint says 512
    shutil.copyfile(DEMO_WEIGHTS, copy)
    result = run_cli("eval", "detect", "--data", str(unseen_ranch), "--model", str(copy))
    assert result.exit_code == 0, result.output
    assert "at imgsz 512" in result.stdout


def test_average_precision_on_known_cases() -> None:
    from thumper_tui.lab.detector.evaluate import Prediction

    truths = {"a": [(0.0, 0.0, 10.0, 10.0)], "b": [(0.0, 0.0, 10.0, 10.0)]}
    perfect = [
        ("a", Prediction((0, 0, 10, 10), "doe", 0.9)),
        ("b", Prediction((1, 1, 10, 10), "doe", 0.8)),
    ]
    assert average_precision(perfect, truths) == (1.0, 1.0, 1.0)
    # A confident false positive first: precision 1/2 then 2/3 at full recall.
    noisy = [("a", Prediction((50, 50, 60, 60), "doe", 0.95)), *perfect]
    ap, precision, recall = average_precision(noisy, truths)
    assert ap == pytest.approx(2 / 3)
    assert (precision, recall) == (pytest.approx(2 / 3), 1.0)
    half = [("a", Prediction((0, 0, 10, 10), "doe", 0.9))]
    assert average_precision(half, truths)[0] == pytest.approx(0.5)


def test_boxes_made_elsewhere_are_treated_as_the_detectors_own() -> None:
    import numpy as np

    from thumper_tui.detector.inference import Detector
    from thumper_tui.vocabulary.boxes import GivenBox

    detector = Detector(None, device="cpu", category_map={"deer": "unknown", "animal": "unknown"})
    photo = np.zeros((90, 160, 3), dtype=np.uint8)
    given = [
        [
            GivenBox("Deer", 0.6, (0.1, 0.1, 0.5, 0.9)),
            GivenBox("animal", 0.9, (0.12, 0.1, 0.5, 0.9), 0.7),  # the same, more confident
            GivenBox("Raccoon", 0.8, (0.6, 0.5, 0.9, 0.9)),
        ],
        [],
    ]
    found = detector.adopt([photo, photo], given)
    assert found[1] == []
    shown = [
        (f.class_name, f.category, f.species, f.is_duplicate, f.category_confidence)
        for f in found[0]
    ]
    assert shown == [
        ("animal", "unknown", "deer", False, 0.7),
        ("Raccoon", "other", "Raccoon", False, None),
        ("Deer", "unknown", "deer", True, None),
    ]
