"""Starting runs from any screen: queue the run, then make sure a worker will serve it.

Refusals (another run is active, a name taken) and database errors become notifications,
never tracebacks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from textual.widget import Widget

from thumper_tui.engine import daemon
from thumper_tui.ui.services import Services

T = TypeVar("T")


async def attempt(widget: Widget, what: str, step: Awaitable[T]) -> T | None:
    """Await ``step``; a refusal or a database error becomes a notification and None."""
    from thumper_tui.engine.runs import RunError
    from thumper_tui.naming.names import NamingError
    from thumper_tui.store.engine import error_reason

    try:
        return await step
    except (RunError, NamingError) as exc:
        widget.notify(str(exc), severity="warning", markup=False)
    except Exception as exc:
        widget.notify(f"could not {what}: {error_reason(exc)}", severity="error", markup=False)
    return None


async def succeeded(widget: Widget, what: str, step: Awaitable[None]) -> bool:
    """Await ``step``; True when it did its work, else False after a notification."""

    async def done() -> bool:
        await step
        return True

    return bool(await attempt(widget, what, done()))


async def start_worker(widget: Widget, services: Services) -> None:
    """Start ``thumper worker --detach`` unless one is running already."""
    settings = services.settings
    try:
        pid, started = await asyncio.to_thread(
            daemon.start_worker, settings.database_url, settings.config_file
        )
    except OSError as exc:
        widget.notify(f"could not start a worker: {exc}", severity="error")
        return
    widget.notify(
        f"worker started in the background (pid {pid})"
        if started
        else f"a background worker is already running (pid {pid})"
    )


async def queue_and_serve(
    widget: Widget,
    services: Services,
    kind: str,
    clear_mode: str,
    trigger: str,
    *,
    worker_alive: bool,
) -> int | None:
    """Queue a run; when no worker is alive, start one. The run's id, or None if refused."""
    from thumper_tui.detector.model import weights_are_demo
    from thumper_tui.engine.provenance import refuses, unmarked_covered
    from thumper_tui.engine.runs import RunError, queue_run

    assert services.engine is not None
    engine = services.engine

    async def checked_queue() -> int:
        # The worker would refuse the run anyway; saying so before queueing leaves no failed run.
        if await asyncio.to_thread(weights_are_demo, services.settings.model_path()):
            refusal = refuses(kind, True, False, await unmarked_covered(engine, kind, clear_mode))
            if refusal is not None:
                raise RunError(refusal)
        return await queue_run(engine, kind, clear_mode=clear_mode, trigger=trigger)

    run_id = await attempt(widget, "queue the run", checked_queue())
    if run_id is None:
        return None
    widget.notify(f"run {run_id} queued")
    if not worker_alive:
        await start_worker(widget, services)
    return run_id
