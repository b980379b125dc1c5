"""The engine end to end with the real demo detector: process, reprocess, bad images, pause,
resume and cancel, a crashed worker, and several workers on one PostgreSQL run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import eventually_async, run_cli, run_json
from thumper_tui.detector.inference import Detector, Found, mark_duplicates
from thumper_tui.engine.runs import get_run, queue_run, request
from thumper_tui.engine.worker import WorkerOptions, serve
from thumper_tui.engine.workers import list_workers
from thumper_tui.store.engine import make_engine
from thumper_tui.store.models import Detection, Image, Worker
from thumper_tui.synth.ranch import RanchOptions

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

RANCH = RanchOptions(cameras=3, deer=6, days=2, images=24, size=(640, 360), seed=77)


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(None, imgsz=512)


async def done(engine: AsyncEngine, run_id: int) -> int:
    run = await get_run(engine, run_id)
    assert run is not None
    return run.images_done


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(Image.status, func.count()).group_by(Image.status))
        by_status = {str(s): int(c) for s, c in rows}
        by_status["detections"] = int(
            await conn.scalar(select(func.count()).select_from(Detection)) or 0
        )
        by_status["distinct"] = int(
            await conn.scalar(
                select(func.count()).select_from(
                    select(
                        Detection.image_id, Detection.x1, Detection.y1, Detection.x2, Detection.y2
                    )
                    .distinct()
                    .subquery()
                )
            )
            or 0
        )
    return by_status


def test_mark_duplicates_keeps_the_most_confident() -> None:
    a = Found((0.1, 0.1, 0.5, 0.5), 0.9, "doe", "doe", "deer")
    b = Found((0.12, 0.1, 0.5, 0.52), 0.6, "buck", "buck", "deer")
    c = Found((0.6, 0.6, 0.9, 0.9), 0.5, "fawn", "fawn", "deer")
    marked = {f.confidence: f.is_duplicate for f in mark_duplicates([c, b, a])}
    assert marked == {0.9: False, 0.6: True, 0.5: False}


def test_process_then_reprocess_replaces_detections(ranch: Path, database_url: str) -> None:
    run_json("import", str(ranch), database_url=database_url)
    first = run_cli("process", database_url=database_url)
    assert first.exit_code == 0, first.output
    assert "24 images done, 0 failed" in first.stdout
    status = run_json("status", database_url=database_url)
    assert status["images"]["done"] == 24 and status["active_run"] is None
    detections = status["detections"]
    assert detections > 10
    again = run_cli("reprocess", "--clear-mode", "detections", database_url=database_url)
    assert again.exit_code == 0, again.output
    assert run_json("status", database_url=database_url)["detections"] == detections
    runs = run_json("runs", database_url=database_url)
    assert [(r["kind"], r["status"], r["images"]["done"]) for r in runs] == [
        ("full", "done", 24),
        ("incremental", "done", 24),
    ]
    assert runs[0]["model_classes"] == ["buck", "doe", "fawn", "raccoon", "hog", "coyote"]
    assert len(runs[0]["model_sha256"]) == 64 and runs[0]["settings"]["imgsz"] == 512
    assert set(runs[0]["timings"]) == {"decode", "detect", "embed", "reid", "write"}
    nothing = run_cli("process", database_url=database_url)
    assert "0 images done, 0 failed" in nothing.stdout


def test_bad_images_fail_alone(ranch: Path, database_url: str, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "ranch"
    shutil.copytree(ranch, copy)
    run_json("import", str(copy), database_url=database_url)
    victims = sorted(copy.rglob("*.jpg"))[:2]
    victims[0].unlink()
    victims[1].write_bytes(b"\xff\xd8\xff" + b"\x00" * 500)
    result = run_cli("process", database_url=database_url)
    assert result.exit_code == 1
    assert "22 images done, 2 failed" in result.stdout
    failed = {
        r["path"]: r["error"]
        for r in run_json("images", "--status", "failed", database_url=database_url)
    }
    assert failed[str(victims[0])] == "file missing (moved or deleted since import)"
    assert failed[str(victims[1])].startswith("cannot decode")
    # Put the photo back: the next incremental run retries the failed images only.
    shutil.copy(ranch / victims[0].relative_to(copy), victims[0])
    retry = run_cli("process", database_url=database_url)
    assert "1 image done, 1 failed" in retry.stdout


async def test_pause_resume_cancel_reach_a_live_worker(
    ranch: Path, database_url: str, detector: Detector
) -> None:
    await asyncio.to_thread(run_json, "import", str(ranch), database_url=database_url)
    engine = make_engine(database_url)
    try:
        run_id = await queue_run(engine, "incremental")
        seen: list[int] = []
        task = asyncio.create_task(
            serve(
                engine,
                detector,
                WorkerOptions(batch_size=2, run_id=run_id, lease=timedelta(seconds=3)),
                on_batch=lambda r: seen.append(r.images_done),
            )
        )
        await eventually_async(lambda: seen, every=0.05, what="a first batch")
        assert await request(engine, run_id, "pause") == "paused"

        async def worker_beat() -> tuple[str, Any]:
            (worker,) = await list_workers(engine)
            return worker.state, worker.heartbeat_at

        # The worker finishes the batch in hand, hands its images back, and says it is paused.
        async def paused() -> Any:
            state, beat = await worker_beat()
            return beat if state == "paused" else None

        first_beat = await eventually_async(paused, what="the worker to say it is paused")
        paused_at = await done(engine, run_id)
        assert (await counts(engine)).get("processing", 0) == 0 and paused_at < 24

        async def next_beat() -> bool:
            return (await worker_beat())[1] > first_beat

        await eventually_async(next_beat, what="a heartbeat while paused")
        assert (await worker_beat())[0] == "paused"
        assert await done(engine, run_id) == paused_at  # nothing processed while paused
        assert await request(engine, run_id, "resume") == "running"

        async def moved_on() -> bool:
            return await done(engine, run_id) > paused_at

        await eventually_async(moved_on, every=0.05, what="the resumed worker's next batch")
        assert await request(engine, run_id, "cancel") == "cancelled"
        await asyncio.wait_for(task, 30)
        after = await counts(engine)
        assert after.get("processing", 0) == 0
        assert after.get("done", 0) + after.get("pending", 0) == 24
        assert after.get("pending", 0) > 0  # cancelled before the end
    finally:
        await engine.dispose()


def _worker(database_url: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "thumper_tui",
            "--database-url",
            database_url,
            "worker",
            "--exit-when-idle",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "THUMPER_BATCH_SIZE": "2", "THUMPER_LEASE_SECONDS": "3", **extra}


async def _wait_for(engine: AsyncEngine, what: str, minimum: int, within: float) -> None:
    async def enough() -> bool:
        return (await counts(engine)).get(what, 0) >= minimum

    await eventually_async(enough, within=within, every=0.2, what=f"{minimum} {what}")


async def test_killed_worker_leaves_nothing_behind(ranch: Path, database_url: str) -> None:
    await asyncio.to_thread(run_json, "import", str(ranch), database_url=database_url)
    engine = make_engine(database_url)
    try:
        await queue_run(engine, "incremental")
        victim = _worker(database_url, _env())
        await _wait_for(engine, "done", 4, 90)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        survivor = _worker(database_url, _env())
        _, err = await asyncio.to_thread(survivor.communicate, timeout=180)
        assert survivor.returncode == 0, err.decode()
        final = await counts(engine)
        assert final.get("done") == 24 and final.get("processing", 0) == 0, final
        assert final["detections"] == final["distinct"], final  # none written twice
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_three_workers_share_one_postgres_run(ranch: Path, pg_session_url: str) -> None:
    from tests.conftest import truncate_all

    await asyncio.to_thread(truncate_all, pg_session_url)
    await asyncio.to_thread(run_json, "import", str(ranch), database_url=pg_session_url)
    engine = make_engine(pg_session_url)
    try:
        await queue_run(engine, "incremental")
        workers = [_worker(pg_session_url, _env(THUMPER_LEASE_SECONDS="60")) for _ in range(3)]
        for w in workers:
            _, err = await asyncio.to_thread(w.communicate, timeout=240)
            assert w.returncode == 0, err.decode()
        final = await counts(engine)
        assert final.get("done") == 24, final
        assert final["detections"] == final["distinct"], final
        async with engine.connect() as conn:
            attempts = set((await conn.scalars(select(Image.attempts))).all())
            served = int(await conn.scalar(select(func.count()).select_from(Worker)) or 0)
        assert attempts == {1}  # every image claimed exactly once
        assert served == 3
    finally:
        await engine.dispose()


async def test_detached_worker_outlives_its_terminal(
    ranch: Path, database_url: str, isolated_home: Path
) -> None:
    await asyncio.to_thread(run_json, "import", str(ranch), database_url=database_url)
    engine = make_engine(database_url)
    try:
        run_id = await queue_run(engine, "incremental")
        started = await asyncio.to_thread(
            run_cli, "worker", "--detach", "--exit-when-idle", database_url=database_url
        )
        assert started.exit_code == 0, started.output
        pid_file = isolated_home / "state" / "thumper" / "worker.pid"
        pid = int(pid_file.read_text())
        assert os.getsid(pid) != os.getsid(0)  # its own session: a hang-up never reaches it

        async def finished() -> bool:
            run = await get_run(engine, run_id)
            return run is not None and run.status == "done"

        log = isolated_home / "state" / "thumper" / "worker.log"
        try:
            await eventually_async(finished, within=180, every=0.3, what="the detached run")
        except AssertionError as exc:
            raise AssertionError(log.read_text()) from exc
        assert (await counts(engine)).get("done") == 24
    finally:
        await engine.dispose()


async def test_stopping_a_detached_worker_hands_its_images_back(
    ranch: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await asyncio.to_thread(run_json, "import", str(ranch), database_url=database_url)
    monkeypatch.setenv("THUMPER_BATCH_SIZE", "1")
    monkeypatch.setenv("THUMPER_LEASE_SECONDS", "600")  # only a clean stop can free them
    engine = make_engine(database_url)
    try:
        await queue_run(engine, "incremental")
        started = await asyncio.to_thread(run_cli, "worker", "--detach", database_url=database_url)
        assert started.exit_code == 0, started.output
        await _wait_for(engine, "done", 2, 120)
        stopped = await asyncio.to_thread(run_cli, "worker", "--stop")
        assert stopped.stdout.startswith("stopped the detached worker")
        after = await counts(engine)
        assert after.get("processing", 0) == 0
        assert after.get("done", 0) + after.get("pending", 0) == 24
        async with engine.connect() as conn:
            states = set((await conn.scalars(select(Worker.state))).all())
        assert states == {"stopped"}
        assert (await asyncio.to_thread(run_cli, "worker", "--stop")).stdout.strip() == (
            "no detached worker is running"
        )
    finally:
        await asyncio.to_thread(run_cli, "worker", "--stop")  # never leave one running
        await engine.dispose()


def test_deer_detections_carry_embeddings(ranch: Path, database_url: str) -> None:
    import asyncio as aio

    from thumper_tui.reid.embedder import REID_VERSION
    from thumper_tui.vocabulary.codec import vector_from_bytes

    run_json("import", str(ranch), database_url=database_url)
    assert run_cli("process", database_url=database_url).exit_code == 0

    async def rows() -> list[tuple[str, bool, bytes | None, str | None]]:
        engine = make_engine(database_url)
        async with engine.connect() as conn:
            found = (
                await conn.execute(
                    select(
                        Detection.species,
                        Detection.is_duplicate,
                        Detection.embedding,
                        Detection.embedding_version,
                        Detection.deer_id,
                        Detection.confidence,
                    )
                )
            ).all()
        await engine.dispose()
        return [tuple(r) for r in found]  # type: ignore[misc]

    detections = aio.run(rows())
    deer = [r for r in detections if r[0] == "deer" and not r[1]]
    assert len(deer) > 10
    for _, _, blob, version, profile, confidence in deer:
        assert version == REID_VERSION and blob is not None
        assert profile is not None or confidence < 0.5  # only a confident deer founds one
        assert abs(float((vector_from_bytes(blob) ** 2).sum()) - 1.0) < 0.02
    others = [r for r in detections if r[0] != "deer" or r[1]]
    assert all(r[2] is None and r[4] is None for r in others)
    profiles = run_json("profiles", database_url=database_url)
    assert sum(p["sightings"] for p in profiles) == sum(1 for r in deer if r[4] is not None)


def test_detection_keeps_every_torch_thread(ranch: Path) -> None:
    import torch

    from thumper_tui.detector.decode import decode_for_model

    before = torch.get_num_threads()
    detector = Detector(None, imgsz=512)  # ultralytics drops to cores - 1 when it picks the CPU
    photo = decode_for_model(next(ranch.glob("*/*.jpg")), 512).array
    detector.detect([photo])
    assert torch.get_num_threads() == before


def test_device_auto_is_the_cpu_here_and_a_missing_gpu_is_refused() -> None:
    import torch

    from thumper_tui.detector.inference import resolve_device
    from thumper_tui.detector.model import DetectorError

    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda:0" if torch.cuda.is_available() else "cpu")
    with pytest.raises(DetectorError, match="cuda:64: torch sees no such GPU"):
        resolve_device("cuda:64")
