"""``thumper config show``: the effective settings and where each came from."""

from __future__ import annotations

import json

import click

from thumper_tui.cli.runtime import EXIT_USAGE, fail, settings_from
from thumper_tui.cli.tables import Column, cell, print_table
from thumper_tui.config import FIELDS, display_value
from thumper_tui.config.themes import unknown_theme


@click.group()
def config() -> None:
    """Inspect Thumper's configuration."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def show(ctx: click.Context, as_json: bool) -> None:
    """Print every setting, its value and its source (default, file, env or flag)."""
    settings = settings_from(ctx)
    rows = [(f.name, display_value(settings, f.name), settings.sources[f.name]) for f in FIELDS]
    if as_json:
        payload = {
            "config_file": str(settings.config_file) if settings.config_file else None,
            "settings": {
                name: {"value": value, "source": source.kind, "origin": source.where or None}
                for name, value, source in rows
            },
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(f"config file: {settings.config_file or '(none)'}")
        print_table(
            (Column("setting"), Column("value", cut=True), Column("from", cut=True)),
            ([name, cell(value), cell(source)] for name, value, source in rows),
        )
    wrong_theme = unknown_theme(settings.theme)
    if wrong_theme is not None:  # only the dashboard uses it, so only this command says so
        fail(f"config error: {wrong_theme} [{settings.sources['theme']}]", EXIT_USAGE)
