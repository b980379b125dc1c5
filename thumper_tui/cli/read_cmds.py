"""Read-only views of the database: ``thumper status``, ``images``, ``runs``, ``profiles``.

``thumper unplaced`` too: deer detections in no profile."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import EXIT_USAGE, fail, run_with_database, settings_from
from thumper_tui.cli.tables import Column, cell, print_fields, print_table, status_cell
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.durations import format_duration, format_local
from thumper_tui.vocabulary.states import ImageStatus

if TYPE_CHECKING:  # the database layer loads when a command runs, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.store.queries import ImageRow, StatusSummary

IMAGE_COLUMNS = (
    Column("id", "right"),
    Column("status"),
    Column("camera", cut=True),
    Column("taken"),
    Column("time from"),
    Column("size"),
    Column("path", cut=True, keep_end=True),
    Column("error", cut=True),
)
RUN_COLUMNS = (
    Column("id", "right"),
    Column("status"),
    Column("kind/clear", cut=True),
    Column("done", "right"),
    Column("failed", "right"),
    Column("detections", "right"),
    Column("img/min", "right"),
    Column("requested"),
    Column("error", cut=True),
)
PROFILE_COLUMNS = (
    Column("id", "right"),
    Column("name", cut=True),
    Column("category"),
    Column("sightings", "right"),
    Column("last seen"),
    Column("cameras", cut=True),
    Column("notes", cut=True),
)
UNPLACED_COLUMNS = (
    Column("detection", "right"),
    Column("camera", cut=True),
    Column("taken"),
    Column("category"),
    Column("conf", "right"),
    Column("why"),
    Column("path", cut=True, keep_end=True),
)


@click.command()
@json_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Images by status and camera, detections, profiles and runs."""
    settings = settings_from(ctx)
    from thumper_tui.engine.runs import active_run_progress
    from thumper_tui.store.queries import status_summary
    from thumper_tui.store.url import mask_url

    label = mask_url(settings.database_url)

    async def work(engine: AsyncEngine) -> tuple[StatusSummary, dict[str, Any] | None]:
        return await status_summary(engine, label), await active_run_progress(engine)

    summary, active = run_with_database(settings, work)
    data = {**summary.as_json(), "active_run": active}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    img = summary.images_by_status
    by_status = ", ".join(f"{img.get(s.value, 0):,} {s.value}" for s in ImageStatus)
    cameras = ", ".join(f"{name} {count:,}" for name, count in summary.cameras) or "none yet"
    fields = [
        ("database", label),
        ("images", f"{sum(img.values()):,} ({by_status})"),
        ("cameras", cameras),
        ("detections", f"{summary.detections:,}"),
        ("profiles", f"{summary.profiles_total:,} ({summary.profiles_named:,} named)"),
        ("runs", f"{summary.runs_total:,} ({summary.runs_active:,} active)"),
    ]
    if active is not None:
        rate = f", {active['images_per_min']:,.0f} images/min" if active["images_per_min"] else ""
        eta = f", ETA {format_duration(active['eta_s'])}" if active["eta_s"] is not None else ""
        fields.append(
            (
                "active run",
                f"{active['id']} {active['kind']} {active['status']}: "
                f"{active['done']:,}/{active['total']:,} done, {active['failed']:,} failed"
                f"{rate}{eta}",
            )
        )
    print_fields(fields)


@click.command()
@click.option(
    "--status",
    "status_",
    type=click.Choice([s.value for s in ImageStatus]),
    help="Only images in this state.",
)
@click.option("--camera", help="Only images from this camera.")
@click.option("--profile", "profile_id", type=int, help="Only images this profile is seen in.")
@json_option
@click.pass_context
def images(
    ctx: click.Context,
    status_: str | None,
    camera: str | None,
    profile_id: int | None,
    as_json: bool,
) -> None:
    """List imported images, by camera and time."""
    settings = settings_from(ctx)

    from thumper_tui.store.queries import camera_names, list_images

    async def work(engine: AsyncEngine) -> tuple[list[ImageRow], list[str]]:
        rows = await list_images(engine, status_, camera, profile_id)
        return rows, await camera_names(engine)

    rows, cameras = run_with_database(settings, work)
    if camera is not None and camera not in cameras:
        known = ", ".join(cameras) or "none yet"
        fail(f"no camera named {camera!r} (cameras: {known})", EXIT_USAGE)
    if as_json:
        click.echo(json.dumps([r.as_json() for r in rows], indent=2))
        return
    zone = settings.zone()
    print_table(
        IMAGE_COLUMNS,
        (
            [
                r.id,
                status_cell(r.status),
                cell(r.camera),
                format_local(r.taken_at, zone),
                r.timestamp_source,
                f"{r.width}x{r.height}",
                cell(r.path),
                cell(r.error or ""),
            ]
            for r in rows
        ),
    )
    click.echo(counted(len(rows), "image"), err=True)


