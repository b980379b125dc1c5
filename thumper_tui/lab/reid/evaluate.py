"""``thumper eval reid``: the profiles in the database scored against a ranch's truth.

Each deer detection the engine re-identified in a photo of the ranch is matched to a true
animal of that photo (IoU >= 0.5, most overlapping first); over the matched detections, the
profiles are scored with B-cubed precision / recall / F1 against the true individuals, and a
profile whose detections are of more than one true category counts as mixing categories. Deer
detections in no profile (unsure ones that matched nothing, small profiles held back for their
doubtful sex) are counted beside the scores, which cover only the detections in profiles.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Detection, Image
from thumper_tui.synth.ranch import load_truth
from thumper_tui.vocabulary.bcubed import bcubed
from thumper_tui.vocabulary.boxes import iou

MATCH_IOU = 0.5


def _truth_by_path(ranch: Path) -> dict[str, Any]:
    truth = load_truth(ranch)
    return {os.path.abspath(ranch / entry["file"]): entry for entry in truth["images"]}


async def evaluate_reid(engine: AsyncEngine, ranch: Path) -> dict[str, Any]:
    """The scores as the JSON ``thumper eval reid --json`` prints."""
    wanted = _truth_by_path(ranch)
    async with engine.connect() as conn:
        images = {
            row.id: row
            for row in await conn.execute(
                select(Image.id, Image.path, Image.width, Image.height).where(
                    Image.path.in_(list(wanted))
                )
            )
        }
        rows = (
            await conn.execute(
                select(
                    Detection.image_id,
                    *Detection.box_columns(),
                    Detection.deer_id,
                ).where(Detection.image_id.in_(list(images)), Detection.deer_id.is_not(None))
            )
        ).all()
        unassigned = await conn.scalar(
            select(func.count()).where(
                Detection.image_id.in_(list(images)),
                Detection.deer_id.is_(None),
                Detection.is_deer_sighting(),
            )
        )
    by_image: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_image[row.image_id].append(row)
    clusters: list[int] = []
    individuals: list[str] = []
    categories: dict[int, set[str]] = defaultdict(set)
    unmatched = 0
    for image_id, image in images.items():
        animals = [a for a in wanted[image.path]["animals"] if a["species"] == "deer"]
        boxes = [
            (
                a["box"][0] / image.width,
                a["box"][1] / image.height,
                a["box"][2] / image.width,
                a["box"][3] / image.height,
            )
            for a in animals
        ]
        found = by_image.get(image_id, [])
        pairs = sorted(
            (
                (iou((d.x1, d.y1, d.x2, d.y2), box), i, j)
                for i, d in enumerate(found)
                for j, box in enumerate(boxes)
            ),
            reverse=True,
        )
        used_d: set[int] = set()
        used_t: set[int] = set()
        for overlap, i, j in pairs:
            if overlap < MATCH_IOU or i in used_d or j in used_t:
                continue
            used_d.add(i)
            used_t.add(j)
            profile = int(found[i].deer_id)
            clusters.append(profile)
            individuals.append(animals[j]["individual"])
            categories[profile].add(animals[j]["category"])
        unmatched += len(found) - len(used_d)
    score = bcubed(clusters, individuals)
    return {
        "profiles": len(set(clusters)),
        "individuals": len(set(individuals)),
        "bcubed_precision": round(score.precision, 4),
        "bcubed_recall": round(score.recall, 4),
        "bcubed_f1": round(score.f1, 4),
        "mixed_category_profiles": sum(1 for c in categories.values() if len(c) > 1),
        "buck_doe_profiles": sum(1 for c in categories.values() if {"buck", "doe"} <= c),
        "matched_detections": len(clusters),
        "unmatched_detections": unmatched,
        "unassigned_deer_detections": int(unassigned or 0),
        "images": len(images),
    }
