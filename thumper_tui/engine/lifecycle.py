"""Starting and ending runs: which images a run covers, and when it is complete.

The first worker to see a queued run starts it (compare-and-set, so only one does): an
incremental run (clear mode ``none``) retries failed images and takes every pending one; a full
run with clear mode ``detections`` or ``all`` puts every image back to pending, and each image's
detections are replaced as it is processed; a reid-only run takes every done image again and
re-identifies its stored detections (an image never detected stays pending, outside it); an
imported run takes the photos its detections file named, and drops the file's held boxes when
it ends. A run is done when no image it covers is pending or processing any more.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, tzinfo
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.claims import in_scope
from thumper_tui.engine.consolidate import consolidate
from thumper_tui.engine.history import record_history
from thumper_tui.engine.rebuild import map_rebuilt_profiles
from thumper_tui.engine.recipe import RunRecipe, recipe_columns
from thumper_tui.engine.runs import RunInfo
from thumper_tui.store.models import Image, ImportedBoxes, Run
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.states import ClearMode, ImageStatus, RunKind, RunStatus

UNFINISHED = (ImageStatus.PENDING.value, ImageStatus.PROCESSING.value)
ACTIVE = (RunStatus.QUEUED.value, RunStatus.RUNNING.value, RunStatus.PAUSED.value)


def _count_unfinished(kind: str) -> Select[int]:
    return (
        select(func.count()).select_from(Image).where(Image.status.in_(UNFINISHED), in_scope(kind))
    )


async def start_run(
    engine: AsyncEngine,
    run: RunInfo,
    recipe: RunRecipe,
    facts: Mapping[str, Any] | None = None,
) -> bool:
    """Move ``run`` from queued to running and mark its images pending; False if another
    worker started it first. The ``recipe`` (what this worker will run it with, the run's
    request already applied) is recorded beside the request, with ``facts`` the worker found
    about the photos (how many are not synthetic)."""
    async with engine.begin() as conn:
        requested = await conn.scalar(select(Run.settings).where(Run.id == run.id))
        claimed = await conn.execute(
            update(Run)
            .where(Run.id == run.id, Run.status == RunStatus.QUEUED.value)
            .values(
                status=RunStatus.RUNNING.value,
                started_at=utcnow(),
                settings={**(requested or {}), **recipe.settings_json(), **(facts or {})},
                **recipe.column_values(),
            )
        )
        if not claimed.rowcount:
            return False
        redo = update(Image).values(status=ImageStatus.PENDING.value, error=None)
        if run.kind == RunKind.REID_ONLY:  # what was detected is re-identified; nothing is retried
            redo = redo.where(Image.status == ImageStatus.DONE.value)
        elif run.kind == RunKind.IMPORTED:  # the file's photos, whatever state they were in
            redo = redo.where(in_scope(run.kind), Image.status != ImageStatus.PROCESSING.value)
        elif run.clear_mode == ClearMode.NONE:
            redo = redo.where(Image.status == ImageStatus.FAILED.value)
        else:
            redo = redo.where(Image.status != ImageStatus.PROCESSING.value)
        await conn.execute(redo)
        total = await conn.scalar(_count_unfinished(run.kind))
        await conn.execute(update(Run).where(Run.id == run.id).values(images_total=total or 0))
    return True


async def complete_run(engine: AsyncEngine, run_id: int, zone: tzinfo = UTC) -> bool:
    """Mark a running run done once nothing remains; True for the worker that did it.

    In the same transaction the run's profiles are consolidated
    (:func:`thumper_tui.engine.consolidate.consolidate`), a ``clear-mode all`` run maps its
    rebuilt profiles onto the old ones (:func:`thumper_tui.engine.rebuild.map_rebuilt_profiles`),
    and the history is rewritten by ranch-local (``zone``) photo day, the run recording how far
    it moved the count of the days already there (:mod:`thumper_tui.engine.history`).
    """
    async with engine.begin() as conn:
        kind = await conn.scalar(select(Run.kind).where(Run.id == run_id))
        left = await conn.scalar(_count_unfinished(kind or RunKind.INCREMENTAL))
        if left:
            return False
        result = await conn.execute(
            update(Run)
            .where(Run.id == run_id, Run.status == RunStatus.RUNNING.value)
            .values(status=RunStatus.DONE.value, finished_at=utcnow())
        )
        if not result.rowcount:
            return False
        row = (
            await conn.execute(
                select(
                    Run.clear_mode, Run.settings, *(getattr(Run, c) for c in recipe_columns())
                ).where(Run.id == run_id)
            )
        ).one()
        if RunRecipe.from_row(row).consolidation.merge_threshold is not None:
            await consolidate(conn, run_id)
        if row.clear_mode == ClearMode.ALL:
            await map_rebuilt_profiles(conn, run_id)
        shift = await record_history(conn, zone, run_id)
        await conn.execute(update(Run).where(Run.id == run_id).values(profiles_shift=shift))
        await conn.execute(delete(ImportedBoxes).where(ImportedBoxes.run_id == run_id))
        return True


async def fail_run(engine: AsyncEngine, run_id: int, reason: str) -> None:
    """End a run that cannot go on (its weights cannot be loaded), with the reason."""
    async with engine.begin() as conn:
        await conn.execute(
            update(Run)
            .where(Run.id == run_id, Run.status.in_(ACTIVE))
            .values(status=RunStatus.FAILED.value, error=reason, finished_at=utcnow())
        )
        await conn.execute(
            update(Image)
            .where(Image.status == ImageStatus.PROCESSING.value)
            .values(status=ImageStatus.PENDING.value, lease_owner=None, lease_expires_at=None)
        )
