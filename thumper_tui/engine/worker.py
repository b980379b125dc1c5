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
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, timedelta, tzinfo
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.detector.decode import Decoded, decode_for_model
from thumper_tui.detector.inference import DUPLICATE_IOU, Detector, Found
from thumper_tui.detector.model import DetectorError
from thumper_tui.engine.claims import LEASE, ClaimedImage, claim_batch, release
from thumper_tui.engine.heartbeat import Heartbeat, RateMeter, WorkerStatus
from thumper_tui.engine.imported import imported_boxes
from thumper_tui.engine.lifecycle import complete_run, fail_run, start_run
from thumper_tui.engine.provenance import refuses, unmarked_covered
from thumper_tui.engine.recipe import PIPELINE_VERSION, RunRecipe
from thumper_tui.engine.runs import RunInfo, active_run, get_run
from thumper_tui.engine.stored import stored_detections
from thumper_tui.engine.workers import register_worker, stop_worker
from thumper_tui.engine.writer import BatchResult, write_batch
from thumper_tui.paths import os_path
from thumper_tui.reid.agglomerate import HEAD_VOTES
from thumper_tui.reid.crops import prepare
from thumper_tui.reid.embedder import IdentityEmbedder, shipped_sex_head
from thumper_tui.reid.evidence import ConsolidationRecipe
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.samples import KEEP
from thumper_tui.vocabulary.boxes import GivenBox
from thumper_tui.vocabulary.codec import vector_to_bytes
from thumper_tui.vocabulary.states import ENDED_STATUSES, RunKind, RunStatus, WorkerState

IDLE_POLL_SECONDS = 2.0


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs."""

    batch_size: int = 8
    lease: timedelta = LEASE
    reader_threads: int = 2
    exit_when_idle: bool = False
    run_id: int | None = None  # serve only this run, then return
    telemetry_keep: timedelta = KEEP  # samples older than this are pruned
    zone: tzinfo = UTC  # the ranch's days, for the history a run's end writes
    reid_threshold: float | None = None  # the configured join threshold (None: the embedder's)
    scheduler: Scheduler | None = None  # asked for a due slot's run whenever no run is active
    allow_demo_model: bool = False  # the demo detector may run over photos not from synth


class Scheduler(Protocol):
    """What queues a schedule slot's run (``thumper_tui.analytics.schedule`` builds one)."""

    async def enqueue_due(self, engine: AsyncEngine) -> int | None:
        """Queue the run of a slot that is due and has no run yet; its id, else ``None``."""


def _decode(image: ClaimedImage, imgsz: int) -> Decoded | str:
    try:
        return decode_for_model(os_path(image.path), imgsz)
    except FileNotFoundError:
        return "file missing (moved or deleted since import)"
    except PermissionError:
        return "permission denied"
    except Exception as exc:  # a corrupt JPEG can raise almost anything from the decoder
        return f"cannot decode: {exc}"


def _detect_and_embed(
    detector: Detector,
    embedder: IdentityEmbedder,
    ready: list[tuple[ClaimedImage, Decoded]],
    given: Mapping[int, list[GivenBox]] | None = None,
) -> tuple[list[list[Found]], float]:
    """Detections for each decoded photo (the detector's, or the ``given`` boxes of an
    imported run), deer carrying their embedding (one batch of crops), and the seconds the
    embedding took."""
    arrays = [d.array for _, d in ready]
    if given is None:
        lists = detector.detect(arrays)
    else:
        lists = detector.adopt(arrays, [given.get(image.id, []) for image, _ in ready])
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
                embedding=vector_to_bytes(vector),
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
    """Decode, detect and write one batch (a reid-only run reuses stored detections, an
    imported run takes its file's boxes in place of the detector's).

    Every decode is queued in the reader threads at once; the detector takes the photos in
    order, chunk by chunk (one photo on a CPU, 16 on a GPU), so it works on the first ones
    while the readers decode the rest. ``decode`` in the timings is the time the detector
    waited for the readers, ``detect`` the time it worked, ``embed`` the time of the crops.
    """
    found: dict[int, list[Found]] = {}
    given = None
    if run.kind == RunKind.REID_ONLY:
        found = await stored_detections(engine, [i.id for i in images], embedder.version)
        images = [i for i in images if i.id not in found]
    elif run.kind == RunKind.IMPORTED:
        given = await imported_boxes(engine, run.id, [i.id for i in images])
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
            lists, embed_s = await asyncio.to_thread(
                _detect_and_embed, detector, embedder, ready, given
            )
            embedding += embed_s
            found.update((image.id, f) for (image, _), f in zip(ready, lists, strict=True))
        waited += between - before
        worked += time.perf_counter() - between
    seconds = {"decode": waited, "detect": worked - embedding, "embed": embedding}
    batch = BatchResult(found=found, failed=failed, seconds=seconds)
    await write_batch(engine, worker_id, run.id, batch)


