"""``thumper train-demo`` and ``thumper train-reid``: rebuild the shipped models offline.

Both rebuild reproducibly: the demo detector and the identity embedder (the lab does the work)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from thumper_tui.cli.progress import ProgressBar
    from thumper_tui.lab.progress import Progress


class PhaseBars:
    """A progress bar for each phase the lab reports, one after the other, on stderr."""

    def __init__(self) -> None:
        self.bar: ProgressBar | None = None

    def __enter__(self) -> Progress:
        return self.phase

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.finish()

    def phase(self, what: str, unit: str, total: int) -> Callable[[int], None]:
        from thumper_tui.cli.progress import ProgressBar

        if self.bar is not None:
            self.bar.finish()
        self.bar = ProgressBar(what, sys.stderr, unit=unit, per_minute=unit == "epochs")
        self.bar.start(total)
        return self.bar.advance


@click.command("train-demo")
@click.option(
    "--work",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/train-demo"),
    show_default=True,
    help="Keeps the generated ranch, the YOLO dataset and the training run.",
)
@click.option(
    "--seed", type=int, default=1000, show_default=True, help="Seed of the training ranch."
)
@click.option(
    "--images",
    type=click.IntRange(100, 1_000_000),
    default=1500,
    show_default=True,
    help="Photos in the training ranch (at least 100: a tenth of the bursts validates).",
)
@click.option(
    "--deer", type=click.IntRange(1, 10_000), default=80, show_default=True, help="Herd size."
)
@click.option(
    "--epochs", type=click.IntRange(1, 10_000), default=50, show_default=True, help="Passes."
)
@click.option(
    "--imgsz",
    type=click.IntRange(64, 4096),
    default=512,
    show_default=True,
    help="Training input size in pixels.",
)
@click.option(
    "--install/--no-install",
    default=True,
    show_default=True,
    help="Copy the weights and model card into the package.",
)
def train_demo_command(
    work: Path, seed: int, images: int, deer: int, epochs: int, imgsz: int, install: bool
) -> None:
    """Generate a synthetic ranch and train the demo yolov8n on it (CPU or GPU)."""
    from thumper_tui.lab.detector.train import TrainOptions, train_demo

    with PhaseBars() as phase:
        card = train_demo(
            work,
            TrainOptions(seed=seed, images=images, deer=deer, epochs=epochs, imgsz=imgsz),
            install=install,
            progress=phase,
        )
    click.echo(json.dumps(card, indent=2))


@click.command("train-reid")
@click.option(
    "--work",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/train-reid"),
    show_default=True,
    help="Keeps the generated ranches and the checkpoint.",
)
@click.option(
    "--epochs",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Default: the shipped embedder's.",
)
@click.option("--herds", type=click.IntRange(1, 100), default=None, help="Training herds.")
@click.option("--net", type=click.Choice(["small", "wide"]), default=None, help="Layers to fit.")
@click.option(
    "--device", default="cpu", show_default=True, help="Where to fit: cpu, cuda or cuda:N."
)
@click.option(
    "--loader-workers",
    type=click.IntRange(0, 256),
    default=0,
    show_default=True,
    help="Processes cutting training views (the views do not depend on it).",
)
@click.option(
    "--revalidate",
    is_flag=True,
    help="Keep the shipped network's weights; only choose its thresholds and fit its sex head "
    "again (on the same herds and validation ranch).",
)
@click.option(
    "--install/--no-install",
    default=True,
    show_default=True,
    help="Copy the checkpoint and its card into the package.",
)
def train_reid_command(
    work: Path,
    epochs: int | None,
    herds: int | None,
    net: str | None,
    device: str,
    loader_workers: int,
    revalidate: bool,
    install: bool,
) -> None:
    """Train the identity embedder on synthetic herds and choose its re-ID threshold.

    Without options it rebuilds the shipped embedder (the card of
    thumper_tui/models/thumper-reid-v2.json says how it was made)."""
    from thumper_tui.lab.reid import build

    options = build.ReidTrainOptions()
    if revalidate:
        click.echo(json.dumps(build.revalidate(work, options, install=install), indent=2))
        return
    fit = replace(
        options.fit,
        epochs=epochs or options.fit.epochs,
        net=net or options.fit.net,
        device=device,
        loader_workers=loader_workers,
    )
    first = options.seeds[0]
    seeds = options.seeds if herds is None else tuple(range(first, first + herds))
    with PhaseBars() as phase:
        card = build.train_reid(
            work,
            replace(options, seeds=seeds, fit=fit),
            install=install,
            say=lambda line: click.echo(line, err=True),
            progress=phase,
        )
    click.echo(json.dumps(card, indent=2))
