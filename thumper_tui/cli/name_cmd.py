"""``thumper name PROFILE_ID NAME``: name a deer from the command line."""

from __future__ import annotations

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.cli.runtime import EXIT_USAGE, fail, run_with_database, settings_from
from thumper_tui.naming.names import NamingError, set_name, validate_name


@click.command("name")
@click.argument("profile_id", type=int)
@click.argument("name")
@click.pass_context
def name_command(ctx: click.Context, profile_id: int, name: str) -> None:
    """Give profile PROFILE_ID the name NAME (the change is recorded and can be undone)."""
    settings = settings_from(ctx)
    try:
        validate_name(name)
    except NamingError as exc:
        fail(str(exc), EXIT_USAGE)

    async def work(engine: AsyncEngine) -> tuple[str | None, str]:
        return await set_name(engine, profile_id, name)

    try:
        before, after = run_with_database(settings, work)
    except NamingError as exc:
        fail(str(exc))
    click.echo(
        f"profile {profile_id}: {before!r} -> {after!r}"
        if before
        else f"profile {profile_id} is now {after!r}"
    )
