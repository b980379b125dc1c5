"""``thumper`` (no command) and ``thumper dashboard``: open the live dashboard."""

from __future__ import annotations

import importlib
import sys

import click

from thumper_tui.cli.runtime import EXIT_USAGE, fail, require_database, settings_from


@click.command("dashboard")
@click.pass_context
def dashboard_command(ctx: click.Context) -> None:
    """Open the live dashboard (GPU, runs, workers); quitting it never stops a run."""
    settings = settings_from(ctx)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail("the dashboard needs a terminal; see `thumper --help` for the commands", EXIT_USAGE)
    require_database(settings)
    # Loaded by name: the CLI is part of the headless core and must not import textual.
    launch = importlib.import_module("thumper_tui.ui.launch")
    launch.run_dashboard(settings)
