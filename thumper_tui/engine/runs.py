"""Runs as database rows: queue one, move it through its states, ask for pause/resume/cancel.

A run is ``queued`` until a worker starts it, then ``running``; the user may move it to
``paused`` and back, or ``cancelled``; the worker ends it ``done`` or ``failed``. Workers read
the status between batches, so a request takes effect within one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.store.models import Run
from thumper_tui.store.types import utcnow

if TYPE_CHECKING:  # the recipe (and numpy under it) loads only where a request is read
    from thumper_tui.engine.recipe import RunRequest
from thumper_tui.vocabulary.states import (
    ACTIVE_RUN_STATUSES,
    ClearMode,
    RunKind,
    RunStatus,
    RunTrigger,
)

RUN_KINDS = tuple(k.value for k in RunKind)
CLEAR_MODES = tuple(m.value for m in ClearMode)
TRIGGERS = tuple(t.value for t in RunTrigger)

# Which requests are allowed from which state.
_TRANSITIONS: dict[str, dict[RunStatus, RunStatus]] = {
    "pause": {RunStatus.RUNNING: RunStatus.PAUSED, RunStatus.QUEUED: RunStatus.PAUSED},
    "resume": {RunStatus.PAUSED: RunStatus.RUNNING},
    "cancel": {
        RunStatus.QUEUED: RunStatus.CANCELLED,
        RunStatus.RUNNING: RunStatus.CANCELLED,
        RunStatus.PAUSED: RunStatus.CANCELLED,
    },
}


class RunError(Exception):
    """A run request that cannot be honoured; the message is one line for the user."""


@dataclass(frozen=True)
class RunInfo:
    """A run's state and counts."""

    id: int
    kind: str
    clear_mode: str
    trigger: str
    status: str
    images_total: int
    images_done: int
    images_failed: int
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    settings: dict[str, Any] | None = None
    error: str | None = None  # why a failed run ended

    @property
    def request(self) -> RunRequest:
        """What was asked for when the run was queued (``reprocess --model``, ``--threshold``)."""
        from thumper_tui.engine.recipe import RunRequest

        return RunRequest.from_json(self.settings)


_COLUMNS = (
    Run.id,
    Run.kind,
    Run.clear_mode,
    Run.trigger,
    Run.status,
    Run.images_total,
    Run.images_done,
    Run.images_failed,
    Run.requested_at,
    Run.started_at,
    Run.finished_at,
    Run.settings,
    Run.error,
)


async def queue_run(
    engine: AsyncEngine,
    kind: str,
    *,
    clear_mode: str = ClearMode.NONE,
    trigger: str = RunTrigger.CLI,
    request: RunRequest | None = None,
    schedule_slot: str | None = None,
) -> int:
    """Queue a run and return its id. Only one run may be queued, running or paused at once.

    A ``schedule_slot`` is unique in the database: a second run for the same slot raises
    ``IntegrityError`` (another worker queued it first)."""
    async with engine.begin() as conn:
        return await queue_run_in(
            conn,
            kind,
            clear_mode=clear_mode,
            trigger=trigger,
            request=request,
            schedule_slot=schedule_slot,
        )


async def queue_run_in(
    conn: AsyncConnection,
    kind: str,
    *,
    clear_mode: str = ClearMode.NONE,
    trigger: str = RunTrigger.CLI,
    request: RunRequest | None = None,
    schedule_slot: str | None = None,
) -> int:
    """:func:`queue_run` inside the caller's transaction, so what the run needs (an imported
    run's boxes) commits with it and no worker sees the run without it."""
    if kind not in RUN_KINDS:
        raise RunError(f"unknown run kind {kind!r} (one of {', '.join(RUN_KINDS)})")
    if clear_mode not in CLEAR_MODES:
        raise RunError(f"unknown clear mode {clear_mode!r} (one of {', '.join(CLEAR_MODES)})")
    if trigger not in TRIGGERS:
        raise RunError(f"unknown trigger {trigger!r}")
    active = (
        await conn.execute(
            select(Run.id, Run.status).where(Run.status.in_([s.value for s in ACTIVE_RUN_STATUSES]))
        )
    ).first()
    if active is not None:
        raise RunError(f"run {active.id} is {active.status}; wait for it or cancel it first")
    return int(
        (
            await conn.execute(
                insert(Run)
                .values(
                    kind=kind,
                    clear_mode=clear_mode,
                    trigger=trigger,
                    settings=request.to_json() if request else {},
                    schedule_slot=schedule_slot,
                    status=RunStatus.QUEUED.value,
                    requested_at=utcnow(),
                )
                .returning(Run.id)
            )
        ).scalar_one()
    )


