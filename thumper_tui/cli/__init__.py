"""The ``thumper`` command line. Each subcommand lives in its own module."""

from __future__ import annotations

from pathlib import Path

import click

from thumper_tui.cli.analytics_cmds import (
    advise_command,
    health_command,
    readiness_command,
    report_command,
    schedule_command,
)
from thumper_tui.cli.audit_cmds import (
    correct_command,
    history_command,
    primary_command,
    undo_command,
)
from thumper_tui.cli.config_cmd import config
from thumper_tui.cli.dashboard_cmd import dashboard_command
from thumper_tui.cli.db_cmd import db
from thumper_tui.cli.doctor_cmd import doctor_command
from thumper_tui.cli.eval_cmd import eval_group
from thumper_tui.cli.forget_cmd import forget_command
from thumper_tui.cli.import_cmd import import_command
from thumper_tui.cli.name_cmd import name_command, not_same_command, note_command, verify_command
from thumper_tui.cli.names_cmds import names_group, profile_group
from thumper_tui.cli.process_cmd import (
    cancel_command,
    pause_command,
    process_command,
    reprocess_command,
    resume_command,
)
from thumper_tui.cli.read_cmds import images, profiles, runs, status, unplaced
from thumper_tui.cli.regroup_cmds import (
    found_command,
    merge_command,
    split_command,
    take_out_command,
)
from thumper_tui.cli.runtime import Obj
from thumper_tui.cli.synth_cmd import synth_command
from thumper_tui.cli.train_cmd import train_demo_command, train_reid_command
from thumper_tui.cli.worker_cmd import worker_command


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $XDG_CONFIG_HOME/thumper/config.toml).",
)
@click.option("--database-url", help="Database URL, overriding config and THUMPER_DATABASE_URL.")
@click.version_option(None, "-V", "--version", package_name="thumper-tui", prog_name="thumper")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, database_url: str | None) -> None:
    """Thumper: trail-camera deer tracking from the terminal.

    With no command, opens the live dashboard.
    """
    ctx.obj = Obj(config_file=config_file, flags={"database_url": database_url})
    if ctx.invoked_subcommand is None:
        ctx.invoke(dashboard_command)


cli.add_command(config)
cli.add_command(dashboard_command)
cli.add_command(db)
cli.add_command(doctor_command)
cli.add_command(import_command)
cli.add_command(forget_command)
cli.add_command(status)
cli.add_command(images)
cli.add_command(runs)
cli.add_command(profiles)
cli.add_command(unplaced)
cli.add_command(name_command)
cli.add_command(names_group)
for decision in (
    correct_command,
    primary_command,
    merge_command,
    split_command,
    take_out_command,
    found_command,
    history_command,
    undo_command,
):
    cli.add_command(decision)
cli.add_command(profile_group)
cli.add_command(note_command)
cli.add_command(verify_command)
cli.add_command(not_same_command)
cli.add_command(synth_command)
cli.add_command(train_demo_command)
cli.add_command(train_reid_command)
cli.add_command(eval_group)
cli.add_command(process_command)
cli.add_command(worker_command)
cli.add_command(reprocess_command)
for control in (pause_command, resume_command, cancel_command):
    cli.add_command(control)
for answer in (
    readiness_command,
    health_command,
    report_command,
    advise_command,
    schedule_command,
):
    cli.add_command(answer)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="thumper")
