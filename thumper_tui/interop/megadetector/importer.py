"""``thumper import-detections``: a checked detections file becomes a queued imported run.

Nothing is written before the whole file is checked and no run is active. Photos the database
does not hold yet are imported first (a photo that cannot be read fails alone, as in ``thumper
import``); then the run and every photo's boxes are queued in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.imported import queue_imported
from thumper_tui.engine.runs import RunError, active_run
from thumper_tui.ingest.importer import ImportSummary, import_scanned
from thumper_tui.ingest.scan import listed
from thumper_tui.interop.megadetector.reader import DetectionsFile
from thumper_tui.paths import stored_path
from thumper_tui.store.models import Image
from thumper_tui.vocabulary.boxes import GivenBox

CHUNK = 500


@dataclass
class ImportedDetections:
    """What an import of a detections file did: the run queued and what was left out."""

    run_id: int
    photos: int
    boxes: int
    imported: ImportSummary
    detector_failed: list[str] = field(default_factory=list)  # files the file's detector failed
    unreadable: list[str] = field(default_factory=list)  # listed photos that could not be read

    def as_json(self) -> dict[str, Any]:
        """The public JSON shape of ``thumper import-detections --queue-only --json``."""
        return {
            "run": self.run_id,
            "photos": self.photos,
            "boxes": self.boxes,
            "photos_imported": self.imported.imported,
            "detector_failed": self.detector_failed,
            "unreadable": self.unreadable,
        }


async def _image_ids(engine: AsyncEngine, paths: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    async with engine.connect() as conn:
        for start in range(0, len(paths), CHUNK):
            chunk = paths[start : start + CHUNK]
            rows = await conn.execute(select(Image.path, Image.id).where(Image.path.in_(chunk)))
            ids.update((path, image_id) for path, image_id in rows)
    return ids


async def import_detections(
    engine: AsyncEngine,
    parsed: DetectionsFile,
    root: str,
    *,
    zone: tzinfo,
    on_found: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportedDetections:
    """Import the photos ``parsed`` names that are new, and queue its imported run."""
    current = await active_run(engine)
    if current is not None:
        raise RunError(f"run {current.id} is {current.status}; wait for it or cancel it first")
    usable = [i for i in parsed.images if i.failure is None]
    by_path = {stored_path(i.path): i for i in usable}
    known = await _image_ids(engine, list(by_path))
    fresh = [i.path for i in usable if stored_path(i.path) not in known]
    summary = await import_scanned(
        engine, listed(root, fresh), zone=zone, on_found=on_found, on_progress=on_progress
    )
    # A photo already imported under another path (a copy) takes its boxes to that image.
    originals = {d.path: d.original for d in summary.duplicates}
    known.update(await _image_ids(engine, [p for p in by_path if p not in known]))
    known.update(await _image_ids(engine, list(set(originals.values()))))
    boxes: dict[int, list[GivenBox]] = {}
    unreadable = [f.path for f in summary.failures]
    for path, item in by_path.items():
        image_id = known.get(originals.get(path, path))
        if image_id is None:
            continue
        boxes.setdefault(image_id, []).extend(item.boxes)
    run_id = await queue_imported(engine, parsed.source, boxes)
    return ImportedDetections(
        run_id,
        len(boxes),
        sum(len(b) for b in boxes.values()),
        summary,
        [i.file for i in parsed.images if i.failure is not None],
        unreadable,
    )
