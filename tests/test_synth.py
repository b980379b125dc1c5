"""The synthetic ranch: determinism, truth that matches the pixels, and photos that import."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import run_cli, run_json
from thumper_tui.synth.herd import make_herd
from thumper_tui.synth.ranch import RanchOptions, generate, load_truth
from thumper_tui.synth.render import STRIP, render_frame
from thumper_tui.synth.scene import make_scene
from thumper_tui.synth.schedule import plan_ranch

SMALL = RanchOptions(cameras=3, deer=6, days=3, images=14, size=(384, 216), seed=11)


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def small_ranch(ranches: Callable[[RanchOptions], Path]) -> Path:
    return ranches(SMALL)


def test_same_seed_same_photos_and_truth(small_ranch: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, SMALL, workers=1)  # a different worker count must not matter
    assert digest(again) == digest(small_ranch)
    other = tmp_path / "other"
    generate(other, dataclasses.replace(SMALL, seed=12), workers=2)
    assert digest(other)["truth.json"] != digest(small_ranch)["truth.json"]


def test_truth_describes_cameras_herd_and_images(small_ranch: Path) -> None:
    truth = load_truth(small_ranch)
    assert len(truth["images"]) == 14
    assert [c["name"] for c in truth["cameras"]] == ["Sanctuary2", "Hayfield", "CreekBottom"]
    assert {i["category"] for i in truth["individuals"]} == {"buck", "doe", "fawn"}
    for individual in truth["individuals"]:
        assert individual["marks"], individual["id"]
        assert (individual["antler_points"] > 0) == (individual["category"] == "buck")
    for record in truth["images"]:
        assert (small_ranch / record["file"]).is_file()
        for animal in record["animals"]:
            x1, y1, x2, y2 = animal["box"]
            assert 0 <= x1 < x2 <= 384 and 0 <= y1 < y2 <= 216 * (1 - STRIP) + 1
            if animal["species"] == "deer":
                assert animal["individual"].startswith("deer-")


def test_file_names_in_both_ranch_styles(small_ranch: Path) -> None:
    names = [Path(r["file"]).name for r in load_truth(small_ranch)["images"]]
    dated = [n for n in names if re.fullmatch(r"[A-Za-z0-9]+_\d{8}_\d{6}_\d{3}b*\.jpg", n)]
    counter = [n for n in names if re.fullmatch(r"[A-Z0-9]+_\d{5}b*\.jpg", n)]
    assert dated and counter and len(dated) + len(counter) == len(names)


def test_exif_and_names_round_trip_through_import(small_ranch: Path, database_url: str) -> None:
    summary = run_json("import", str(small_ranch), "--timezone", "UTC", database_url=database_url)
    assert (summary["imported"], summary["failed"]) == (14, [])
    rows = {r["path"]: r for r in run_json("images", database_url=database_url)}
    for record in load_truth(small_ranch)["images"]:
        row = rows[str(small_ranch / record["file"])]
        assert row["taken_at"] == record["taken_at"] + "Z"
        assert row["timestamp_source"] == "exif"
        assert (row["camera"], row["width"], row["height"]) == (record["camera"], 384, 216)


def test_boxes_lie_on_the_drawn_animals() -> None:
    rng = np.random.default_rng(3)
    scenes = [make_scene(rng, i) for i in range(2)]
    herd = make_herd(rng, 8, 2)
    plan = plan_ranch(rng, herd, scenes, days=2, images=40, start=datetime(2025, 10, 1))
    by_id = {d.id: d for d in herd}
    size = (640, 360)
    checked = 0
    for frame in [f for f in plan if f.animals][:12]:
        with_animals, drawn = render_frame(frame, scenes[frame.camera], by_id, size)
        without, _ = render_frame(
            dataclasses.replace(frame, animals=()), scenes[frame.camera], by_id, size
        )
        diff = np.abs(np.asarray(with_animals, np.int16) - np.asarray(without, np.int16))
        changed = diff.max(axis=2) > 12
        covered = np.zeros_like(changed)
        for animal in drawn:
            x1, y1, x2, y2 = animal.box
            assert changed[y1:y2, x1:x2].mean() > 0.2, (frame.file, animal)
            pad = int((x2 - x1) * 0.05) + 2
            covered[max(0, y1 - pad) : y2 + pad, max(0, x1 - pad) : x2 + pad] = True
            checked += 1
        # Everything the animals changed (bodies, shadows, eyeshine) lies in their boxes.
        assert changed[~covered].sum() <= 0.01 * changed.sum() + 5, frame.file
    assert checked >= 10


def test_herd_is_one_brown_told_apart_by_details() -> None:
    import colorsys

    herd = make_herd(np.random.default_rng(5), 40, 6)
    hues = [colorsys.rgb_to_hsv(*(c / 255 for c in d.coat))[0] for d in herd]
    assert max(hues) - min(hues) < 0.04  # shades of one brown, never colour-coding
    looks = {(d.category, d.coat, tuple(m.kind for m in d.marks), d.antler_points) for d in herd}
    assert len(looks) == len(herd)


def test_synth_command(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = run_cli(
        "synth",
        "--out",
        str(out),
        "--images",
        "4",
        "--cameras",
        "2",
        "--deer",
        "3",
        "--size",
        "320x180",
        "--seed",
        "4",
    )
    assert result.exit_code == 0, result.output
    assert "4 photos with" in result.stdout
    assert len(load_truth(out)["images"]) == 4
    again = run_cli("synth", "--out", str(out), "--images", "4")
    assert again.exit_code == 2 and "is not empty" in again.output
    bad = run_cli("synth", "--out", str(tmp_path / "x"), "--size", "big")
    assert bad.exit_code == 2 and "WIDTHxHEIGHT" in bad.output
