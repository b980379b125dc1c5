"""Read-only views of the database: ``thumper status``, ``images``, ``runs``, ``profiles``.

``thumper unplaced`` too: deer detections in no profile."""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.cli.runtime import EXIT_USAGE, fail, run_with_database, settings_from
from thumper_tui.engine.runs import active_run_progress
from thumper_tui.store.models import ImageStatus
from thumper_tui.store.queries import (
    ImageRow,
    StatusSummary,
    camera_names,
    list_images,
    status_summary,
)
from thumper_tui.store.url import mask_url
from thumper_tui.vocabulary.durations import format_duration

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (documented in docs/cli-json.md)."
)


@click.command()
@json_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Images by status and camera, detections, profiles and runs."""
    settings = settings_from(ctx)
    label = mask_url(settings.database_url)

    async def work(engine: AsyncEngine) -> tuple[StatusSummary, dict[str, Any] | None]:
        return await status_summary(engine, label), await active_run_progress(engine)

    summary, active = run_with_database(settings, work)
    data = {**summary.as_json(), "active_run": active}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    img = summary.images_by_status
    total = sum(img.values())
    by_status = ", ".join(f"{img.get(s.value, 0)} {s.value}" for s in ImageStatus)
    cameras = ", ".join(f"{n} {c}" for n, c in summary.cameras) or "none yet"
    click.echo(f"database    {label}")
    click.echo(f"images      {total} ({by_status})")
    click.echo(f"cameras     {cameras}")
    click.echo(f"detections  {summary.detections}")
    click.echo(f"profiles    {summary.profiles_total} ({summary.profiles_named} named)")
    click.echo(f"runs        {summary.runs_total} ({summary.runs_active} active)")
    if active is not None:
        rate = f", {active['images_per_min']:,.0f} images/min" if active["images_per_min"] else ""
        eta = f", ETA {format_duration(active['eta_s'])}" if active["eta_s"] is not None else ""
        click.echo(
            f"active run  {active['id']} {active['kind']} {active['status']}: "
            f"{active['done']}/{active['total']} done, {active['failed']} failed{rate}{eta}"
        )


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
    for r in rows:
        taken = r.taken_at.strftime("%Y-%m-%d %H:%M:%SZ")
        line = (
            f"{r.status:<10} {r.camera:<16} {taken}  {r.timestamp_source:<8} "
            f"{r.width}x{r.height:<5} {r.path}"
        )
        click.echo(line + (f"  ({r.error})" if r.error else ""))
    click.echo(f"{len(rows)} images", err=True)


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
    for r in rows:
        rate = f"{r['images_per_min']:,.0f}/min" if r["images_per_min"] else "-"
        click.echo(
            f"{r['id']:>4}  {r['status']:<9} {r['kind']:<11} clear={r['clear_mode']:<10} "
            f"{r['images']['done']}/{r['images']['total']} done, {r['images']['failed']} failed, "
            f"{r['detections']} detections"
            + (f" ({r['held_detections']} held back)" if r["held_detections"] else "")
            + f", {rate}  {r['requested_at']}"
        )
    if not rows:
        click.echo("no runs yet", err=True)


@click.command()
@click.option(
    "--category", type=click.Choice(["buck", "doe", "fawn", "unknown"]), help="Only these."
)
@click.option("--unnamed", is_flag=True, help="Only profiles without a name.")
@click.option(
    "--sort",
    type=click.Choice(["id", "name", "sightings", "first_seen", "last_seen"]),
    default="id",
    show_default=True,
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
    for p in rows:
        seen = p.last_seen.strftime("%Y-%m-%d") if p.last_seen else "-"
        notes = f"  notes: {p.notes}" if p.notes else ""
        click.echo(
            f"{p.id:>5}  {p.name or '(unnamed)':<24} {p.category:<8} "
            f"{p.sightings:>5} sightings, last {seen}  {', '.join(p.cameras)}{notes}"
        )
    click.echo(f"{len(rows)} profiles", err=True)


@click.command()
@json_option
@click.pass_context
def unplaced(ctx: click.Context, as_json: bool) -> None:
    """Deer detections in no profile (unsure ones, and ones held back for their doubtful sex)."""
    from thumper_tui.naming.unplaced import list_unplaced

    rows = run_with_database(settings_from(ctx), list_unplaced)
    if as_json:
        click.echo(json.dumps([u.as_json() for u in rows], indent=2))
        return
    for u in rows:
        click.echo(
            f"{u.id:>7}  {u.camera:<14} {u.taken_at:%Y-%m-%d %H:%M:%S}  {u.category:<7} "
            f"{u.confidence:.2f}  "
            + (f"held by run {u.held_by_run}  " if u.held_by_run is not None else "unmatched  ")
            + u.path
        )
    click.echo(
        f"{len(rows)} deer detections in no profile; "
        "`thumper verify DETECTION_ID PROFILE_ID` places one",
        err=True,
    )
