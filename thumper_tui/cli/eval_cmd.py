"""``thumper eval``: measure the detector and re-identification against ground truth."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from thumper_tui.cli.runtime import EXIT_USAGE, fail, settings_from
from thumper_tui.vocabulary.counting import counted


@click.group("eval")
def eval_group() -> None:
    """Evaluate models on a synthetic ranch with ground truth."""


@eval_group.command("detect")
@click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="A ranch made by `thumper synth` (with truth.json).",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Weights to evaluate (default: the shipped demo detector).",
)
@click.option(
    "--imgsz",
    type=click.IntRange(64, 4096),
    default=None,
    help="Inference size (default: the size the weights were trained at, else 640).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def detect(
    ctx: click.Context, data: Path, model: Path | None, imgsz: int | None, as_json: bool
) -> None:
    """mAP50, precision and recall per class, and category accuracy of matched deer."""
    from thumper_tui.detector.model import (
        DetectorError,
        default_imgsz,
        load_detector,
        trained_imgsz,
    )
    from thumper_tui.lab.detector.evaluate import evaluate_detector

    model = model or settings_from(ctx).model_path()
    if not (data / "truth.json").is_file():
        fail(f"{data} has no truth.json: make one with `thumper synth`", EXIT_USAGE)
    try:
        detector = load_detector(model)
    except DetectorError as exc:
        fail(str(exc), EXIT_USAGE)
    if imgsz is None:  # the size the weights were trained at: other sizes score far worse
        imgsz = default_imgsz(None) if model is None else (trained_imgsz(detector) or 640)
    from thumper_tui.cli.progress import ProgressBar

    bar = ProgressBar("Evaluating", sys.stderr, unit="photos")
    report = evaluate_detector(
        detector, data, imgsz=imgsz, on_start=bar.start, on_progress=bar.advance
    )
    bar.finish()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{counted(report['images'], 'photo')} in {report['seconds']}s at imgsz {imgsz}")
    click.echo(
        f"mAP50 (deer classes): {report['map50']}   all classes: {report['map50_all_classes']}"
    )
    click.echo(
        f"category accuracy of matched deer: {report['category_accuracy']} "
        f"({report['matched_deer']} matched)"
    )
    click.echo(f"{'class':<10} {'mAP50':>7} {'precision':>10} {'recall':>7}")
    for name, row in report["per_class"].items():
        click.echo(
            f"{name:<10} {row['map50']:>7.3f} {row['precision']:>10.3f} {row['recall']:>7.3f}"
        )


@eval_group.command("reid")
@click.option(
    "--truth",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    required=True,
    help="The ranch (with truth.json) whose photos were imported and processed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def reid(ctx: click.Context, truth: Path, as_json: bool) -> None:
    """Profiles against the true individuals: B-cubed precision / recall / F1, mixed profiles."""
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.cli.runtime import run_with_database
    from thumper_tui.lab.reid.evaluate import evaluate_reid

    if not (truth / "truth.json").is_file():
        fail(f"{truth} has no truth.json: make one with `thumper synth`", EXIT_USAGE)

    async def work(engine: AsyncEngine) -> dict[str, Any]:
        return await evaluate_reid(engine, truth)

    report = run_with_database(settings_from(ctx), work)
    if not report["images"]:
        fail(f"no photo of {truth} is in the database: `thumper import {truth}` first", EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(
        f"{counted(report['profiles'], 'profile')} for "
        f"{counted(report['individuals'], 'deer')} over "
        f"{counted(report['matched_detections'], 'matched detection')} in "
        f"{counted(report['images'], 'photo')}"
    )
    click.echo(
        f"B-cubed precision {report['bcubed_precision']:.3f}  recall "
        f"{report['bcubed_recall']:.3f}  F1 {report['bcubed_f1']:.3f}"
    )
    click.echo(
        f"profiles mixing categories: {report['mixed_category_profiles']} "
        f"(buck with doe: {report['buck_doe_profiles']})"
    )
    click.echo(f"deer detections in no profile: {report['unassigned_deer_detections']}")
