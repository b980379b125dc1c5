"""``thumper names suggest|apply`` and ``thumper profile show``: naming the herd from pools."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import EXIT_USAGE, fail, run_with_database, settings_from
from thumper_tui.cli.tables import Column, cell, print_fields, print_table
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.durations import format_local

if TYPE_CHECKING:  # the naming layer loads when a command runs, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.naming.suggestions import Suggestion

reuse_option = click.option(
    "--reuse-retired", is_flag=True, help="Allow the names of merged profiles again."
)


def _pools() -> dict[str, list[str]]:
    from thumper_tui.naming.names import NamingError
    from thumper_tui.naming.pools import load_pools

    try:
        return load_pools()
    except NamingError as exc:
        fail(str(exc), EXIT_USAGE)


@click.group("names")
def names_group() -> None:
    """Names for the profiles, from the shipped pools and your own (config folder names.toml)."""


SUGGESTION_COLUMNS = (
    Column("profile", "right"),
    Column("category"),
    Column("sightings", "right"),
    Column("names", cut=True),
)


@names_group.command("suggest")
@click.option("--profile", "profile_id", type=int, help="Only this profile (named or not).")
@click.option(
    "--count",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Names to suggest for each profile.",
)
@reuse_option
@json_option
@click.pass_context
def suggest_command(
    ctx: click.Context, profile_id: int | None, count: int, reuse_retired: bool, as_json: bool
) -> None:
    """Names for each unnamed profile (most seen first), fitting its category."""
    from thumper_tui.naming.names import NamingError
    from thumper_tui.naming.suggestions import name_suggestions

    settings = settings_from(ctx)
    pools = _pools()

    async def work(engine: AsyncEngine) -> list[Suggestion]:
        return await name_suggestions(
            engine, pools, profile=profile_id, reuse_retired=reuse_retired, count=count
        )

    try:
        suggestions = run_with_database(settings, work)
    except NamingError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps([s.as_json() for s in suggestions], indent=2, ensure_ascii=False))
        return
    print_table(
        SUGGESTION_COLUMNS,
        (
            [s.profile, s.category, f"{s.sightings:,}", cell(", ".join(s.names))]
            for s in suggestions
        ),
    )
    if not suggestions:
        click.echo("every live profile has a name", err=True)


@names_group.command("apply")
@click.option("--all-unnamed", is_flag=True, required=True, help="Name every unnamed profile.")
@click.option("--dry-run", is_flag=True, help="Say what each would be named; change nothing.")
@reuse_option
@json_option
@click.pass_context
def apply_command(
    ctx: click.Context, all_unnamed: bool, dry_run: bool, reuse_retired: bool, as_json: bool
) -> None:
    """Give every unnamed profile its first suggestion (each recorded in the audit)."""
    from thumper_tui.naming.suggestions import apply_suggestions, name_suggestions

    settings = settings_from(ctx)
    pools = _pools()

    async def work(engine: AsyncEngine) -> list[tuple[int, str]]:
        if dry_run:
            found = await name_suggestions(engine, pools, reuse_retired=reuse_retired)
            return [(s.profile, s.names[0]) for s in found]
        return await apply_suggestions(engine, pools, reuse_retired=reuse_retired)

    given = run_with_database(settings, work)
    if as_json:
        named = [{"profile": profile_id, "name": name} for profile_id, name in given]
        click.echo(json.dumps({"dry_run": dry_run, "named": named}, indent=2, ensure_ascii=False))
        return
    verb = "would be" if dry_run else "is now"
    for profile_id, name in given:
        click.echo(f"profile {profile_id} {verb} {name!r}")
    click.echo(
        f"{counted(len(given), 'profile')} {'would be named' if dry_run else 'named'}", err=True
    )


@click.group("profile")
def profile_group() -> None:
    """One profile."""


@profile_group.command("show")
@click.argument("profile_id", type=int)
@json_option
@click.pass_context
def show_command(ctx: click.Context, profile_id: int, as_json: bool) -> None:
    """Everything about PROFILE_ID: photos, cameras, notes and every human decision."""
    from thumper_tui.naming.names import NamingError
    from thumper_tui.naming.profile_view import profile_detail

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> dict[str, Any]:
        return await profile_detail(engine, profile_id, settings.zone())

    try:
        detail = run_with_database(settings, work)
    except NamingError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(detail, indent=2, ensure_ascii=False))
        return
    _print_detail(detail, settings.zone())


PHOTO_COLUMNS = (
    Column("detection", "right"),
    Column("taken"),
    Column("camera", cut=True),
    Column("category"),
    Column("box (x0 y0 x1 y1)"),
    Column("match", "right"),
    Column("marks"),
    Column("path", cut=True, keep_end=True),
)


def _local(moment: str | None, zone: tzinfo) -> str:
    return format_local(datetime.fromisoformat(moment), zone) if moment else "-"


def _print_detail(d: dict[str, Any], zone: tzinfo) -> None:
    name = repr(d["name"]) if d["name"] else "(unnamed)"
    status = "" if d["status"] == "active" else f" ({d['status']} into {d['merged_into']})"
    click.echo(f"profile {d['id']}: {name}, {d['category']}{status}")
    primary = d["primary_photo"]
    print_fields(
        [
            ("notes", d["notes"] or "-"),
            (
                "seen",
                f"{counted(d['sightings'], 'time')}, first {_local(d['first_seen'], zone)}, "
                f"last {_local(d['last_seen'], zone)}",
            ),
            ("cameras", ", ".join(f"{c} {n:,}" for c, n in d["cameras"].items()) or "-"),
            ("primary", primary["path"] if primary else "-"),
        ]
    )
    print_table(
        PHOTO_COLUMNS,
        (
            [
                p["detection"],
                _local(p["taken_at"], zone),
                cell(p["camera"]),
                p["category"],
                " ".join(f"{v:.3f}" for v in p["box"]),
                "founder" if p["match_score"] is None else f"{p['match_score']:.3f}",
                " ".join(mark for mark in ("verified", "corrected") if p[mark]),
                cell(p["path"]),
            ]
            for p in d["photos"]
        ),
    )
    decisions = d["decisions"]
    print_fields(
        (
            f"  audit {a['id']}",
            f"{_local(a['at'], zone)} {a['action']} {a['before']} -> {a['after']}",
        )
        for a in decisions["audit"]
    )
    if decisions["not_the_same_as"]:
        click.echo("  not the same deer as " + ", ".join(map(str, decisions["not_the_same_as"])))