def recipe_for(
    detector: Detector,
    embedder: IdentityEmbedder,
    run: RunInfo,
    configured_threshold: float | None = None,
) -> RunRecipe:
    """The recipe this worker runs ``run`` with: its detector and embedder, the join threshold
    the run asked for, else the configured one, else the embedder's own."""
    threshold = run.request.reid_threshold
    if threshold is None:
        threshold = configured_threshold
    if threshold is None:
        threshold = embedder.threshold
    classifier = detector.classifier
    source = run.request.source
    detects = source is None  # an imported run takes its boxes from the file, not the detector
    given = source or {}
    return RunRecipe(
        model_path=str(detector.weights) if detects else given.get("detector"),
        model_sha256=detector.weights_sha256 if detects else given.get("detector_sha256"),
        model_classes=(
            tuple(detector.names[i] for i in sorted(detector.names))
            if detects
            else tuple(given.get("classes") or ())
        ),
        imgsz=detector.imgsz if detects else None,
        confidence=detector.confidence if detects else given.get("confidence"),
        iou=detector.iou if detects else None,
        duplicate_iou=DUPLICATE_IOU,
        category_map=detector.category_map,
        classifier_path=str(classifier.weights) if classifier else None,
        classifier_sha256=classifier.weights_sha256 if classifier else None,
        classifier_classes=(
            tuple(classifier.names[i] for i in sorted(classifier.names)) if classifier else ()
        ),
        device=detector.device,
        half=detector.half,
        embedder=embedder.version,
        reid_threshold=threshold,
        consolidation=ConsolidationRecipe(
            merge_threshold=embedder.merge_threshold,
            small_threshold=embedder.small_threshold,
            # the head consolidation will read: the shipped card's, for this embedder's version
            head_votes=HEAD_VOTES if shipped_sex_head(embedder.version) is not None else 0.0,
        ),
        pipeline_version=PIPELINE_VERSION,
        source=source,
    )


class Serving:
    """One worker serving runs: its detector (switched when a run asks for other weights), its
    embedder and reader threads, and what it does with each state a run can be in."""

    def __init__(
        self,
        engine: AsyncEngine,
        detector: Detector,
        options: WorkerOptions,
        worker_id: uuid.UUID,
        status: WorkerStatus,
        meter: RateMeter,
    ) -> None:
        self.engine, self.options, self.worker_id = engine, options, worker_id
        self.base = self.detector = detector
        self.embedder = IdentityEmbedder()
        self.status, self.meter = status, meter
        self.pool = ThreadPoolExecutor(options.reader_threads, thread_name_prefix="thumper-decode")

    async def current_run(self) -> RunInfo | None:
        """The run to serve: the one asked for, else the active one."""
        if self.options.run_id is not None:
            return await get_run(self.engine, self.options.run_id)
        return await active_run(self.engine)

    async def use_weights_of(self, run: RunInfo) -> bool:
        """Load the weights ``run`` asked for (``reprocess --model``) unless they are loaded;
        False when they cannot be (the run is failed with the reason)."""
        wanted = Path(run.request.model) if run.request.model else self.base.weights
        if wanted == self.detector.weights:
            return True
        try:
            self.detector = (
                self.base
                if wanted == self.base.weights
                else await asyncio.to_thread(self.base.with_weights, wanted)
            )
        except DetectorError as exc:
            await fail_run(self.engine, run.id, str(exc))
            return False
        return True

    async def provenance(self, run: RunInfo) -> dict[str, Any] | None:
        """What the run records of the photos it covers (how many are not synthetic, whether
        the demo detector was allowed over them); None when it may not start (the run is
        failed with the reason)."""
        unmarked = await unmarked_covered(self.engine, run.kind, run.clear_mode)
        allowed = run.request.allow_demo_model or self.options.allow_demo_model
        refusal = refuses(run.kind, self.detector.is_demo, allowed, unmarked)
        if refusal is not None:
            await fail_run(self.engine, run.id, refusal)
            return None
        return {
            "unmarked_images": unmarked,
            "demo_model_allowed": self.detector.is_demo and allowed,
        }

    async def step(self, run: RunInfo) -> bool:
        """One step of a live run: start it, wait out a pause, or process one batch; True
        when a batch was processed."""
        if run.status == RunStatus.QUEUED:
            facts = await self.provenance(run)
            if facts is not None:
                recipe = recipe_for(self.detector, self.embedder, run, self.options.reid_threshold)
                await start_run(self.engine, run, recipe, facts)
            return False
        if run.status == RunStatus.PAUSED:
            self.status.state = WorkerState.PAUSED
            await release(self.engine, self.worker_id)
            await asyncio.sleep(IDLE_POLL_SECONDS / 2)
            return False
        return await self.batch(run)

    async def batch(self, run: RunInfo) -> bool:
        """Claim a batch and process it (True); with nothing left, try to complete the run."""
        images = await claim_batch(
            self.engine, self.worker_id, self.options.batch_size, self.options.lease, run.kind
        )
        if not images:
            if not await complete_run(self.engine, run.id, self.options.zone):
                await asyncio.sleep(0.5)  # other workers are finishing their batches
            return False
        self.status.state = WorkerState.PROCESSING
        await _process(
            self.engine, self.detector, self.embedder, self.pool, self.worker_id, run, images
        )
        self.meter.add(len(images))
        return True


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
    status, meter = WorkerStatus(), RateMeter()
    gpus = GpuSampler() if device.startswith("cuda") else None
    beat = asyncio.create_task(
        Heartbeat(
            engine, worker_id, options.lease, options.telemetry_keep, status, meter, gpus
        ).run()
    )
    serving = Serving(engine, detector, options, worker_id, status, meter)
    try:
        while True:
            run = await serving.current_run()
            if run is None or run.status in ENDED_STATUSES:
                await release(engine, worker_id)
                if options.scheduler is not None and await options.scheduler.enqueue_due(engine):
                    continue
                if options.exit_when_idle or options.run_id is not None:
                    return
                status.state = WorkerState.IDLE
                await asyncio.sleep(IDLE_POLL_SECONDS)
                continue
            if not await serving.use_weights_of(run):
                continue
            if await serving.step(run) and on_batch:
                latest = await get_run(engine, run.id)
                if latest is not None:
                    on_batch(latest)
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        serving.pool.shutdown(wait=False, cancel_futures=True)
        if gpus is not None:
            gpus.close()
        # Each step on its own, so one failing (the database gone) does not skip the other.
        with contextlib.suppress(Exception):
            await release(engine, worker_id)
        with contextlib.suppress(Exception):
            await stop_worker(engine, worker_id)
