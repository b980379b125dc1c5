"""Detections made elsewhere: queue a run over a detections file's boxes, and read them back.

:func:`queue_imported` queues the run and holds each photo's boxes in one transaction, so a
file is either wholly queued or not at all. The worker then decodes each photo (for the crops),
takes the file's boxes in place of the detector's, and embeds and re-identifies them as any run
does; the held boxes are dropped when the run ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.recipe import RunRequest
from thumper_tui.engine.runs import queue_run_in
from thumper_tui.store.models import ImportedBoxes, Run
from thumper_tui.vocabulary.boxes import GivenBox
from thumper_tui.vocabulary.states import ENDED_STATUSES, ClearMode, RunKind, RunTrigger

INSERT_CHUNK = 1000


async def queue_imported(
    engine: AsyncEngine, source: Mapping[str, Any], boxes: Mapping[int, Sequence[GivenBox]]
) -> int:
    """Queue an imported run whose recipe names ``source`` and hold ``boxes`` (by image id;
    an empty list is a photo the file found empty) for it; the run's id.

    Raises :class:`thumper_tui.engine.runs.RunError` when another run is active."""
    async with engine.begin() as conn:
        run_id = await queue_run_in(
            conn,
            RunKind.IMPORTED,
            clear_mode=ClearMode.DETECTIONS,
            trigger=RunTrigger.CLI,
            request=RunRequest(source=dict(source)),
        )
        ended = select(Run.id).where(Run.status.in_([s.value for s in ENDED_STATUSES]))
        await conn.execute(delete(ImportedBoxes).where(ImportedBoxes.run_id.in_(ended)))
        rows = [
            {"run_id": run_id, "image_id": image_id, "boxes": [b.to_json() for b in given]}
            for image_id, given in boxes.items()
        ]
        for start in range(0, len(rows), INSERT_CHUNK):
            await conn.execute(insert(ImportedBoxes), rows[start : start + INSERT_CHUNK])
    return run_id


async def imported_boxes(
    engine: AsyncEngine, run_id: int, image_ids: Sequence[int]
) -> dict[int, list[GivenBox]]:
    """The boxes held for ``run_id`` of each of ``image_ids``."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(ImportedBoxes.image_id, ImportedBoxes.boxes).where(
                ImportedBoxes.run_id == run_id, ImportedBoxes.image_id.in_(list(image_ids))
            )
        )
        return {row.image_id: [GivenBox.from_json(b) for b in row.boxes] for row in rows}
