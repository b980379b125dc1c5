"""The worker loop: serve the active run batch by batch until it is done (or forever).

Between batches the worker reads the run's status, so pause and cancel take effect within one
batch: on pause it hands its images back and waits; on cancel it hands them back and moves on.
A heartbeat task renews its leases every few seconds while a batch is being processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.detector.decode import Decoded, decode_for_model
from thumper_tui.detector.model import DetectorError, default_imgsz
from thumper_tui.engine.claims import LEASE, ClaimedImage, claim_batch, release, renew_leases
from thumper_tui.engine.detect import Detector, Found
from thumper_tui.engine.embed import to_bytes
from thumper_tui.engine.lifecycle import complete_run, fail_run, start_run
from thumper_tui.engine.runs import RunInfo, active_run, get_run
from thumper_tui.engine.stored import stored_detections
from thumper_tui.engine.workers import HEARTBEAT_SECONDS, heartbeat, register_worker, stop_worker
from thumper_tui.engine.writer import BatchResult, write_batch
from thumper_tui.reid.agglomerate import (
    HAUNT_WEIGHT,
    HEAD_VOTES,
    MAIN_SEX_WEIGHT,
    SEX_MARGIN,
    SEX_WEIGHT,
    TOGETHER_MAX_IOU,
)
from thumper_tui.reid.crops import prepare
from thumper_tui.reid.embedder import IdentityEmbedder, shipped_sex_head
from thumper_tui.store.models import RunStatus
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.samples import record_sample
from thumper_tui.telemetry.snapshots import GpuState

IDLE_POLL_SECONDS = 2.0
RATE_WINDOW_SECONDS = 60.0


class RateMeter:
    """Images handled per minute over the last :data:`RATE_WINDOW_SECONDS`."""

    def __init__(self, window: float = RATE_WINDOW_SECONDS) -> None:
        self._window = window
        self._events: deque[tuple[float, int]] = deque()
        self._started = time.monotonic()

    def add(self, images: int) -> None:
        """Count ``images`` handled now."""
        self._events.append((time.monotonic(), images))

    def per_minute(self) -> float:
        """The rate over the window (or since the meter started, when that is shorter)."""
        now = time.monotonic()
        while self._events and self._events[0][0] < now - self._window:
            self._events.popleft()
        span = min(self._window, now - self._started)
        return sum(n for _, n in self._events) / span * 60 if span > 0 else 0.0


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs."""

    batch_size: int = 8
    lease: timedelta = LEASE
    reader_threads: int = 2
    exit_when_idle: bool = False
    run_id: int | None = None  # serve only this run, then return


def _decode(image: ClaimedImage, imgsz: int) -> Decoded | str:
    try:
        return decode_for_model(image.path, imgsz)
    except FileNotFoundError:
        return "file missing (moved or deleted since import)"
    except PermissionError:
        return "permission denied"
    except Exception as exc:  # a corrupt JPEG can raise almost anything from the decoder
        return f"cannot decode: {exc}"


def _detect_and_embed(
    detector: Detector, embedder: IdentityEmbedder, ready: list[tuple[ClaimedImage, Decoded]]
) -> tuple[list[list[Found]], float]:
    """Detections for each decoded photo, deer carrying their embedding (one batch of crops),
    and the seconds the embedding took."""
    lists = detector.detect([d.array for _, d in ready])
    embed_started = time.perf_counter()
    crops: list[np.ndarray[Any, Any]] = []
    owners: list[tuple[int, int]] = []
    for index, ((_, decoded), found) in enumerate(zip(ready, lists, strict=True)):
        wanted = [p for p, item in enumerate(found) if item.needs_embedding]
        if wanted:
            crops.append(prepare(decoded.array, [found[p].box for p in wanted]))
            owners.extend((index, p) for p in wanted)
    if crops:
        vectors = embedder.embed_prepared(np.concatenate(crops))
        for (index, position), vector in zip(owners, vectors, strict=True):
            lists[index][position] = replace(
                lists[index][position],
                embedding=to_bytes(vector),
                embedding_version=embedder.version,
            )
    return lists, time.perf_counter() - embed_started


async def _process(
    engine: AsyncEngine,
    detector: Detector,
    embedder: IdentityEmbedder,
    pool: ThreadPoolExecutor,
    worker_id: uuid.UUID,
    run: RunInfo,
    images: list[ClaimedImage],
) -> None:
    """Decode, detect and write one batch (a reid-only run reuses stored detections).

    Every decode is queued in the reader threads at once; the detector takes the photos in
    order, chunk by chunk (one photo on a CPU, 16 on a GPU), so it works on the first ones
    while the readers decode the rest. ``decode`` in the timings is the time the detector
    waited for the readers, ``detect`` the time it worked, ``embed`` the time of the crops.
    """
    found: dict[int, list[Found]] = {}
    if run.kind == "reid-only":
        found = await stored_detections(engine, [i.id for i in images], embedder.version)
        images = [i for i in images if i.id not in found]
    loop = asyncio.get_running_loop()
    pending = [loop.run_in_executor(pool, _decode, image, detector.imgsz) for image in images]
    failed: dict[int, str] = {}
    waited = worked = embedding = 0.0
    for start in range(0, len(images), detector.batch):
        chunk = images[start : start + detector.batch]
        before = time.perf_counter()
        decoded = await asyncio.gather(*pending[start : start + detector.batch])
        ready = []
        for image, outcome in zip(chunk, decoded, strict=True):
            if isinstance(outcome, Decoded):
                ready.append((image, outcome))
            else:
                failed[image.id] = outcome
        between = time.perf_counter()
        if ready:
            lists, embed_s = await asyncio.to_thread(_detect_and_embed, detector, embedder, ready)
            embedding += embed_s
            found.update((image.id, f) for (image, _), f in zip(ready, lists, strict=True))
        waited += between - before
        worked += time.perf_counter() - between
    seconds = {"decode": waited, "detect": worked - embedding, "embed": embedding}
    batch = BatchResult(found=found, failed=failed, seconds=seconds)
    await write_batch(engine, worker_id, run.id, batch)


