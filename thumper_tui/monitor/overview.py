"""Everything the dashboard's database panels show, read in one call every second or two."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.provenance import real_photos_with_deer
from thumper_tui.engine.runs import RunInfo, active_run, latest_run
from thumper_tui.engine.workers import WorkerInfo, list_workers
from thumper_tui.monitor.alerts import (
    RECENT,
    Alert,
    failure_alerts,
    trust_alerts,
    worker_alerts,
)
from thumper_tui.store.models import Detection, Run
from thumper_tui.store.queries import StatusSummary, status_summary
from thumper_tui.store.types import utcnow
from thumper_tui.telemetry.samples import Sample, samples_since, throughput_series
from thumper_tui.vocabulary.states import STAGES, RunStatus, WorkerState


@dataclass(frozen=True)
class RunView:
    """The active run as the dashboard shows it."""

    id: int
    kind: str
    clear_mode: str
    status: str
    done: int
    failed: int
    total: int
    images_per_min: float | None
    eta_s: float | None
    stage_seconds: dict[str, float]

    @property
    def fraction(self) -> float:
        """Share of the run handled, 0-1."""
        return (self.done + self.failed) / self.total if self.total else 0.0


@dataclass(frozen=True)
class Overview:
    """One reading of the database for the dashboard; ``run`` is the active or else the last run."""

    taken_at: datetime
    summary: StatusSummary
    run: RunView | None
    workers: list[WorkerInfo]
    throughput: list[tuple[float, float]]
    gpu_samples: list[Sample]
    assignment_rate: float | None
    alerts: list[Alert] = field(default_factory=list)


def _run_view(run: RunInfo, timings: dict[str, Any] | None, now: datetime) -> RunView:
    handled = run.images_done + run.images_failed
    until = run.finished_at or now
    seconds = (until - run.started_at).total_seconds() if run.started_at else 0.0
    per_min = handled / seconds * 60 if seconds > 0 and handled else None
    left = max(0, run.images_total - handled)
    return RunView(
        id=run.id,
        kind=run.kind,
        clear_mode=run.clear_mode,
        status=run.status,
        done=run.images_done,
        failed=run.images_failed,
        total=run.images_total,
        images_per_min=per_min,
        eta_s=left / per_min * 60 if per_min and run.finished_at is None else None,
        stage_seconds={k: float(v) for k, v in (timings or {}).items() if k in STAGES},
    )


async def _assignment_rate(engine: AsyncEngine) -> float | None:
    deer = select(func.count()).select_from(Detection).where(Detection.is_deer_sighting())
    async with engine.connect() as conn:
        total = int(await conn.scalar(deer) or 0)
        assigned = int(await conn.scalar(deer.where(Detection.deer_id.is_not(None))) or 0)
    return assigned / total if total else None


async def read_overview(
    engine: AsyncEngine, database_label: str, now: datetime | None = None
) -> Overview:
    """Counts, the active run with its stage timings, workers, throughput and alerts."""
    now = now or utcnow()
    summary = await status_summary(engine, database_label)
    run = await active_run(engine) or await latest_run(engine)
    workers = await list_workers(engine)
    view = None
    samples: list[Sample] = []
    throughput: list[tuple[float, float]] = []
    if run is not None:
        async with engine.connect() as conn:
            timings = await conn.scalar(select(Run.timings).where(Run.id == run.id))
        view = _run_view(run, timings, now)
        if run.started_at is not None:
            samples = await samples_since(engine, run.started_at)
            if run.finished_at is not None:
                samples = [s for s in samples if s.ts <= run.finished_at]
            throughput = throughput_series(samples, run.started_at)
    latest: dict[tuple[object, int | None], Sample] = {}
    for s in samples:
        if s.gpu_index is not None:
            latest[(s.worker_id, s.gpu_index)] = s
    waiting = run is not None and run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    alerts = worker_alerts(workers, waiting, now)
    if view is not None and run is not None and run.finished_at is None:
        alerts += failure_alerts(view.done, view.failed)
    async with engine.connect() as conn:
        alerts += trust_alerts(run, await real_photos_with_deer(conn))
    return Overview(
        taken_at=now,
        summary=summary,
        run=view,
        workers=[
            w for w in workers if w.state != WorkerState.STOPPED and now - w.heartbeat_at < RECENT
        ],
        throughput=throughput,
        gpu_samples=list(latest.values()),
        assignment_rate=await _assignment_rate(engine),
        alerts=alerts,
    )
