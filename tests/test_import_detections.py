"""``thumper import-detections``: a bad file is refused whole with every problem named and
nothing imported; a good one imports its new photos and queues one run holding its boxes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import make_jpeg, query, run_cli
from thumper_tui.store.models import Image, ImportedBoxes, Run

GOOD: dict[str, Any] = {
    "info": {"format_version": "1.4", "detector": "md_v5a.0.0.pt"},
    "detection_categories": {"1": "animal", "2": "person"},
    "classification_categories": {"0": "buck", "1": "doe"},
    "images": [
        {
            "file": "Pond/a.jpg",
            "detections": [
                {"category": "1", "conf": 0.9, "bbox": [0.1, 0.2, 0.3, 0.4],
                 "classifications": [["1", 0.8], ["0", 0.1]]},
                {"category": "2", "conf": 0.5, "bbox": [0.6, 0.1, 0.2, 0.5]},
            ],
        },
        {"file": "Pond/b.jpg", "detections": []},
        {"file": "Creek\\c.jpg", "detections": [
            {"category": "1", "conf": 0.7, "bbox": [0.0, 0.0, 1.0, 1.0]}]},
        {"file": "Creek/d.jpg", "failure": "Failure image access", "detections": None},
    ],
}  # fmt: skip


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is KeyError:
            del node[int(last) if isinstance(node, list) else last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


CASES = {
    "format 2.0": (_set("info.format_version", "2.0"), "format_version '2.0' is not 1.x"),
    "no format version": (_set("info.format_version", KeyError), "missing key 'format_version'"),
    "no images": (_set("images", KeyError), "missing key 'images'"),
    "no categories": (_set("detection_categories", KeyError), "'detection_categories'"),
    "no conf": (
        _set("images.0.detections.0.conf", KeyError),
        "(Pond/a.jpg): detections[0]: missing conf",
    ),
    "no bbox": (_set("images.0.detections.1.bbox", KeyError), "detections[1]: missing bbox"),
    "box out of the photo": (
        _set("images.0.detections.0.bbox", [0.8, 0.2, 0.3, 0.4]),
        "(Pond/a.jpg): detections[0]: bbox [0.8, 0.2, 0.3, 0.4] is out of [0, 1]",
    ),
    "negative box": (_set("images.2.detections.0.bbox", [-0.1, 0, 0.5, 0.5]), "out of [0, 1]"),
    "conf above one": (_set("images.0.detections.0.conf", 1.5), "conf 1.5 is not a number"),
    "unknown category": (_set("images.0.detections.0.category", "9"), "category '9' is not in"),
    "unknown classification": (
        _set("images.0.detections.0.classifications", [["7", 0.9]]),
        "classification '7' is not in classification_categories",
    ),
    "outside the root": (_set("images.1.file", "../elsewhere/b.jpg"), "outside the root"),
    "absolute elsewhere": (_set("images.1.file", "/etc/passwd"), "(/etc/passwd): file: outside"),
    "a file twice": (_set("images.1.file", "Pond/a.jpg"), "listed twice"),
    "a video": (_set("images.1.frame_rate", 30), "a video"),
    "no detections key": (_set("images.1.detections", KeyError), "detections: missing"),
    "blank category name": (_set("detection_categories.1", " "), "name is blank"),
}


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    root = tmp_path / "cards"
    for shade, name in enumerate(("Pond/a.jpg", "Pond/b.jpg", "Creek/c.jpg", "Creek/d.jpg")):
        make_jpeg(root / name, size=(64, 48), color=(40 * shade, 90, 60),
                  datetime_original="2026:11:02 06:30:00")  # fmt: skip
    return root


def write(tmp_path: Path, data: Any, name: str = "md.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_file_is_refused_whole(case: str, photos: Path, tmp_path: Path) -> None:
    change, said = CASES[case]
    data = copy.deepcopy(GOOD)
    change(data)
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    result = run_cli("import-detections", str(write(tmp_path, data)), "--root", str(photos),
                     database_url=url)  # fmt: skip
    assert result.exit_code == 2, result.output
    assert said in result.output and "refused, nothing imported" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "thumper.db").exists()


@pytest.mark.parametrize(
    "content, said",
    [("", "not JSON"), ("[1, 2]", "not a JSON object"), ("{\"info\": 3", "not JSON"),
     (b"\xff\xfe garbage", "not JSON")],
)  # fmt: skip
def test_what_is_not_a_batch_file_is_refused(
    content: str | bytes, said: str, photos: Path, tmp_path: Path
) -> None:
    path = tmp_path / "md.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    result = run_cli("import-detections", str(path), "--root", str(photos), database_url=url)
    assert result.exit_code == 2 and said in result.output, result.output


def test_every_problem_is_named_at_once(photos: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(GOOD)
    for name in ("no conf", "no bbox", "outside the root"):
        CASES[name][0](data)
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    result = run_cli("import-detections", str(write(tmp_path, data)), "--root", str(photos),
                     database_url=url)  # fmt: skip
    assert "(3 problems)" in result.output


def test_a_good_file_queues_one_run_with_its_boxes(
    photos: Path, tmp_path: Path, database_url: str
) -> None:
    assert run_cli("import", str(photos / "Pond"), "--camera", "Pond",
                   database_url=database_url).exit_code == 0  # fmt: skip
    (photos / "Creek" / "c.jpg").write_bytes(b"")  # listed, but unreadable now
    path = write(tmp_path, GOOD)
    result = run_cli("import-detections", str(path), "--root", str(photos), "--queue-only",
                     "--json", database_url=database_url)  # fmt: skip
    assert result.exit_code == 0, result.output
    said = json.loads(result.stdout)
    assert said["photos"] == 2 and said["boxes"] == 2 and said["photos_imported"] == 0
    assert said["detector_failed"] == ["Creek/d.jpg"]
    assert [Path(p).name for p in said["unreadable"]] == ["c.jpg"]
    run = query(database_url, select(Run.kind, Run.status, Run.settings))[0]
    assert (run.kind, run.status) == ("imported", "queued")
    assert run.settings["detections_source"]["detector"] == "md_v5a.0.0.pt"
    held = {
        Path(path).name: boxes
        for path, boxes in query(
            database_url,
            select(Image.path, ImportedBoxes.boxes).join(Image, Image.id == ImportedBoxes.image_id),
        )
    }
    # the box's class is its top classification where it has one, with that one's confidence
    assert held == {
        "a.jpg": [
            ["doe", 0.9, 0.1, 0.2, 0.4, 0.6000000000000001, 0.8],
            ["person", 0.5, 0.6, 0.1, 0.8, 0.6, None],
        ],
        "b.jpg": [],
    }
    again = run_cli("import-detections", str(path), "--root", str(photos),
                    database_url=database_url)  # fmt: skip
    assert again.exit_code == 1 and "run 1 is queued" in again.output
    assert query(database_url, select(func.count()).select_from(Image)) == [(2,)]
