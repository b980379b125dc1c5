"""Which photos the shipped models were made for, and what the engine says when they are not.

The demo detector and the identity embedder learnt the synthetic ranch alone. A photo carries
``thumper synth``'s mark or it does not (:mod:`thumper_tui.vocabulary.provenance`); photos
imported before the mark was read have it read from their file the first time it matters.
The demo detector refuses a run over unmarked photos unless the user allows it; the shipped
embedder always runs, and every view of the profiles says when they rest on real photos.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import ColumnElement, exists, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.engine.claims import in_scope
from thumper_tui.ingest.probe import read_mark
from thumper_tui.store.models import Detection, Image
from thumper_tui.vocabulary.states import ClearMode, ImageStatus, RunKind

ALLOW_FLAG = "--allow-demo-model"
MARK_CHUNK = 500


async def read_missing_marks(engine: AsyncEngine) -> int:
    """Read the mark of every photo imported before it was stored; returns how many."""
    done = 0
    while True:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(Image.id, Image.path)
                    .where(Image.synthetic.is_(None))
                    .order_by(Image.id)
                    .limit(MARK_CHUNK)
                )
            ).all()
        if not rows:
            return done
        marks = await asyncio.gather(*(asyncio.to_thread(read_mark, path) for _, path in rows))
        async with engine.begin() as conn:
            for flag in (True, False):
                ids = [row.id for row, mark in zip(rows, marks, strict=True) if mark is flag]
                if ids:
                    await conn.execute(
                        update(Image).where(Image.id.in_(ids)).values(synthetic=flag)
                    )
        done += len(rows)


def covered(kind: str, clear_mode: str) -> ColumnElement[bool]:
    """The images a run of ``kind`` and ``clear_mode`` will process: for a reid-only run those
    detected before (re-identified again), else those it will run the detector on."""
    if kind in (RunKind.REID_ONLY, RunKind.IMPORTED):
        return in_scope(kind)
    if clear_mode == ClearMode.NONE:
        return Image.status != ImageStatus.DONE.value
    return true()


async def unmarked_covered(engine: AsyncEngine, kind: str, clear_mode: str) -> int:
    """How many photos without the synthetic mark a run of ``kind`` would process."""
    await read_missing_marks(engine)
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(Image)
            .where(Image.synthetic.is_not(True), covered(kind, clear_mode))
        )
    return int(count or 0)


def refuses(kind: str, is_demo: bool, allowed: bool, unmarked: int) -> str | None:
    """Why a run may not start (the demo detector over real photos, not allowed), or None.

    A reid-only or imported run detects nothing, so the detector cannot mislead it."""
    if is_demo and unmarked and not allowed and kind not in (RunKind.REID_ONLY, RunKind.IMPORTED):
        return demo_refusal(unmarked)
    return None


def demo_refusal(unmarked: int) -> str:
    """Why the demo detector will not run over ``unmarked`` real photos: one line."""
    photos = "1 photo is" if unmarked == 1 else f"{unmarked} photos are"
    return (
        f"the shipped demo detector learnt only synthetic deer and {photos} not from "
        "`thumper synth`: its boxes would mean nothing. Set `model` (config file or "
        f"THUMPER_MODEL) to your own ultralytics weights, or pass {ALLOW_FLAG} to run it anyway"
    )


async def real_photos_with_deer(conn: AsyncConnection) -> int:
    """Photos without the synthetic mark that hold deer detections: re-identified by an
    embedder that learnt synthetic deer, so the profiles over them need a human's review."""
    deer = exists().where(Detection.image_id == Image.id, Detection.is_deer_sighting())
    count = await conn.scalar(
        select(func.count()).select_from(Image).where(Image.synthetic.is_not(True), deer)
    )
    return int(count or 0)


def reid_caution(real_photos: int) -> str | None:
    """What every view of the profiles says when they rest on real photos; None when not."""
    if not real_photos:
        return None
    photos = "1 real photo" if real_photos == 1 else f"{real_photos:,} real photos"
    return (
        f"re-identification ran the shipped identity embedder, which learnt synthetic deer, over "
        f"{photos}: the profile count needs the duplicates review (dashboard key 5) before "
        "it is trusted"
    )
