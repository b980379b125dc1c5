"""Exports on a seeded herd (no detector): written whole or not at all, never over a folder
of other files, and the same on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.seeded_herd import seed_herd
from thumper_tui.interop.atomic import ExportError, partial_of
from thumper_tui.interop.camtrap.validate import validate_package
from thumper_tui.interop.camtrap.writer import export_camtrap
from thumper_tui.interop.megadetector.writer import export_megadetector
from thumper_tui.interop.records import photos_with_detections
from thumper_tui.interop.tables import export_tables


class Interrupted(Exception):
    pass


def stop_after(photos: int):  # type: ignore[no-untyped-def]
    seen = [0]

    def advance(count: int) -> None:
        seen[0] += count
        if seen[0] > photos:
            raise Interrupted

    return advance


async def test_the_stream_holds_each_photo_once_with_all_its_detections(
    engine: AsyncEngine,
) -> None:
    detections = await seed_herd(engine, photos=6_003)  # past the stream's chunks
    seen = [(photo.id, len(found)) async for photo, found in photos_with_detections(engine)]
    assert len(seen) == len({i for i, _ in seen}) == 6_003
    assert sum(n for _, n in seen) == detections == 12_006


async def test_an_interrupted_export_leaves_the_earlier_one_whole(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await seed_herd(engine, photos=300)
    target = tmp_path / "md.json"
    first = await export_megadetector(engine, target, root="/srv/cards")
    before = target.read_bytes()
    assert first.photos == 300 and json.loads(before)["images"][0]["file"] == "Cam0/IMG_0000000.JPG"
    with pytest.raises(Interrupted):
        await export_megadetector(engine, target, root="/srv/cards", on_progress=stop_after(100))
    assert target.read_bytes() == before
    assert not partial_of(target).exists()
    folder = tmp_path / "csv"
    with pytest.raises(Interrupted):
        await export_tables(engine, folder, root="/srv/cards", on_progress=stop_after(10))
    assert not folder.exists() and not partial_of(folder).exists()
    done = await export_tables(engine, folder, root="/srv/cards")
    rows = list(csv.DictReader((folder / "sightings.csv").open()))
    assert len(rows) == done.detections and rows[0]["file"].startswith("Cam0/")
    package = tmp_path / "dp"
    await export_camtrap(engine, package, root="/srv/cards")
    descriptor = (package / "datapackage.json").read_bytes()
    with pytest.raises(Interrupted):
        await export_camtrap(engine, package, root="/srv/cards", on_progress=stop_after(10))
    assert (package / "datapackage.json").read_bytes() == descriptor
    assert not partial_of(package).exists()


async def test_an_export_never_replaces_a_folder_of_other_files(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await seed_herd(engine, photos=30)
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    with pytest.raises(ExportError, match="holds other files"):
        await export_camtrap(engine, home, root="/srv/cards")
    assert (home / "notes").is_dir()
    with pytest.raises(ExportError, match="is a folder"):
        await export_megadetector(engine, home, root="/srv/cards")
    package = await export_camtrap(engine, tmp_path / "dp", root="/srv/cards")
    assert validate_package(tmp_path / "dp" / "datapackage.json") == []
    again = await export_camtrap(engine, tmp_path / "dp", root="/srv/cards")  # replaces its own
    assert again.photos == package.photos == 30
