"""``thumper name``, ``note``, ``verify``, ``not-same``: human decisions from the command line."""

from __future__ import annotations

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import EXIT_USAGE, decide, fail


@click.command("name")
@click.argument("profile_id", type=int)
@click.argument("name")
@json_option
@click.pass_context
def name_command(ctx: click.Context, profile_id: int, name: str, as_json: bool) -> None:
    """Give profile PROFILE_ID the name NAME (the change is recorded in the audit)."""
    from thumper_tui.naming.names import NamingError, set_name, validate_name

    try:
        validate_name(name)
    except NamingError as exc:
        fail(str(exc), EXIT_USAGE)

    def said(change: tuple[str | None, str]) -> str:
        before, after = change
        if before:
            return f"profile {profile_id}: {before!r} -> {after!r}"
        return f"profile {profile_id} is now {after!r}"

    decide(ctx, lambda engine: set_name(engine, profile_id, name), said, as_json=as_json)


@click.command("note")
@click.argument("profile_id", type=int)
@click.argument("notes")
@json_option
@click.pass_context
def note_command(ctx: click.Context, profile_id: int, notes: str, as_json: bool) -> None:
    """Replace profile PROFILE_ID's notes with NOTES ("" clears them)."""
    from thumper_tui.naming.decisions import set_notes

    decide(
        ctx,
        lambda engine: set_notes(engine, profile_id, notes),
        lambda _: f"profile {profile_id}: notes saved",
        as_json=as_json,
    )


@click.command("verify")
@click.argument("detection_id", type=int)
@click.argument("profile_id", type=int)
@json_option
@click.pass_context
def verify_command(ctx: click.Context, detection_id: int, profile_id: int, as_json: bool) -> None:
    """Put detection DETECTION_ID in profile PROFILE_ID as a human-verified assignment."""
    from thumper_tui.naming.decisions import verify_detection

    decide(
        ctx,
        lambda engine: verify_detection(engine, detection_id, profile_id),
        lambda _: f"detection {detection_id} verified as profile {profile_id}",
        as_json=as_json,
    )


@click.command("not-same")
@click.argument("first", type=int)
@click.argument("second", type=int)
@json_option
@click.pass_context
def not_same_command(ctx: click.Context, first: int, second: int, as_json: bool) -> None:
    """Record that profiles FIRST and SECOND are different deer (re-ID never joins them)."""
    from thumper_tui.naming.decisions import mark_not_same

    decide(
        ctx,
        lambda engine: mark_not_same(engine, first, second),
        lambda _: f"profiles {first} and {second} differ",
        as_json=as_json,
    )
