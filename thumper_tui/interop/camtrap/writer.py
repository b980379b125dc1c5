"""Writing a Camtrap DP 1.0.2 package: deployments, media and observations, streamed.

Observations are media-level, one per detection (duplicate boxes left out: they would count
an animal twice), a blank one per empty photo, and event-level, one per deer per burst, each
carrying ``individualID`` from its profile: its name when named, its stable id otherwise. A
category a human corrected is ``classificationMethod`` human.
"""

from __future__ import annotations

import csv
import getpass
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.interop.atomic import ExportError, atomic_folder
from thumper_tui.interop.camtrap import BASE_URL, PROFILE_URL, SCHEMAS, TABLES
from thumper_tui.interop.camtrap.deployments import Deployments, read_deployments
from thumper_tui.interop.records import (
    CHUNK,
    DetectionRecord,
    Exported,
    PhotoRecord,
    in_scope,
    individual_id,
    photos_with_detections,
    relative_name,
    size_of,
)
from thumper_tui.interop.taxa import (
    LIFE_STAGE,
    SCIENTIFIC_NAMES,
    SEX,
    WHITE_TAILED_DEER,
    observation_type,
)
from thumper_tui.store.models import Camera, Deer, Detection, Image, Run
from thumper_tui.vocabulary.states import ImageStatus

MARKER = "datapackage.json"


def _columns(table: str) -> list[str]:
    schema = json.loads((SCHEMAS / f"{table}-table-schema.json").read_text())
    return [f["name"] for f in schema["fields"]]


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PackageFacts:
    """What the descriptor says of the whole package, gathered while the tables are written."""

    taxa: set[str] = field(default_factory=set)
    detectors: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageOptions:
    """The package's title, contact and the deer's scientific name."""

    title: str = "Thumper ranch camera traps"
    contributor: str = field(default_factory=getpass.getuser)
    deer_name: str = WHITE_TAILED_DEER


class _Observations:
    """Writes observation rows."""

    def __init__(self, out: IO[str], options: PackageOptions, facts: PackageFacts) -> None:
        self.writer = csv.DictWriter(out, _columns("observations"), lineterminator="\n")
        self.writer.writeheader()
        self.options, self.facts = options, facts

    def taxon(self, detection: DetectionRecord) -> str | None:
        name = (
            self.options.deer_name
            if detection.is_deer
            else SCIENTIFIC_NAMES.get(detection.class_name.lower())
        )
        if name:
            self.facts.taxa.add(name)
        return name

    def media(self, photo: PhotoRecord, deployment: str, found: list[DetectionRecord]) -> int:
        stamp = _time(photo.taken_at)
        base = {
            "deploymentID": deployment,
            "mediaID": f"m{photo.id}",
            "eventStart": stamp,
            "eventEnd": stamp,
            "observationLevel": "media",
        }
        kept = [d for d in found if not d.is_duplicate]
        if not kept:
            self.writer.writerow(
                {
                    **base,
                    "observationID": f"o{photo.id}-blank",
                    "observationType": "blank",
                    "classificationMethod": "machine",
                    "classifiedBy": self.facts.detectors.get(photo.run_id or 0),
                }
            )
            return 0
        for d in kept:
            x1, y1, x2, y2 = d.box
            kind = observation_type(d.class_name)
            self.writer.writerow(
                {
                    **base,
                    "observationID": f"o{d.id}",
                    "eventID": d.burst_id or "",
                    "observationType": kind,
                    "scientificName": self.taxon(d) if kind == "animal" else None,
                    "count": 1,
                    "lifeStage": LIFE_STAGE.get(d.category),
                    "sex": SEX.get(d.category),
                    "individualID": d.individual,
                    "bboxX": round(x1, 4),
                    "bboxY": round(y1, 4),
                    "bboxWidth": max(round(x2 - x1, 4), 0.0001),
                    "bboxHeight": max(round(y2 - y1, 4), 0.0001),
                    "classificationMethod": "human" if d.by_human else "machine",
                    "classifiedBy": None
                    if d.by_human
                    else self.facts.detectors.get(photo.run_id or 0),
                    "classificationProbability": None if d.by_human else d.category_probability,
                    "observationComments": f"detector class: {d.class_name}",
                }
            )
        return len(kept)


async def _detectors(engine: AsyncEngine) -> dict[int, str]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Run.id, Run.model_path))
        return {r.id: Path(r.model_path).name for r in rows if r.model_path}


