"""``thumper correct``, ``primary``, ``history``, ``undo``: decisions, and taking them back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import decide, run_with_database, settings_from
from thumper_tui.cli.tables import Column, cell, print_table
from thumper_tui.vocabulary.categories import DEER_CATEGORIES
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.durations import format_local

if TYPE_CHECKING:  # the decisions load when a command runs, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.naming.audit import AuditRow


@click.command("correct")
@click.argument("target_id", metavar="DETECTION_ID", type=int)
@click.argument("category", type=click.Choice(DEER_CATEGORIES))
@click.option(
    "--profile", "whole_profile", is_flag=True, help="The id is a profile: correct all of it."
)
@json_option
@click.pass_context
def correct_command(
    ctx: click.Context, target_id: int, category: str, whole_profile: bool, as_json: bool
) -> None:
    """Correct DETECTION_ID's category (or, with --profile, every detection of a profile); a
    correction outranks the detector in every later run."""
    from thumper_tui.naming.corrections import correct_category, correct_profile

    if whole_profile:
        decide(
            ctx,
            lambda engine: correct_profile(engine, target_id, category),
            lambda changed: (
                f"profile {target_id}: {category} ({counted(changed, 'detection')} corrected)"
            ),
            as_json=as_json,
        )
        return
    decide(
        ctx,
        lambda engine: correct_category(engine, target_id, category),
        lambda result: f"detection {target_id}: {result[0]} (detector) -> {category} (you)",
        as_json=as_json,
    )


@click.command("primary")
@click.argument("profile_id", type=int)
@click.argument("detection_id", type=int)
@json_option
@click.pass_context
def primary_command(ctx: click.Context, profile_id: int, detection_id: int, as_json: bool) -> None:
    """Make DETECTION_ID (one of its photos) PROFILE_ID's primary photo."""
    from thumper_tui.naming.decisions import set_primary

    decide(
        ctx,
        lambda engine: set_primary(engine, profile_id, detection_id),
        lambda _: f"profile {profile_id}: primary photo is detection {detection_id}",
        as_json=as_json,
    )


HISTORY_COLUMNS = (
    Column("id", "right"),
    Column("at"),
    Column("action"),
    Column("profile", "right"),
    Column("detection", "right"),
    Column("change", cut=True),
    Column("", cut=True),
)


@click.command("history")
@click.option("--limit", type=click.IntRange(1, None), help="Only the newest N.")
@json_option
@click.pass_context
def history_command(ctx: click.Context, limit: int | None, as_json: bool) -> None:
    """Every human decision, newest first, with what it changed (the audit)."""
    from thumper_tui.naming.audit import history

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> list[AuditRow]:
        return await history(engine, limit)

    rows = run_with_database(settings, work)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        return
    zone = settings.zone()
    print_table(
        HISTORY_COLUMNS,
        (
            [
                r.id,
                format_local(r.at, zone),
                r.action,
                r.deer_id,
                r.detection_id,
                cell(f"{r.before} -> {r.after}"),
                "undone" if r.undone_at else "",
            ]
            for r in rows
        ),
    )
    if not rows:
        click.echo("no human decision recorded yet", err=True)


@click.command("undo")
@click.argument("audit_id", type=int, required=False)
@json_option
@click.pass_context
def undo_command(ctx: click.Context, audit_id: int | None, as_json: bool) -> None:
    """Undo AUDIT_ID (see `thumper history`), else the latest decision not undone yet."""
    from thumper_tui.naming.audit import undo

    decide(
        ctx,
        lambda engine: undo(engine, audit_id),
        lambda row: f"undid {row.id} ({row.action}): back to {row.before}",
        as_json=as_json,
    )
