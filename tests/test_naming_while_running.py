"""Naming while a full reprocess writes, on PostgreSQL with a separate worker process: every
name, note and "not the same" given mid-run is there afterwards, and the run finishes every
photo, nothing failed and nothing written twice."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import truncate_all
from tests.helpers import eventually_async, ok, run_json
from thumper_tui.engine.runs import queue_run
from thumper_tui.naming.decisions import mark_not_same, set_notes
from thumper_tui.naming.names import NamingError, set_name
from thumper_tui.store.engine import make_engine
from thumper_tui.store.models import Audit, Deer, Detection, Image, NotSameDeer, Run
from thumper_tui.synth.ranch import RanchOptions

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

RANCH = RanchOptions(cameras=2, deer=5, days=2, images=36, size=(960, 540), seed=91)


def _worker(url: str) -> subprocess.Popen[bytes]:
    """A worker process in small batches, so the run writes for many transactions."""
    return subprocess.Popen(
        [sys.executable, "-m", "thumper_tui", "--database-url", url, "worker", "--exit-when-idle"],
        env={**os.environ, "THUMPER_BATCH_SIZE": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def test_names_given_during_a_reprocess_are_all_kept(
    ranch: Path, pg_session_url: str
) -> None:
    url = pg_session_url
    await asyncio.to_thread(truncate_all, url)
    await asyncio.to_thread(ok, "import", str(ranch), url=url)
    await asyncio.to_thread(ok, "process", url=url)
    herd = sorted(await asyncio.to_thread(run_json, "profiles", database_url=url),
                  key=lambda p: -p["sightings"])  # fmt: skip
    assert len(herd) >= 4
    engine = make_engine(url)
    try:
        run_id = await queue_run(engine, "full", clear_mode="detections")
        worker = _worker(url)

        async def writing() -> bool:
            async with engine.connect() as conn:
                done = await conn.scalar(
                    select(func.count()).select_from(Image).where(Image.processed_by_run == run_id)
                )
            return bool(done)

        await eventually_async(writing, within=120, every=0.05, what="the run's first batch")
        given: dict[int, tuple[str, str]] = {}
        round_ = 0
        while worker.poll() is None or round_ < 2:
            for k, profile in enumerate(herd):
                name, notes = f"Deer {round_}-{k}", f"seen in round {round_}"
                try:
                    await set_name(engine, profile["id"], name)
                    await set_notes(engine, profile["id"], notes)
                except NamingError as exc:  # merged by the run meanwhile: said, not lost
                    assert "merged" in str(exc)
                    continue
                given[profile["id"]] = (name, notes)
            round_ += 1
        await mark_not_same(engine, herd[0]["id"], herd[1]["id"])
        _, err = await asyncio.to_thread(worker.communicate, timeout=240)
        assert worker.returncode == 0, err.decode()

        async with engine.connect() as conn:
            run = (
                await conn.execute(select(Run.status, Run.finished_at).where(Run.id == run_id))
            ).one()
            images = (
                await conn.execute(select(Image.status, func.count()).group_by(Image.status))
            ).all()
            deer = {
                r.id: r
                for r in await conn.execute(select(Deer.id, Deer.name, Deer.notes, Deer.status))
            }
            during = await conn.scalar(
                select(func.count()).select_from(Audit)
                .where(Audit.action.in_(("name", "rename", "note")), Audit.ts < run.finished_at)
            )  # fmt: skip
            boxes = (await conn.execute(
                select(func.count(), func.count(func.distinct(
                    func.concat(Detection.image_id, ":", Detection.x1, ":", Detection.y1))))
            )).one()  # fmt: skip
            pairs = (await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))).all()
        assert run.status == "done" and dict(images) == {"done": 36}
        assert during and during > 0  # names really were given while the run wrote
        for profile_id, (name, notes) in given.items():
            assert deer[profile_id].status == "active", profile_id
            assert (deer[profile_id].name, deer[profile_id].notes) == (name, notes)
        assert boxes[0] == boxes[1]  # no detection written twice
        assert tuple(sorted((herd[0]["id"], herd[1]["id"]))) in [tuple(p) for p in pairs]
    finally:
        await engine.dispose()
