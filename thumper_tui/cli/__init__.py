"""The ``thumper`` command line. Each subcommand lives in its own module."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from thumper_tui.cli.runtime import Obj

# Each command by section: its name and where it lives ("module:attribute" under thumper_tui.cli).
# A command's module is imported only when that command runs (or help lists it), so a quick
# command does not pay for the others' libraries.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Ranch",
        (
            ("import", "import_cmd:import_command"),
            ("status", "read_cmds:status"),
            ("images", "read_cmds:images"),
            ("camera", "camera_cmd:camera_command"),
            ("forget", "forget_cmd:forget_command"),
            ("doctor", "doctor_cmd:doctor_command"),
            ("config", "config_cmd:config"),
            ("db", "db_cmd:db"),
            ("dashboard", "dashboard_cmd:dashboard_command"),
        ),
    ),
    (
        "Runs",
        (
            ("process", "process_cmd:process_command"),
            ("reprocess", "process_cmd:reprocess_command"),
            ("worker", "worker_cmd:worker_command"),
            ("pause", "process_cmd:pause_command"),
            ("resume", "process_cmd:resume_command"),
            ("cancel", "process_cmd:cancel_command"),
            ("runs", "read_cmds:runs"),
            ("advise", "analytics_cmds:advise_command"),
            ("schedule", "analytics_cmds:schedule_command"),
        ),
    ),
    (
        "Profiles and names",
        (
            ("profiles", "read_cmds:profiles"),
            ("profile", "names_cmds:profile_group"),
            ("name", "name_cmd:name_command"),
            ("names", "names_cmds:names_group"),
            ("note", "name_cmd:note_command"),
            ("unplaced", "read_cmds:unplaced"),
            ("verify", "name_cmd:verify_command"),
            ("not-same", "name_cmd:not_same_command"),
            ("merge", "regroup_cmds:merge_command"),
            ("split", "regroup_cmds:split_command"),
            ("take-out", "regroup_cmds:take_out_command"),
            ("found", "regroup_cmds:found_command"),
            ("correct", "audit_cmds:correct_command"),
            ("primary", "audit_cmds:primary_command"),
            ("history", "audit_cmds:history_command"),
            ("undo", "audit_cmds:undo_command"),
        ),
    ),
    (
        "Readiness and reports",
        (
            ("readiness", "analytics_cmds:readiness_command"),
            ("health", "analytics_cmds:health_command"),
            ("report", "analytics_cmds:report_command"),
        ),
    ),
    (
        "Exchange",
        (
            ("export", "export_cmds:export_group"),
            ("import-detections", "export_cmds:import_detections_command"),
        ),
    ),
    (
        "Evaluation and training",
        (
            ("synth", "synth_cmd:synth_command"),
            ("eval", "eval_cmd:eval_group"),
            ("train-demo", "train_cmd:train_demo_command"),
            ("train-reid", "train_cmd:train_reid_command"),
        ),
    ),
)
WHERE = {name: where for _, commands in SECTIONS for name, where in commands}


class SectionedGroup(click.Group):
    """The top-level group: commands loaded when used, help listed by section, each summary
    whole (wrapped, never cut off)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(WHERE)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = WHERE.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command = getattr(importlib.import_module(f"thumper_tui.cli.{module}"), attribute)
        assert isinstance(command, click.Command) and command.name == cmd_name, where
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for title, commands in SECTIONS:
            rows = []
            for name, _ in commands:
                command = self.get_command(ctx, name)
                assert command is not None
                rows.append((name, command.get_short_help_str(limit=1_000)))
            with formatter.section(title):
                formatter.write_dl(rows)


@click.group(
    cls=SectionedGroup,
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
        dashboard = cli.get_command(ctx, "dashboard")
        assert dashboard is not None
        ctx.invoke(dashboard)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="thumper")
