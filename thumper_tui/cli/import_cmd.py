"""``thumper import PATH...``: add photos to the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from thumper_tui.cli.runtime import EXIT_FAILURE, run_with_database, settings_from
from thumper_tui.vocabulary.counting import counted

if TYPE_CHECKING:  # the importer loads when the command runs, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.ingest.importer import ImportSummary

MAX_LISTED = 100


def _print_summary(summary: ImportSummary) -> None:
    echo = click.echo
    echo(
        f"{counted(summary.found, 'file')} in {summary.seconds:.1f} s "
        f"({summary.files_per_second:,.0f} files/s): "
        f"{summary.imported} imported, {summary.already_known} already known, "
        f"{counted(len(summary.duplicates), 'duplicate')}, {len(summary.failures):,} failed"
    )
    if summary.cameras_created:
        echo(f"new cameras: {', '.join(summary.cameras_created)}")
    for line in timestamp_lines(summary):
        echo(line)
    for title, items in (
        (
            "duplicates (same photo already imported):",
            [f"{d.path}  =  {d.original}" for d in summary.duplicates],
        ),
        ("failed:", [f"{f.path}: {f.reason}" for f in summary.failures]),
    ):
        if not items:
            continue
        echo(title)
        for line in items[:MAX_LISTED]:
            echo(f"  {line}")
        if len(items) > MAX_LISTED:
            echo(f"  … and {len(items) - MAX_LISTED} more (see --json)")


def timestamp_lines(summary: ImportSummary) -> list[str]:
    """Where the imported photos' times came from, and what about them cannot be trusted."""
    if not summary.imported:
        return []
    sources = summary.timestamp_sources
    lines = [
        "times: "
        + ", ".join(
            f"{sources.get(key, 0)} from {label}"
            for key, label in (
                ("exif", "the camera (EXIF)"),
                ("filename", "file names"),
                ("mtime", "file modification times"),
            )
            if sources.get(key, 0)
        )
    ]
    if summary.from_file_times:
        n = summary.from_file_times
        lines.append(
            f"warning: {n} photo{'s' if n != 1 else ''} had no camera time, so "
            f"{'their' if n != 1 else 'its'} file modification time was used: a copy made "
            "without `cp -p` or `rsync -t` gives every photo the time of the copy, and "
            "sightings, days and bursts are then wrong. Copy the card again keeping times, "
            "or check the camera's date setting."
        )
    for camera, instant, n in summary.collapsed_times[:MAX_LISTED]:
        lines.append(
            f"warning: {n} photos from {camera} share one time ({instant:%Y-%m-%d %H:%M:%S} "
            "UTC): more than a burst, so their clock or their copy is wrong"
        )
    return lines


@click.command(
    "import",
    epilog="""\b
Examples:
  thumper import /srv/cards/2025-11-02          # one folder per camera under it
  thumper import ~/dcim --camera NorthGate --timezone America/Chicago
""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--camera", help="Camera of every photo (default: the first folder under PATH).")
@click.option(
    "--timezone", help="Zone of the camera clocks, e.g. America/Chicago (default: config)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def import_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    camera: str | None,
    timezone: str | None,
    as_json: bool,
) -> None:
    """Import every JPEG under PATH (one folder per camera). Re-importing is a no-op.

    Exits 1 when any file failed; every other file is imported all the same.
    """
    from thumper_tui.cli.progress import ProgressBar
    from thumper_tui.ingest.importer import import_photos

    settings = settings_from(ctx, timezone=timezone)
    if camera is not None and not camera.strip():
        raise click.BadParameter("must not be empty", param_hint="--camera")
    bar = ProgressBar("Importing", sys.stderr)

    async def work(engine: AsyncEngine) -> ImportSummary:
        return await import_photos(
            engine,
            list(paths),
            zone=settings.zone(),
            camera=camera.strip() if camera else None,
            threads=settings.import_threads,
            batch_size=settings.import_batch,
            on_found=bar.start,
            on_progress=bar.advance,
        )

    summary = run_with_database(settings, work, create=True)
    bar.finish()
    if as_json:
        click.echo(json.dumps(summary.as_json(), indent=2))
    else:
        _print_summary(summary)
    if summary.failures:
        ctx.exit(EXIT_FAILURE)
