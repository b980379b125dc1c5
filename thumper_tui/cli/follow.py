"""What ``thumper process`` says of the run it serves or follows: progress, summary, Ctrl+C."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.cli.progress import ProgressBar
from thumper_tui.engine.runs import RunInfo, get_run
from thumper_tui.engine.workers import list_workers
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.states import ENDED_STATUSES, RunStatus

FOLLOW_POLL_SECONDS = 0.5
ENDED = (*ENDED_STATUSES, RunStatus.PAUSED)  # a paused run is not followed: it may wait days


def handled(run: RunInfo) -> int:
    """Images of ``run`` done or failed."""
    return run.images_done + run.images_failed


class ServedRun:
    """The run one ``thumper process`` serves (or follows, when another worker serves it)."""

    def __init__(self, bar: ProgressBar) -> None:
        self.bar = bar
        self.run_id: int | None = None
        self.before = 0
        self.followed: str | None = None  # why another worker serves it
        self._started = time.monotonic()

    def begin(self, run: RunInfo | None) -> None:
        """Start counting from ``run``'s counts now: a resumed run's earlier work is not ours."""
        if run is None:
            return
        self.run_id, self.before = run.id, handled(run)
        self.bar.baseline = self.before
        self._started = time.monotonic()
        if run.images_total:
            self.show(run)

    def show(self, run: RunInfo) -> None:
        """Move the bar to ``run``'s counts."""
        self.bar.update(handled(run), run.images_total)

    async def follow(self, engine: AsyncEngine, run_id: int, refusal: str) -> bool:
        """Show another worker's progress on ``run_id`` until the run ends (True) or no live
        worker is left to serve it (False: this process serves it after all)."""
        if self.followed is None:
            click.echo(f"{refusal}; following run {run_id} to its end", err=True)
        self.followed = refusal
        while True:
            run = await get_run(engine, run_id)
            if run is None or run.status in ENDED:
                return True
            if run.images_total:
                self.show(run)
            if not any(w.is_fresh() for w in await list_workers(engine)):
                click.echo(f"the other worker stopped; serving run {run_id} here", err=True)
                self.followed = None
                self.before = self.bar.baseline = handled(run)
                return False
            await asyncio.sleep(FOLLOW_POLL_SECONDS)

    def interrupted(self) -> str:
        """What Ctrl+C leaves behind, in one line."""
        if self.run_id is None:
            return "interrupted before a run was queued; nothing changed"
        if self.followed is not None:
            return f"interrupted; run {self.run_id} goes on in the other worker"
        return (
            f"interrupted; run {self.run_id} stays resumable: `thumper process` goes on where "
            "it stopped (every finished batch is kept)"
        )

    def seconds(self) -> float:
        """Seconds since the run was joined."""
        return time.monotonic() - self._started

    def report(self, run: RunInfo) -> dict[str, Any]:
        """The ``process --json`` result."""
        here = 0 if self.followed else max(0, handled(run) - self.before)
        seconds = self.seconds()
        return {
            "run": run.id,
            "kind": run.kind,
            "status": run.status,
            "error": run.error,
            "images": {
                "total": run.images_total,
                "done": run.images_done,
                "failed": run.images_failed,
            },
            "followed": self.followed is not None,
            "this_process": {
                "images": here,
                "seconds": round(seconds, 2),
                "images_per_min": round(here / seconds * 60, 1) if here and seconds else None,
            },
        }

    def summary(self, run: RunInfo) -> str:
        """One line: where the run stands and what this process did of it."""
        report = self.report(run)
        line = (
            f"run {run.id} {run.status}: {counted(run.images_done, 'image')} done, "
            f"{run.images_failed:,} failed"
        )
        if self.followed:
            return line + " (served by another worker)"
        mine = report["this_process"]
        rate = f", {mine['images_per_min']:,.0f}/min" if mine["images_per_min"] else ""
        return line + f" (this process: {mine['images']:,} in {mine['seconds']:.1f} s{rate})"
