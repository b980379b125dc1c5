"""``thumper export megadetector|camtrap-dp|csv`` and ``thumper import-detections``."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import EXIT_USAGE, fail, run_with_database, settings_from
from thumper_tui.cli.tables import print_line
from thumper_tui.interop.taxa import WHITE_TAILED_DEER
from thumper_tui.vocabulary.counting import counted

if TYPE_CHECKING:  # the exporters load when a command runs, not for help
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.interop.records import Exported

Writer = Callable[["AsyncEngine", str, Callable[[int], None]], Awaitable["Exported"]]


def _scope_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in (
        click.option(
            "--root",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Write photo paths relative to this folder (default: the folder holding "
            "them all).",
        ),
        click.option("--run", "run_id", type=int, default=None, help="Only this run's photos."),
    ):
        command = option(command)
    return json_option(command)


def _export(ctx: click.Context, run_id: int | None, root: Path | None, write: Writer) -> Exported:
    """Count, draw the bar, run ``write`` and turn a file error into one line."""
    from thumper_tui.cli.progress import ProgressBar
    from thumper_tui.interop.atomic import ExportError
    from thumper_tui.interop.records import common_root, count_photos

    settings = settings_from(ctx)
    bar = ProgressBar("Exporting", sys.stderr, unit="photos")

    fixed_root = str(root.expanduser().resolve()) if root else None

    async def work(engine: AsyncEngine) -> Exported:
        photos = await count_photos(engine, run_id)
        if photos == 0:
            raise ExportError(
                "nothing to export: no processed photos"
                + (f" in run {run_id}" if run_id is not None else " (run `thumper process`)")
            )
        base = fixed_root or await common_root(engine, run_id)
        bar.start(photos)
        try:
            return await write(engine, base, bar.advance)
        except OSError as exc:
            raise ExportError(f"cannot write the export: {exc.strerror or exc}") from None

    try:
        exported = run_with_database(settings, work)
    except ExportError as exc:
        bar.finish()
        fail(str(exc))
    bar.finish()
    return exported


def _report(exported: Exported, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        click.echo(json.dumps({**exported.as_json(), **(extra or {})}, indent=2))
        return
    print_line(
        f"wrote {exported.path}: {counted(exported.photos, 'photo')}, "
        f"{counted(exported.detections, 'detection')}, {exported.bytes / 1e6:,.1f} MB "
        f"in {exported.seconds:.1f} s"
    )
    for note in exported.notes:
        print_line(note)


@click.group("export")
def export_group() -> None:
    """Write the ranch in the field's formats: MegaDetector JSON, Camtrap DP, CSV."""


@export_group.command(
    "megadetector",
    epilog="""\b
Examples:
  thumper export megadetector ranch.json --root /srv/cards   # for Timelapse
  thumper export megadetector run7.json --run 7 --md-categories
""",
)
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--md-categories",
    is_flag=True,
    help="Detection categories animal / person / vehicle, as MegaDetector's own.",
)
@_scope_options
@click.pass_context
def export_megadetector_command(
    ctx: click.Context,
    out: Path,
    md_categories: bool,
    run_id: int | None,
    root: Path | None,
    as_json: bool,
) -> None:
    """Write MegaDetector batch-output JSON (format 1.6): boxes, buck / doe / fawn as
    classifications, failed photos with their reason."""
    from thumper_tui.interop.megadetector.writer import export_megadetector

    exported = _export(
        ctx,
        run_id,
        root,
        lambda engine, base, advance: export_megadetector(
            engine,
            out,
            root=base,
            run_id=run_id,
            md_categories=md_categories,
            on_progress=advance,
        ),
    )
    _report(exported, as_json)


