"""``thumper synth``: generate a synthetic ranch with ground truth."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from thumper_tui.cli.options import json_option
from thumper_tui.vocabulary.counting import counted


def _size(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter("expected WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (64 <= width <= 8192 and 64 <= height <= 8192):
        raise click.BadParameter("each side must be between 64 and 8192 pixels")
    return width, height


@click.command("synth")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write (one subfolder per camera, plus truth.json).",
)
@click.option(
    "--cameras", type=click.IntRange(1, 64), default=6, show_default=True, help="Camera folders."
)
@click.option(
    "--deer",
    type=click.IntRange(1, 2000),
    default=30,
    show_default=True,
    help="Individuals in the herd.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=21,
    show_default=True,
    help="Days the photos span.",
)
@click.option(
    "--images",
    type=click.IntRange(1, 10_000_000),
    default=500,
    show_default=True,
    help="Photos to draw.",
)
@click.option(
    "--size",
    default="1920x1080",
    show_default=True,
    callback=_size,
    help="Photo size, WIDTHxHEIGHT.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed, same photos and truth."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Drawing processes (default: one per core).",
)
@json_option
def synth_command(
    as_json: bool,
    out: Path,
    cameras: int,
    deer: int,
    days: int,
    images: int,
    size: tuple[int, int],
    seed: int,
    workers: int | None,
) -> None:
    """Draw a synthetic ranch: cameras, a herd of individual deer, photos and ground truth."""
    from thumper_tui.synth.ranch import RanchOptions, generate  # the generator stays out of workers

    if out.exists() and any(out.iterdir()):
        raise click.BadParameter(f"{out} is not empty", param_hint="--out")
    options = RanchOptions(
        cameras=cameras, deer=deer, days=days, images=images, size=size, seed=seed
    )
    from thumper_tui.cli.progress import ProgressBar

    bar = ProgressBar("Drawing", sys.stderr, unit="photos")
    result = generate(out, options, workers=workers, on_start=bar.start, on_progress=bar.advance)
    bar.finish()
    if as_json:
        made = {"out": str(out), "images": result.images, "animals": result.animals}
        click.echo(json.dumps({**made, "seconds": round(result.seconds, 2)}, indent=2))
        return
    click.echo(
        f"{counted(result.images, 'photo')} with {counted(result.animals, 'animal')} in "
        f"{result.seconds:.1f} s ({result.images_per_second:.1f} photos/s): {out}"
    )
