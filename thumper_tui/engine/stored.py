"""A reid-only run re-identifies the detections already stored, without decoding a photo.

Only images whose every deer detection carries an embedding of the current version are reused;
the others (never embedded, or by another embedder) go through the whole pipeline.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.detector.inference import Found
from thumper_tui.store.models import Detection


async def stored_detections(
    engine: AsyncEngine, image_ids: list[int], version: str
) -> dict[int, list[Found]]:
    """The stored detections of ``image_ids`` as :class:`Found` lists, for the images that can
    be re-identified as they are."""
    found: dict[int, list[Found]] = defaultdict(list)
    stale: set[int] = set()
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Detection.image_id,
                *Detection.box_columns(),
                Detection.confidence,
                Detection.class_name,
                Detection.category,
                Detection.category_confidence,
                Detection.species,
                Detection.is_duplicate,
                Detection.embedding,
                Detection.embedding_version,
            )
            .where(Detection.image_id.in_(image_ids))
            .order_by(Detection.image_id, Detection.id)
        )
        for row in rows:
            item = Found(
                box=(row.x1, row.y1, row.x2, row.y2),
                confidence=row.confidence,
                class_name=row.class_name,
                category=row.category,
                category_confidence=row.category_confidence,
                species=row.species or "",
                is_duplicate=row.is_duplicate,
                embedding=row.embedding,
                embedding_version=row.embedding_version,
            )
            if item.needs_embedding and row.embedding_version != version:
                stale.add(row.image_id)
            found[row.image_id].append(item)
    # An image without detections has nothing to re-identify either way.
    return {i: found.get(i, []) for i in image_ids if i not in stale}
