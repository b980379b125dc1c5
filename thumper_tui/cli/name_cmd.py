"""``thumper name``, ``note``, ``verify``, ``not-same``: human decisions from the command line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.cli.runtime import EXIT_USAGE, decide, fail, run_with_database, settings_from
from thumper_tui.naming.decisions import mark_not_same, set_notes, verify_detection
from thumper_tui.naming.names import NamingError, set_name, validate_name


@click.command("name")
@click.argument("profile_id", type=int)
@click.argument("name")
@click.pass_context
def name_command(ctx: click.Context, profile_id: int, name: str) -> None:
    """Give profile PROFILE_ID the name NAME (the change is recorded in the audit)."""
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


def _decide(
    ctx: click.Context, action: Callable[[AsyncEngine], Awaitable[None]], done: str
) -> None:
    decide(ctx, action)
    click.echo(done)


@click.command("note")
@click.argument("profile_id", type=int)
@click.argument("notes")
@click.pass_context
def note_command(ctx: click.Context, profile_id: int, notes: str) -> None:
    """Replace profile PROFILE_ID's notes with NOTES ("" clears them)."""
    _decide(ctx, lambda e: set_notes(e, profile_id, notes), f"profile {profile_id}: notes saved")


@click.command("verify")
@click.argument("detection_id", type=int)
@click.argument("profile_id", type=int)
@click.pass_context
def verify_command(ctx: click.Context, detection_id: int, profile_id: int) -> None:
    """Put detection DETECTION_ID in profile PROFILE_ID as a human-verified assignment."""
    _decide(
        ctx,
        lambda e: verify_detection(e, detection_id, profile_id),
        f"detection {detection_id} verified as profile {profile_id}",
    )


@click.command("not-same")
@click.argument("first", type=int)
@click.argument("second", type=int)
@click.pass_context
def not_same_command(ctx: click.Context, first: int, second: int) -> None:
    """Record that profiles FIRST and SECOND are different deer (re-ID never joins them)."""
    _decide(ctx, lambda e: mark_not_same(e, first, second), f"profiles {first} and {second} differ")
