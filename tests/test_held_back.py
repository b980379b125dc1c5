"""Consolidation in the engine holds back a small profile whose sex its likeness leaves in doubt:
its detections leave every profile, the profile goes, the run counts them, and a profile a human
touched is never held, and `thumper unplaced` lists what was held for a human to place (real
SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.helpers import run_cli, run_json, unit
from thumper_tui.engine.consolidate import consolidate
from thumper_tui.naming.unplaced import list_unplaced
from thumper_tui.reid.agglomerate import SMALL_PROFILE
from thumper_tui.store.models import Camera, Deer, Detection, Image, Run
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.codec import vector_to_bytes

VERSION = "test-embedder"  # no shipped sex head: the detector's calls are the only votes
BIG = SMALL_PROFILE + 1


async def _profile(
    conn: AsyncConnection,
    camera: int,
    tag: str,
    category: str,
    vector: np.ndarray,
    count: int,
    **profile: object,
) -> int:
    """A profile of ``count`` detections, each in a photo of its own, all called ``category``."""
    deer_id = (
        await conn.execute(
            insert(Deer)
            .values(
                category=category,
                sightings=count,
                exemplars=vector_to_bytes(vector[None, :]),
                bank_version=VERSION,
                **profile,
            )
            .returning(Deer.id)
        )
    ).scalar_one()
    for n in range(count):
        image_id = (
            await conn.execute(
                insert(Image)
                .values(
                    path=f"/ranch/{tag}-{n}.jpg",
                    sha256=hashlib.sha256(f"{tag}-{n}".encode()).hexdigest(),
                    camera_id=camera,
                    taken_at=utcnow() - timedelta(days=1, minutes=n),
                    timestamp_source="exif",
                    width=1920,
                    height=1080,
                    file_size=1,
                    synthetic=True,
                    status="done",
                )
                .returning(Image.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(Detection).values(
                image_id=image_id,
                x1=0.1,
                y1=0.1,
                x2=0.5,
                y2=0.5,
                confidence=0.9,
                class_name=category,
                category=category,
                species="deer",
                embedding=vector_to_bytes(vector),
                embedding_version=VERSION,
                deer_id=deer_id,
            )
        )
    return int(deer_id)


async def test_a_small_profile_of_doubtful_sex_leaves_every_profile(
    engine: AsyncEngine, database_url: str
) -> None:
    started = utcnow() - timedelta(hours=1)
    async with engine.begin() as conn:
        camera = (
            await conn.execute(insert(Camera).values(name="Feeder").returning(Camera.id))
        ).scalar_one()
        run_id = (
            await conn.execute(
                insert(Run)
                .values(
                    kind="full",
                    status="running",
                    started_at=started,
                    new_profiles=5,
                    settings={
                        "embedder": VERSION,
                        "merge_threshold": 0.9,
                        "small_threshold": 0.3,
                        "sex_evidence": {
                            "first_pass_weight": 0.2,
                            "small_pass_weight": 0.2,
                            "head_votes": 0.0,
                        },
                        "haunt_weight": 0.0,
                        "sex_margin": 0.1,
                    },
                )
                .returning(Run.id)
            )
        ).scalar_one()
        buck = await _profile(conn, camera, "buck", "buck", unit(1, 0, 0, 0), BIG)
        doe = await _profile(conn, camera, "doe", "doe", unit(0, 1, 0, 0), BIG)
        # Three small profiles, each read as a doe twice, each between the two deer (0.68 like
        # the buck, 0.61 like the doe) and unlike the others (0.67).
        doubtful = await _profile(conn, camera, "doubtful", "doe", unit(0.5, 0.45, 0.3, 0), 2)
        noted = await _profile(
            conn, camera, "noted", "doe", unit(0.5, 0.45, -0.3, 0), 2, notes="limps"
        )
        older = await _profile(
            conn,
            camera,
            "older",
            "doe",
            unit(0.5, 0.45, 0, 0.3),
            2,
            created_at=started - timedelta(days=2),
        )

        merges = await consolidate(conn, run_id)

        placed = dict((await conn.execute(select(Detection.id, Detection.deer_id))).all())
        owners = [placed[i] for i in sorted(placed)]
        run = (
            await conn.execute(
                select(Run.new_profiles, Run.held_detections).where(Run.id == run_id)
            )
        ).one()
        status = dict((await conn.execute(select(Deer.id, Deer.status))).all())
    # The one nobody touched is out of every profile, and gone; the touched ones joined the doe
    # their votes point to, as without the rule (a noted or older profile stays, merged).
    assert owners == [buck] * BIG + [doe] * BIG + [None, None] + [doe] * 4
    assert merges == 2
    assert status == {buck: "active", doe: "active", noted: "merged", older: "merged"}
    assert doubtful not in status
    assert tuple(run) == (4, 2)

    # A human finds them with `thumper unplaced` and places one with `thumper verify`.
    held = sorted(i for i, owner in placed.items() if owner is None)
    # (the command line runs its own event loop: in a thread of its own here)
    listed = await asyncio.to_thread(run_json, "unplaced", database_url=database_url)
    assert sorted(u["id"] for u in listed) == held
    assert [u["taken_at"] for u in listed] == sorted(u["taken_at"] for u in listed)
    assert {(u["camera"], u["category"], u["held_by_run"]) for u in listed} == {
        ("Feeder", "doe", run_id)
    }
    assert all(u["path"].startswith("/ranch/doubtful-") for u in listed)
    text = await asyncio.to_thread(run_cli, "unplaced", database_url=database_url)
    assert text.output.count(f"held by run {run_id}") == 2
    placing = ("verify", str(held[0]), str(buck))
    assert (await asyncio.to_thread(run_cli, *placing, database_url=database_url)).exit_code == 0
    assert sorted(u.id for u in await list_unplaced(engine)) == held[1:]
