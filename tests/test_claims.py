"""Claiming images with leases, and worker registration, on both databases."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import truncate_all
from thumper_tui.engine.claims import claim_batch, release, renew_leases
from thumper_tui.engine.runs import queue_run
from thumper_tui.engine.workers import (
    STALE_AFTER,
    WorkerRefused,
    heartbeat,
    list_workers,
    register_worker,
    stop_worker,
)
from thumper_tui.engine.writer import BatchResult, Written, write_batch
from thumper_tui.store.engine import make_engine
from thumper_tui.store.models import Camera, Image, Worker
from thumper_tui.store.types import utcnow


async def add_images(engine: AsyncEngine, count: int) -> list[int]:
    now = utcnow()
    async with engine.begin() as conn:
        camera = (
            await conn.execute(
                insert(Camera)
                .values(name="Hayfield", active=True, created_at=now)
                .returning(Camera.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(Image),
            [
                {
                    "path": f"/ranch/Hayfield/{i:05d}.jpg",
                    "sha256": f"{i:064x}",
                    "camera_id": camera,
                    "taken_at": now,
                    "timestamp_source": "exif",
                    "width": 1920,
                    "height": 1080,
                    "file_size": 1000,
                    "status": "pending",
                    "attempts": 0,
                    "imported_at": now,
                }
                for i in range(count)
            ],
        )
        return list((await conn.scalars(select(Image.id).order_by(Image.id))).all())


async def statuses(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Image.status, func.count()).group_by(Image.status))
        return {str(s): int(c) for s, c in rows}


async def test_claims_are_disjoint_and_run_out(engine: AsyncEngine) -> None:
    ids = await add_images(engine, 7)
    a, b = uuid.uuid4(), uuid.uuid4()
    first = await claim_batch(engine, a, 3)
    second = await claim_batch(engine, b, 3)
    third = await claim_batch(engine, a, 3)
    assert [c.id for c in first] == ids[:3]
    assert [c.id for c in second] == ids[3:6]
    assert [c.id for c in third] == ids[6:]
    assert await claim_batch(engine, b, 3) == []
    assert await statuses(engine) == {"processing": 7}
    assert first[0].path == "/ranch/Hayfield/00000.jpg" and first[0].width == 1920


async def test_expired_leases_return_to_the_pool(engine: AsyncEngine) -> None:
    await add_images(engine, 4)
    crashed, survivor = uuid.uuid4(), uuid.uuid4()
    lost = await claim_batch(engine, crashed, 4, lease=timedelta(seconds=-1))
    taken = await claim_batch(engine, survivor, 10)
    assert [c.id for c in taken] == [c.id for c in lost]
    # The crashed worker comes back late: its results must not overwrite the survivor's.
    run_id = await queue_run(engine, "incremental")
    late = BatchResult(found={c.id: [] for c in lost}, failed={}, seconds={})
    assert await write_batch(engine, crashed, run_id, late) == Written(0, 0, 0)
    assert await statuses(engine) == {"processing": 4}
    mine = BatchResult(
        found={c.id: [] for c in taken[:3]}, failed={taken[3].id: "truncated JPEG"}, seconds={}
    )
    assert await write_batch(engine, survivor, run_id, mine) == Written(3, 1, 0)
    assert await statuses(engine) == {"done": 3, "failed": 1}
    async with engine.connect() as conn:
        attempts = (await conn.scalars(select(Image.attempts))).all()
        error = await conn.scalar(select(Image.error).where(Image.status == "failed"))
    assert set(attempts) == {2} and error == "truncated JPEG"


async def test_renew_and_release(engine: AsyncEngine) -> None:
    await add_images(engine, 5)
    worker = uuid.uuid4()
    await claim_batch(engine, worker, 5, lease=timedelta(seconds=1))
    assert await renew_leases(engine, worker, lease=timedelta(minutes=10)) == 5
    async with engine.connect() as conn:
        soonest = await conn.scalar(select(func.min(Image.lease_expires_at)))
    assert soonest > utcnow() + timedelta(minutes=9)
    assert await claim_batch(engine, uuid.uuid4(), 5) == []
    assert await release(engine, worker) == 5
    assert await statuses(engine) == {"pending": 5}


@pytest.mark.postgres
async def test_concurrent_claimers_on_postgres_never_share(pg_session_url: str) -> None:
    await asyncio.to_thread(truncate_all, pg_session_url)
    setup = make_engine(pg_session_url)
    ids = await add_images(setup, 300)
    engines = [make_engine(pg_session_url) for _ in range(3)]

    async def drain(eng: AsyncEngine) -> list[int]:
        me, mine = uuid.uuid4(), []
        while batch := await claim_batch(eng, me, 7):
            mine.extend(c.id for c in batch)
            await asyncio.sleep(0)
        return mine

    try:
        results = await asyncio.gather(*(drain(e) for e in engines))
    finally:
        for e in engines:
            await e.dispose()
        await setup.dispose()
    claimed = [i for r in results for i in r]
    assert sorted(claimed) == ids  # every image once, none twice
    assert all(results), "each claimer got work"


async def test_sqlite_serves_one_worker_postgres_many(engine: AsyncEngine) -> None:
    first = await register_worker(engine, "cpu")
    if engine.dialect.name == "sqlite":
        with pytest.raises(WorkerRefused, match="SQLite allows one worker at a time"):
            await register_worker(engine, "cpu")
        # A stale heartbeat is a dead worker: it no longer blocks a new one.
        async with engine.begin() as conn:
            await conn.execute(
                update(Worker).values(heartbeat_at=utcnow() - STALE_AFTER - timedelta(seconds=1))
            )
        second = await register_worker(engine, "cpu")
        await stop_worker(engine, second)
        third = await register_worker(engine, "cpu")
        assert len({first, second, third}) == 3
    else:
        await register_worker(engine, "cuda:0")
        await register_worker(engine, "cuda:1")
    await heartbeat(engine, first, "processing")
    workers = await list_workers(engine)
    assert workers[0].id == first and workers[0].state == "processing"
    assert workers[0].is_fresh()
