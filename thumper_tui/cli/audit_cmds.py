"""``thumper correct``, ``primary``, ``history``, ``undo``: decisions, and taking them back."""

from __future__ import annotations

import json

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.cli.read_cmds import json_option
from thumper_tui.cli.runtime import decide, fail, run_with_database, settings_from
from thumper_tui.naming.audit import AuditRow, history, undo
from thumper_tui.naming.corrections import correct_category, correct_profile
from thumper_tui.naming.decisions import set_primary
from thumper_tui.naming.names import NamingError
from thumper_tui.vocabulary.categories import DEER_CATEGORIES


@click.command("correct")
@click.argument("target_id", metavar="DETECTION_ID", type=int)
@click.argument("category", type=click.Choice(DEER_CATEGORIES))
@click.option(
    "--profile", "whole_profile", is_flag=True, help="The id is a profile: correct all of it."
)
@click.pass_context
def correct_command(ctx: click.Context, target_id: int, category: str, whole_profile: bool) -> None:
    """Correct DETECTION_ID's category (or, with --profile, every detection of a profile); a
    correction outranks the detector in every later run."""
    if whole_profile:
        changed = decide(ctx, lambda engine: correct_profile(engine, target_id, category))
        click.echo(f"profile {target_id}: {category} ({changed} detections corrected)")
        return
    detected, _ = decide(ctx, lambda engine: correct_category(engine, target_id, category))
    click.echo(f"detection {target_id}: {detected} (detector) -> {category} (you)")


@click.command("primary")
@click.argument("profile_id", type=int)
@click.argument("detection_id", type=int)
@click.pass_context
def primary_command(ctx: click.Context, profile_id: int, detection_id: int) -> None:
    """Make DETECTION_ID (one of its photos) PROFILE_ID's primary photo."""
    decide(ctx, lambda engine: set_primary(engine, profile_id, detection_id))
    click.echo(f"profile {profile_id}: primary photo is detection {detection_id}")


@click.command("history")
@click.option("--limit", type=click.IntRange(1, None), help="Only the newest N.")
@json_option
@click.pass_context
def history_command(ctx: click.Context, limit: int | None, as_json: bool) -> None:
    """Every human decision, newest first, with what it changed (the audit)."""
    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> list[AuditRow]:
        return await history(engine, limit)

    rows = run_with_database(settings, work)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        undone = "  (undone)" if r.undone_at else ""
        where = f"profile {r.deer_id}" if r.deer_id is not None else ""
        if r.detection_id is not None:
            where += f" detection {r.detection_id}"
        click.echo(
            f"{r.id:>6}  {r.at:%Y-%m-%d %H:%M}  {r.action:<8} {where.strip():<28} "
            f"{r.before} -> {r.after}{undone}"
        )
    if not rows:
        click.echo("no human decision recorded yet", err=True)


@click.command("undo")
@click.argument("audit_id", type=int, required=False)
@click.pass_context
def undo_command(ctx: click.Context, audit_id: int | None) -> None:
    """Undo AUDIT_ID (see `thumper history`), else the latest decision not undone yet."""
    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> AuditRow:
        return await undo(engine, audit_id)

    try:
        row = run_with_database(settings, work)
    except NamingError as exc:
        fail(str(exc))
    click.echo(f"undid {row.id} ({row.action}): back to {row.before}")
