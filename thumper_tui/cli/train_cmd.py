"""``thumper train-demo``: retrain the shipped demo detector, reproducibly and offline."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("train-demo")
@click.option(
    "--work",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build/train-demo"),
    show_default=True,
    help="Keeps the generated ranch, the YOLO dataset and the training run.",
)
@click.option("--seed", type=int, default=1000, show_default=True)
@click.option("--images", type=click.IntRange(10, 1_000_000), default=1500, show_default=True)
@click.option(
    "--deer", type=click.IntRange(1, 10_000), default=80, show_default=True, help="Herd size."
)
@click.option("--epochs", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--imgsz", type=click.IntRange(64, 4096), default=512, show_default=True)
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
    from thumper_tui.detector.train import TrainOptions, train_demo

    card = train_demo(
        work,
        TrainOptions(seed=seed, images=images, deer=deer, epochs=epochs, imgsz=imgsz),
        install=install,
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
@click.option("--epochs", type=click.IntRange(1, 10_000), default=22, show_default=True)
@click.option(
    "--install/--no-install",
    default=True,
    show_default=True,
    help="Copy the checkpoint and its card into the package.",
)
def train_reid_command(work: Path, epochs: int, install: bool) -> None:
    """Train the identity embedder on synthetic herds and choose its re-ID threshold."""
    from thumper_tui.reid.build import ReidTrainOptions, train_reid
    from thumper_tui.reid.train import FitOptions

    card = train_reid(
        work,
        ReidTrainOptions(fit=FitOptions(epochs=epochs)),
        install=install,
        say=lambda line: click.echo(line, err=True),
    )
    click.echo(json.dumps(card, indent=2))