async def _events(
    engine: AsyncEngine, run_id: int | None, deployments: Deployments, rows: _Observations
) -> int:
    """One event-level observation per deer per burst, streamed from a grouped query."""
    query = (
        select(
            Detection.burst_id,
            Detection.deer_id,
            Camera.name.label("camera"),
            func.min(Image.taken_at).label("start"),
            func.max(Image.taken_at).label("end"),
            Deer.name,
            Deer.category,
        )
        .join(Image, Image.id == Detection.image_id)
        .join(Camera, Camera.id == Image.camera_id)
        .join(Deer, Deer.id == Detection.deer_id)
        .where(in_scope(run_id), Detection.burst_id.is_not(None), Detection.is_duplicate.is_(False))
        .group_by(Detection.burst_id, Detection.deer_id, Camera.name, Deer.name, Deer.category)
        .order_by(Detection.burst_id, Detection.deer_id)
        .execution_options(yield_per=CHUNK)
    )
    written = 0
    async with engine.connect() as conn:
        result = await conn.stream(query)
        async for r in result:
            rows.facts.taxa.add(rows.options.deer_name)
            rows.writer.writerow(
                {
                    "observationID": f"e{r.burst_id}-{r.deer_id}".replace(":", "-"),
                    "deploymentID": deployments.of(r.camera, r.start).id,
                    "eventID": r.burst_id,
                    "eventStart": _time(r.start),
                    "eventEnd": _time(r.end),
                    "observationLevel": "event",
                    "observationType": "animal",
                    "scientificName": rows.options.deer_name,
                    "count": 1,
                    "lifeStage": LIFE_STAGE.get(r.category),
                    "sex": SEX.get(r.category),
                    "individualID": individual_id(r.deer_id, r.name),
                    "classificationMethod": "machine",
                    "classifiedBy": "thumper re-identification",
                }
            )
            written += 1
    return written


def _descriptor(
    deployments: Deployments, facts: PackageFacts, options: PackageOptions, root: str
) -> dict[str, Any]:
    lats = [d.latitude for d in deployments.items]
    lons = [d.longitude for d in deployments.items]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    return {
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": BASE_URL + f"{name}-table-schema.json",
            }
            for name in TABLES
        ],
        "profile": PROFILE_URL,
        "name": "thumper-" + options.title.lower().replace(" ", "-")[:40],
        "id": str(uuid.uuid4()),
        "created": _time(datetime.now(UTC)),
        "title": options.title,
        "description": f"Exported by Thumper. Media paths are relative to {root}.",
        "contributors": [{"title": options.contributor, "role": "contact"}],
        "project": {
            "title": options.title,
            "samplingDesign": "targeted",
            "captureMethod": ["activityDetection"],
            "individualAnimals": True,
            "observationLevel": ["media", "event"],
        },
        "spatial": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [east, south], [east, north], [west, north], [west, south]]
            ],
        },
        "temporal": {
            "start": min(d.start for d in deployments.items).date().isoformat(),
            "end": max(d.end for d in deployments.items).date().isoformat(),
        },
        "taxonomic": [
            {"scientificName": name, "taxonRank": "species"} for name in sorted(facts.taxa)
        ],
    }


async def export_camtrap(
    engine: AsyncEngine,
    target: Path,
    *,
    root: str,
    run_id: int | None = None,
    options: PackageOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Exported:
    """Write the package into the folder ``target`` (atomically: a finished package or none),
    media paths relative to ``root``; one photo in memory at a time."""
    started = time.perf_counter()
    options = options or PackageOptions()
    deployments = await read_deployments(engine, run_id)
    if not deployments.items:
        raise ExportError("nothing to export: no processed photos (run `thumper process`)")
    facts = PackageFacts(detectors=await _detectors(engine))
    photos = observed = 0
    with atomic_folder(target, MARKER) as folder:
        with open(folder / "deployments.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, _columns("deployments"), lineterminator="\n")
            writer.writeheader()
            for d in deployments.items:
                writer.writerow(
                    {
                        "deploymentID": d.id,
                        "locationName": d.camera,
                        "latitude": d.latitude,
                        "longitude": d.longitude,
                        "deploymentStart": _time(d.start),
                        "deploymentEnd": _time(d.end),
                        "cameraID": d.camera,
                    }
                )
        with (
            open(folder / "media.csv", "w", newline="", encoding="utf-8") as media_out,
            open(folder / "observations.csv", "w", newline="", encoding="utf-8") as obs_out,
        ):
            media = csv.DictWriter(media_out, _columns("media"), lineterminator="\n")
            media.writeheader()
            rows = _Observations(obs_out, options, facts)
            async for photo, found in photos_with_detections(engine, run_id):
                deployment = deployments.of(photo.camera, photo.taken_at).id
                file = relative_name(photo.path, root) or photo.path.lstrip("/")
                media.writerow(
                    {
                        "mediaID": f"m{photo.id}",
                        "deploymentID": deployment,
                        "captureMethod": "activityDetection",
                        "timestamp": _time(photo.taken_at),
                        "filePath": file,
                        "filePublic": "false",
                        "fileName": Path(photo.path).name,
                        "fileMediatype": "image/jpeg",
                        "mediaComments": photo.error
                        if photo.status == ImageStatus.FAILED
                        else None,
                    }
                )
                if photo.status != ImageStatus.FAILED:
                    observed += rows.media(photo, deployment, found)
                photos += 1
                if on_progress:
                    on_progress(1)
            events = await _events(engine, run_id, deployments, rows)
        descriptor = _descriptor(deployments, facts, options, root)
        (folder / MARKER).write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    seconds = time.perf_counter() - started
    notes = (f"{len(deployments.items)} deployments, {events} event-level observations",)
    return Exported(str(target.absolute()), photos, observed, size_of(target), seconds, notes)
