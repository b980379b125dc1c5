"""Worker registration and heartbeats; SQLite serves one worker at a time.

A worker is alive while its heartbeat is fresh. The heartbeat also renews the leases on the
images it holds (see :mod:`thumper_tui.engine.claims`).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Worker
from thumper_tui.store.types import utcnow
from thumper_tui.vocabulary.states import STALE_SECONDS, WorkerState

STALE_AFTER = timedelta(seconds=STALE_SECONDS)


class WorkerRefused(Exception):
    """This worker may not start; the message says why, in one line."""


@dataclass(frozen=True)
class WorkerInfo:
    """A worker as the dashboard and ``thumper status`` show it."""

    id: uuid.UUID
    host: str
    pid: int
    device: str
    state: str
    started_at: datetime
    heartbeat_at: datetime

    def is_fresh(self, now: datetime | None = None) -> bool:
        """True while the heartbeat is younger than :data:`STALE_AFTER`."""
        return (
            now or utcnow()
        ) - self.heartbeat_at < STALE_AFTER and self.state != WorkerState.STOPPED


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return pid != 0


async def list_workers(engine: AsyncEngine) -> list[WorkerInfo]:
    """Every worker ever registered, newest heartbeat first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Worker.id,
                Worker.host,
                Worker.pid,
                Worker.device,
                Worker.state,
                Worker.started_at,
                Worker.heartbeat_at,
            ).order_by(Worker.heartbeat_at.desc())
        )
        return [WorkerInfo(*row) for row in rows]


async def register_worker(engine: AsyncEngine, device: str) -> uuid.UUID:
    """Register this process as a worker and return its id.

    On SQLite, a second live worker is refused: SQLite has one writer at a time, and two
    workers would only wait on each other's locks.
    """
    now = utcnow()
    worker_id = uuid.uuid4()
    async with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # BEGIN IMMEDIATE semantics: take the write lock before looking, so two workers
            # starting together cannot both see "nobody".
            await conn.execute(
                update(Worker).where(Worker.id == worker_id).values(state=WorkerState.IDLE.value)
            )
            live = (
                await conn.execute(
                    select(Worker.id, Worker.host, Worker.pid).where(
                        Worker.state != WorkerState.STOPPED.value,
                        Worker.heartbeat_at > now - STALE_AFTER,
                    )
                )
            ).all()
            for row in live:
                if row.host == socket.gethostname() and not _pid_alive(row.pid):
                    # Killed without a chance to say goodbye: no need to wait for it to go stale.
                    await conn.execute(
                        update(Worker)
                        .where(Worker.id == row.id)
                        .values(state=WorkerState.STOPPED.value)
                    )
                    continue
                raise WorkerRefused(
                    f"another worker (pid {row.pid} on {row.host}) is serving this SQLite "
                    "database; SQLite allows one worker at a time (use PostgreSQL for more)"
                )
        await conn.execute(
            insert(Worker).values(
                id=worker_id,
                host=socket.gethostname(),
                pid=os.getpid(),
                device=device,
                started_at=now,
                heartbeat_at=now,
                state=WorkerState.IDLE.value,
            )
        )
    return worker_id


async def heartbeat(engine: AsyncEngine, worker_id: uuid.UUID, state: str) -> None:
    """Record that the worker is alive and what it is doing."""
    async with engine.begin() as conn:
        await conn.execute(
            update(Worker).where(Worker.id == worker_id).values(heartbeat_at=utcnow(), state=state)
        )


async def stop_worker(engine: AsyncEngine, worker_id: uuid.UUID) -> None:
    """Mark the worker stopped (a clean exit)."""
    await heartbeat(engine, worker_id, WorkerState.STOPPED)