@click.command()
@json_option
@click.pass_context
def runs(ctx: click.Context, as_json: bool) -> None:
    """Runs, newest first, with their settings and figures."""
    from thumper_tui.engine.runs import list_runs

    settings = settings_from(ctx)
    rows = run_with_database(settings, list_runs)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    zone = settings.zone()
    print_table(
        RUN_COLUMNS,
        (
            [
                r["id"],
                status_cell(r["status"]),
                f"{r['kind']}/{r['clear_mode']}",
                f"{r['images']['done']:,}/{r['images']['total']:,}",
                f"{r['images']['failed']:,}",
                f"{r['detections']:,}"
                + (f" ({r['held_detections']:,} held)" if r["held_detections"] else ""),
                f"{r['images_per_min']:,.0f}" if r["images_per_min"] else "-",
                format_local(datetime.fromisoformat(r["requested_at"]), zone),
                cell(r["error"] or ""),
            ]
            for r in rows
        ),
    )
    if not rows:
        click.echo("no runs yet", err=True)


@click.command(
    epilog="""\b
Examples:
  thumper profiles --unnamed --sort sightings
  thumper profiles --category buck --json | jq '.[].name'
"""
)
@click.option(
    "--category", type=click.Choice(["buck", "doe", "fawn", "unknown"]), help="Only these."
)
@click.option("--unnamed", is_flag=True, help="Only profiles without a name.")
@click.option(
    "--sort",
    type=click.Choice(["id", "name", "sightings", "first_seen", "last_seen"]),
    default="id",
    show_default=True,
    help="Order of the rows (sightings: most seen first).",
)
@json_option
@click.pass_context
def profiles(
    ctx: click.Context, category: str | None, unnamed: bool, sort: str, as_json: bool
) -> None:
    """Live deer profiles with their names, sightings, cameras and notes."""
    from thumper_tui.engine.provenance import reid_caution
    from thumper_tui.naming.names import Profile, list_profiles

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> tuple[list[Profile], int]:
        from thumper_tui.engine.provenance import real_photos_with_deer

        rows = await list_profiles(engine, category=category, unnamed=unnamed, sort=sort)
        async with engine.connect() as conn:
            return rows, await real_photos_with_deer(conn)

    rows, real_photos = run_with_database(settings, work)
    caution = reid_caution(real_photos)
    if caution:
        click.echo(f"caution: {caution}", err=True)
    if as_json:
        click.echo(json.dumps([p.as_json() for p in rows], indent=2))
        return
    zone = settings.zone()
    print_table(
        PROFILE_COLUMNS,
        (
            [
                p.id,
                cell(p.name or "(unnamed)"),
                p.category,
                f"{p.sightings:,}",
                format_local(p.last_seen, zone)[:10],
                cell(", ".join(p.cameras)),
                cell(p.notes or ""),
            ]
            for p in rows
        ),
    )
    click.echo(counted(len(rows), "profile"), err=True)


@click.command()
@json_option
@click.pass_context
def unplaced(ctx: click.Context, as_json: bool) -> None:
    """Deer detections in no profile (unsure ones, and ones held back for their doubtful sex)."""
    from thumper_tui.naming.unplaced import list_unplaced

    settings = settings_from(ctx)
    rows = run_with_database(settings, list_unplaced)
    if as_json:
        click.echo(json.dumps([u.as_json() for u in rows], indent=2))
        return
    zone = settings.zone()
    print_table(
        UNPLACED_COLUMNS,
        (
            [
                u.id,
                cell(u.camera),
                format_local(u.taken_at, zone),
                u.category,
                f"{u.confidence:.2f}",
                f"held by run {u.held_by_run}" if u.held_by_run is not None else "unmatched",
                cell(u.path),
            ]
            for u in rows
        ),
    )
    click.echo(
        f"{counted(len(rows), 'deer detection')} in no profile: "
        "`thumper verify DETECTION PROFILE` places one",
        err=True,
    )
