"""Options many commands share, written once."""

from __future__ import annotations

import click

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (documented in docs/cli-json.md)."
)
