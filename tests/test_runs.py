"""Run rows: queueing one at a time, and pause / resume / cancel requests."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.recipe import RunRequest
from thumper_tui.engine.runs import (
    RunError,
    active_run,
    get_run,
    list_runs,
    queue_run,
    request,
)
from thumper_tui.store.models import Run
from thumper_tui.store.types import utcnow


async def test_one_active_run_at_a_time(engine: AsyncEngine) -> None:
    assert await active_run(engine) is None
    run_id = await queue_run(
        engine,
        "full",
        clear_mode="detections",
        trigger="manual",
        request=RunRequest(reid_threshold=0.6),
    )
    info = await active_run(engine)
    assert info is not None and (info.id, info.kind, info.clear_mode, info.status) == (
        run_id,
        "full",
        "detections",
        "queued",
    )
    with pytest.raises(RunError, match=f"run {run_id} is queued"):
        await queue_run(engine, "incremental")
    assert await request(engine, run_id, "cancel") == "cancelled"
    assert await active_run(engine) is None
    second = await queue_run(engine, "incremental")
    assert second != run_id
    assert [r["id"] for r in await list_runs(engine)] == [second, run_id]
    assert (await list_runs(engine))[1]["settings"] == {"reid_threshold": 0.6}


async def test_pause_resume_cancel_transitions(engine: AsyncEngine) -> None:
    run_id = await queue_run(engine, "incremental")
    async with engine.begin() as conn:
        await conn.execute(
            update(Run).where(Run.id == run_id).values(status="running", started_at=utcnow())
        )
    assert await request(engine, run_id, "pause") == "paused"
    with pytest.raises(RunError, match="is paused: cannot pause"):
        await request(engine, run_id, "pause")
    assert await request(engine, run_id, "resume") == "running"
    assert await request(engine, run_id, "cancel") == "cancelled"
    info = await get_run(engine, run_id)
    assert info is not None and info.finished_at is not None
    with pytest.raises(RunError, match="is cancelled: cannot resume"):
        await request(engine, run_id, "resume")
    with pytest.raises(RunError, match="no run 999"):
        await request(engine, 999, "pause")


async def test_bad_requests_are_refused(engine: AsyncEngine) -> None:
    for kwargs, message in (
        ({"kind": "sometimes"}, "unknown run kind"),
        ({"kind": "full", "clear_mode": "everything"}, "unknown clear mode"),
        ({"kind": "full", "trigger": "cron"}, "unknown trigger"),
    ):
        with pytest.raises(RunError, match=message):
            await queue_run(engine, **kwargs)  # type: ignore[arg-type]
    run_id = await queue_run(engine, "full")
    with pytest.raises(RunError, match="unknown action"):
        await request(engine, run_id, "restart")


def test_pause_resume_cancel_commands(database_url: str) -> None:
    from tests.helpers import ok, run_cli

    ok("db", "upgrade", url=database_url)
    assert run_cli("pause", database_url=database_url).stderr.strip() == "thumper: no active run"
    queued = run_cli("reprocess", "--queue-only", database_url=database_url)
    assert queued.exit_code == 0 and "run 1 queued (full, clear mode detections)" in queued.stdout
    assert run_cli("pause", database_url=database_url).stdout.strip() == "run 1 paused"
    blocked = run_cli("process", database_url=database_url)
    assert blocked.exit_code == 1 and "run 1 is paused: `thumper resume` it first" in blocked.stderr
    again = run_cli("pause", "1", database_url=database_url)
    assert again.exit_code == 1 and "run 1 is paused: cannot pause it" in again.stderr
    # Paused before any worker started it: resuming puts it back in the queue.
    assert run_cli("resume", "1", database_url=database_url).stdout.strip() == "run 1 queued"
    assert run_cli("cancel", database_url=database_url).stdout.strip() == "run 1 cancelled"