@export_group.command(
    "camtrap-dp",
    epilog="""\b
Examples:
  thumper camera NorthGate --location 30.27,-97.74   # every camera needs its place
  thumper export camtrap-dp ~/ranch-2026-dp --title "Hill Country Ranch 2026"
""",
)
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--title",
    default="Thumper ranch camera traps",
    show_default=True,
    help="The package's and its project's title.",
)
@click.option("--contributor", default=None, help="The package's contact (default: you).")
@click.option(
    "--deer-species",
    default=WHITE_TAILED_DEER,
    show_default=True,
    help="The deer's scientific name (mule deer: Odocoileus hemionus).",
)
@click.option("--no-validate", is_flag=True, help="Skip the check against the standard.")
@_scope_options
@click.pass_context
def export_camtrap_command(
    ctx: click.Context,
    out: Path,
    title: str,
    contributor: str | None,
    deer_species: str,
    no_validate: bool,
    run_id: int | None,
    root: Path | None,
    as_json: bool,
) -> None:
    """Write a Camtrap DP 1.0.2 package with each deer's individualID, and check it against
    the standard (offline). Exits 1 when the check fails."""
    import getpass

    from thumper_tui.interop.camtrap.validate import validate_package
    from thumper_tui.interop.camtrap.writer import MARKER, PackageOptions, export_camtrap

    options = PackageOptions(title, contributor or getpass.getuser(), deer_species)
    exported = _export(
        ctx,
        run_id,
        root,
        lambda engine, base, advance: export_camtrap(
            engine, out, root=base, run_id=run_id, options=options, on_progress=advance
        ),
    )
    problems = [] if no_validate else validate_package(out / MARKER)
    verdict = None if no_validate else ("valid" if not problems else "invalid")
    _report(exported, as_json, {"validation": verdict, "problems": problems[:100]})
    if not as_json and verdict:
        print_line(f"Camtrap DP 1.0.2 check (frictionless): {verdict}")
        for problem in problems[:20]:
            print_line(f"  {problem}")
    if problems:
        ctx.exit(1)


@export_group.command(
    "csv",
    epilog="""\b
Examples:
  thumper export csv ~/ranch-csv   # profiles.csv and sightings.csv
""",
)
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@_scope_options
@click.pass_context
def export_csv_command(
    ctx: click.Context, out: Path, run_id: int | None, root: Path | None, as_json: bool
) -> None:
    """Write profiles.csv (one row per profile) and sightings.csv (one per deer detection)."""
    from thumper_tui.interop.tables import export_tables

    exported = _export(
        ctx,
        run_id,
        root,
        lambda engine, base, advance: export_tables(
            engine, out, root=base, run_id=run_id, on_progress=advance
        ),
    )
    _report(exported, as_json)


@click.command(
    "import-detections",
    epilog="""\b
Examples:
  thumper import-detections md_results.json --root /srv/cards
  thumper import-detections md_results.json --root /srv/cards --queue-only
""",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--root",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="The folder the file's image paths are relative to.",
)
@click.option(
    "--queue-only", is_flag=True, help="Queue the run for a worker instead of running it."
)
@json_option
@click.pass_context
def import_detections_command(
    ctx: click.Context, file: Path, root: Path, queue_only: bool, as_json: bool
) -> None:
    """Import a MegaDetector batch-output file's boxes as a run: its deer are sorted,
    embedded and re-identified by Thumper. The whole file is checked first; a bad one is
    refused with every problem named, and nothing is imported."""
    from thumper_tui.cli.process_cmd import process_command
    from thumper_tui.cli.progress import ProgressBar
    from thumper_tui.engine.runs import RunError
    from thumper_tui.interop.megadetector.importer import ImportedDetections, import_detections
    from thumper_tui.interop.megadetector.reader import DetectionsFileError, read_detections_file

    settings = settings_from(ctx)
    base = str(root.expanduser().resolve())
    try:
        parsed = read_detections_file(file, Path(base))
    except DetectionsFileError as exc:
        fail(str(exc), EXIT_USAGE)
    bar = ProgressBar("Importing photos", sys.stderr)

    async def work(engine: AsyncEngine) -> ImportedDetections:
        return await import_detections(
            engine,
            parsed,
            base,
            zone=settings.zone(),
            on_found=bar.start,
            on_progress=bar.advance,
        )

    try:
        done = run_with_database(settings, work, create=True)
    except RunError as exc:
        bar.finish()
        fail(str(exc))
    bar.finish()
    said = click.echo if not as_json or queue_only else lambda line: click.echo(line, err=True)
    if not (as_json and queue_only):
        said(
            f"run {done.run_id} queued: {counted(done.boxes, 'box')} on "
            f"{counted(done.photos, 'photo')} ({done.imported.imported} newly imported)"
        )
        for what, files in (
            ("the file's detector failed on", done.detector_failed),
            ("could not be read", done.unreadable),
        ):
            if files:
                said(f"{counted(len(files), 'photo')} {what}, left out: {', '.join(files[:5])}")
    if queue_only:
        if as_json:
            click.echo(json.dumps(done.as_json(), indent=2))
        return
    ctx.invoke(process_command, as_json=as_json)
