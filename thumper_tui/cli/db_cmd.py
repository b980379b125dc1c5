"""``thumper db upgrade``: bring the schema to this version of Thumper."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import run_with_database, settings_from

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@json_option
@click.pass_context
def upgrade_command(ctx: click.Context, as_json: bool) -> None:
    """Apply pending schema migrations (every command also does this on start)."""
    from thumper_tui.store.migrate import upgrade
    from thumper_tui.store.url import mask_url

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> tuple[str | None, str]:
        return await upgrade(engine)

    before, after = run_with_database(settings, work, migrate=False, create=True)
    where = mask_url(settings.database_url)
    if as_json:
        click.echo(json.dumps({"database": where, "before": before, "revision": after}, indent=2))
    elif before == after:
        click.echo(f"{where}: schema already at revision {after}")
    else:
        click.echo(f"{where}: schema upgraded from {before or 'empty'} to revision {after}")