async def request(engine: AsyncEngine, run_id: int, action: str) -> str:
    """Apply ``action`` (pause, resume or cancel) to a run; returns the new status."""
    allowed = _TRANSITIONS.get(action)
    if allowed is None:
        raise RunError(f"unknown action {action!r}")
    async with engine.begin() as conn:
        row = (
            await conn.execute(select(Run.status, Run.started_at).where(Run.id == run_id))
        ).first()
        if row is None:
            raise RunError(f"no run {run_id}")
        current = row.status
        target = allowed.get(RunStatus(current))
        if target == RunStatus.RUNNING and row.started_at is None:
            target = RunStatus.QUEUED  # paused before any worker started it
        if target is None:
            raise RunError(f"run {run_id} is {current}: cannot {action} it")
        values: dict[str, Any] = {"status": target.value}
        if target == RunStatus.CANCELLED:
            values["finished_at"] = utcnow()
        # Compare-and-set: a worker finishing the run at this moment wins, not the request.
        result = await conn.execute(
            update(Run).where(Run.id == run_id, Run.status == current).values(**values)
        )
        if not result.rowcount:
            raise RunError(f"run {run_id} changed state meanwhile; try again")
    return target.value


async def get_run(engine: AsyncEngine, run_id: int) -> RunInfo | None:
    """One run, or ``None``."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(*_COLUMNS).where(Run.id == run_id))).first()
    return RunInfo(*row) if row else None


async def active_run(engine: AsyncEngine) -> RunInfo | None:
    """The run that is queued, running or paused, if any."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(*_COLUMNS)
                .where(Run.status.in_([s.value for s in ACTIVE_RUN_STATUSES]))
                .order_by(Run.id.desc())
                .limit(1)
            )
        ).first()
    return RunInfo(*row) if row else None


async def latest_run(engine: AsyncEngine) -> RunInfo | None:
    """The most recently requested run, whatever its status."""
    async with engine.connect() as conn:
        row = (await conn.execute(select(*_COLUMNS).order_by(Run.id.desc()).limit(1))).first()
    return RunInfo(*row) if row else None


async def list_runs(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every run with its settings and figures, newest first (the ``thumper runs`` JSON)."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Run.__table__).order_by(Run.id.desc()))).mappings().all()
    out = []
    for row in rows:
        started, finished = row["started_at"], row["finished_at"]
        handled = row["images_done"] + row["images_failed"]
        seconds = ((finished or utcnow()) - started).total_seconds() if started else 0.0
        out.append(
            {
                "id": row["id"],
                "kind": row["kind"],
                "clear_mode": row["clear_mode"],
                "trigger": row["trigger"],
                "status": row["status"],
                "error": row["error"],
                "model_path": row["model_path"],
                "model_sha256": row["model_sha256"],
                "model_classes": row["model_classes"],
                "reid_threshold": row["reid_threshold"],
                "pipeline_version": row["pipeline_version"],
                "settings": row["settings"] or {},
                "images": {
                    "total": row["images_total"],
                    "done": row["images_done"],
                    "failed": row["images_failed"],
                },
                "detections": row["detections"],
                "new_profiles": row["new_profiles"],
                "held_detections": row["held_detections"],
                "timings": row["timings"] or {},
                "images_per_min": round(handled / seconds * 60, 1) if seconds > 0 else None,
                "requested_at": _iso(row["requested_at"]),
                "started_at": _iso(started),
                "finished_at": _iso(finished),
            }
        )
    return out


async def active_run_progress(engine: AsyncEngine) -> dict[str, Any] | None:
    """The active run for ``thumper status --json``: counts, images/min and ETA; or None."""
    run = await active_run(engine)
    if run is None:
        return None
    handled = run.images_done + run.images_failed
    seconds = (utcnow() - run.started_at).total_seconds() if run.started_at else 0.0
    per_min = handled / seconds * 60 if seconds > 0 and handled else None
    left = max(0, run.images_total - handled)
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "done": run.images_done,
        "failed": run.images_failed,
        "total": run.images_total,
        "images_per_min": round(per_min, 1) if per_min else None,
        "eta_s": round(left / per_min * 60) if per_min else None,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
