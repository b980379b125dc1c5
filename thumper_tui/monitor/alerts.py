"""Alerts: things going wrong that a person should act on, with the action that helps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from thumper_tui.engine.provenance import reid_caution
from thumper_tui.engine.runs import RunInfo
from thumper_tui.engine.workers import WorkerInfo
from thumper_tui.vocabulary.durations import describe_age
from thumper_tui.vocabulary.states import START_WORKER, RunStatus, WorkerState

RECENT = timedelta(hours=24)
SPIKE_MIN_FAILED = 5
SPIKE_SHARE = 0.2


@dataclass(frozen=True)
class Alert:
    """One line for the alerts panel; ``action`` names what the dashboard can offer to do."""

    level: str  # "warning" or "error"
    text: str
    action: str | None = None


def worker_alerts(workers: list[WorkerInfo], run_waiting: bool, now: datetime) -> list[Alert]:
    """A stale worker (heartbeat lost without a clean stop), and a run that no worker serves."""
    alerts = [
        Alert(
            "warning",
            f"worker {w.host}:{w.pid} went quiet "
            f"{describe_age((now - w.heartbeat_at).total_seconds())} ago",
            START_WORKER,
        )
        for w in workers
        if w.state != WorkerState.STOPPED and not w.is_fresh(now) and now - w.heartbeat_at < RECENT
    ]
    if run_waiting and not any(w.is_fresh(now) for w in workers):
        alerts.append(Alert("error", "the run is waiting: no worker is alive", START_WORKER))
    return alerts


def failure_alerts(done: int, failed: int) -> list[Alert]:
    """A failure spike: at least five failures making up a fifth of what the run handled."""
    handled = done + failed
    if failed >= SPIKE_MIN_FAILED and failed / handled >= SPIKE_SHARE:
        return [Alert("error", f"failure spike: {failed} of {handled} images failed")]
    return []


def trust_alerts(run: RunInfo | None, real_photos_with_deer: int) -> list[Alert]:
    """Why the figures cannot be trusted yet: the last run failed (the demo detector refused
    real photos, weights that would not load), or the profiles rest on real photos that the
    shipped embedder was never trained for."""
    alerts = []
    if run is not None and run.status == RunStatus.FAILED:
        reason = f": {run.error}" if run.error else ""
        alerts.append(Alert("error", f"run {run.id} failed{reason}"))
    caution = reid_caution(real_photos_with_deer)
    if caution is not None:
        alerts.append(Alert("warning", caution))
    return alerts
