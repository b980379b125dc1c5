"""``thumper worker``: serve queued runs, in the foreground or detached."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from typing import TYPE_CHECKING

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.process_cmd import allow_demo_option, detector_for, worker_options
from thumper_tui.cli.runtime import EXIT_USAGE, Obj, fail, run_with_database, settings_from

if TYPE_CHECKING:  # the engine loads when the worker starts, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine


@click.command("worker")
@click.option("--exit-when-idle", is_flag=True, help="Stop when no run is active.")
@click.option(
    "--detach",
    is_flag=True,
    help="Run in the background in its own session (survives the terminal); "
    "pid and log files go to $XDG_STATE_HOME/thumper/.",
)
@click.option("--stop", is_flag=True, help="Stop the detached worker (it hands its images back).")
@allow_demo_option
@json_option
@click.pass_context
def worker_command(
    ctx: click.Context,
    exit_when_idle: bool,
    detach: bool,
    stop: bool,
    allow_demo_model: bool,
    as_json: bool,
) -> None:
    """Serve queued runs until stopped (Ctrl+C or SIGTERM hands this worker's images back)."""
    if stop and (detach or exit_when_idle or allow_demo_model):
        fail("--stop stops the detached worker and takes no other option", EXIT_USAGE)
    if as_json and not (stop or detach):
        fail(
            "--json goes with --detach or --stop: a foreground worker prints no result", EXIT_USAGE
        )
    settings = settings_from(ctx)
    if stop:
        from thumper_tui.engine import daemon

        try:
            stopped = daemon.stop()
        except daemon.StillRunning as exc:
            fail(
                f"{exc}; it may still be handing its images back (see "
                f"{daemon.log_file()}). Ask again with `thumper worker --stop`, or end it with "
                f"`kill -9 {exc.pid}`: its images return to the pool when their lease expires."
            )
        if as_json:
            click.echo(json.dumps({"action": "stop", "pid": stopped, "stopped": bool(stopped)}))
        else:
            click.echo(
                f"stopped the detached worker (pid {stopped})"
                if stopped
                else "no detached worker is running"
            )
        return
    if detach:
        from thumper_tui.engine import daemon

        running = daemon.running_pid()
        if running is not None:
            if as_json:
                already = {"action": "detach", "pid": running, "started": False}
                click.echo(json.dumps({**already, "log": str(daemon.log_file())}))
            else:
                click.echo(f"a detached worker is already running (pid {running})")
            return
        obj = ctx.find_object(Obj) or Obj()
        argv = [
            *(["--config", str(obj.config_file)] if obj.config_file else []),
            *(
                ["--database-url", str(obj.flags["database_url"])]
                if obj.flags.get("database_url")
                else []
            ),
            "worker",
            *(["--exit-when-idle"] if exit_when_idle else []),
            *(["--allow-demo-model"] if allow_demo_model else []),
        ]
        pid = daemon.detach(argv)
        if as_json:
            started = {"action": "detach", "pid": pid, "started": True}
            click.echo(json.dumps({**started, "log": str(daemon.log_file())}))
        else:
            click.echo(f"worker started in the background (pid {pid}); log: {daemon.log_file()}")
        return
    from thumper_tui.analytics.schedule import WorkerScheduler
    from thumper_tui.engine.worker import serve
    from thumper_tui.engine.workers import WorkerRefused
    from thumper_tui.reid.embedder import EmbedderError

    detector = detector_for(settings)

    async def work(engine: AsyncEngine) -> None:
        # SIGTERM (worker --stop, systemd, kill) cancels the loop at its next await, so it
        # unwinds and hands this worker's images back instead of leaving them to a lease timeout.
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            options = worker_options(
                settings,
                exit_when_idle=exit_when_idle,
                scheduler=WorkerScheduler(settings),
                allow_demo_model=allow_demo_model,
            )
            await serve(engine, detector, options)

    try:
        run_with_database(settings, work, create=True)
    except (WorkerRefused, EmbedderError) as exc:
        fail(str(exc))