def run_facts(detector: Detector, embedder: IdentityEmbedder) -> dict[str, Any]:
    """What the run records about how this worker will shape its results."""
    facts = detector.facts()
    facts["settings"] = {**facts["settings"], "embedder": embedder.version}
    facts["reid_threshold"] = embedder.threshold
    facts["settings"]["merge_threshold"] = embedder.merge_threshold
    facts["settings"]["small_threshold"] = embedder.small_threshold
    facts["settings"]["sex_evidence"] = {
        "first_pass_weight": MAIN_SEX_WEIGHT,
        "small_pass_weight": SEX_WEIGHT,
        # the head consolidation will read: the shipped card's, for this embedder's version
        "head_votes": HEAD_VOTES if shipped_sex_head(embedder.version) is not None else 0.0,
    }
    facts["settings"]["haunt_weight"] = HAUNT_WEIGHT
    facts["settings"]["together_max_iou"] = TOGETHER_MAX_IOU
    facts["settings"]["sex_margin"] = SEX_MARGIN
    return facts


async def _beat(
    engine: AsyncEngine,
    worker_id: uuid.UUID,
    state: list[str],
    lease: timedelta,
    meter: RateMeter,
    gpus: GpuSampler | None,
) -> None:
    while True:
        await asyncio.sleep(min(HEARTBEAT_SECONDS, lease.total_seconds() / 3))
        await heartbeat(engine, worker_id, state[0])
        await renew_leases(engine, worker_id, lease)
        reading = await asyncio.to_thread(gpus.sample) if gpus is not None else GpuState()
        await record_sample(engine, worker_id, reading, round(meter.per_minute(), 1))


async def serve(
    engine: AsyncEngine,
    detector: Detector,
    options: WorkerOptions,
    *,
    device: str | None = None,
    on_batch: Callable[[RunInfo], None] | None = None,
) -> None:
    """Register as a worker and process runs until told to stop (see ``WorkerOptions``)."""
    device = device or detector.device
    worker_id = await register_worker(engine, device)
    embedder = IdentityEmbedder()
    base = detector
    state = ["idle"]
    meter = RateMeter()
    gpus = GpuSampler() if device.startswith("cuda") else None
    beat = asyncio.create_task(_beat(engine, worker_id, state, options.lease, meter, gpus))
    pool = ThreadPoolExecutor(options.reader_threads, thread_name_prefix="thumper-decode")
    try:
        while True:
            run = (
                await get_run(engine, options.run_id)
                if options.run_id is not None
                else await active_run(engine)
            )
            if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED):
                await release(engine, worker_id)
                if options.exit_when_idle or options.run_id is not None:
                    return
                state[0] = "idle"
                await asyncio.sleep(IDLE_POLL_SECONDS)
                continue
            wanted = Path(run.model) if run.model else base.weights  # resolved when queued
            if wanted != detector.weights:  # the run asked for other weights (reprocess --model)
                try:
                    detector = (
                        base
                        if wanted == base.weights
                        else await asyncio.to_thread(
                            Detector, wanted, imgsz=default_imgsz(wanted), device=base.device
                        )
                    )
                except DetectorError as exc:
                    await fail_run(engine, run.id, str(exc))
                    continue
            if run.status == RunStatus.QUEUED:
                await start_run(engine, run, run_facts(detector, embedder))
                continue
            if run.status == RunStatus.PAUSED:
                state[0] = "paused"
                await release(engine, worker_id)
                await asyncio.sleep(IDLE_POLL_SECONDS / 2)
                continue
            images = await claim_batch(engine, worker_id, options.batch_size, options.lease)
            if not images:
                if not await complete_run(engine, run.id):
                    await asyncio.sleep(0.5)  # other workers are finishing their batches
                continue
            state[0] = "processing"
            await _process(engine, detector, embedder, pool, worker_id, run, images)
            meter.add(len(images))
            if on_batch:
                latest = await get_run(engine, run.id)
                if latest is not None:
                    on_batch(latest)
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        pool.shutdown(wait=False, cancel_futures=True)
        if gpus is not None:
            gpus.close()
        # Each step on its own, so one failing (the database gone) does not skip the other.
        with contextlib.suppress(Exception):
            await release(engine, worker_id)
        with contextlib.suppress(Exception):
            await stop_worker(engine, worker_id)
