"""``thumper eval``: measure the detector (and later re-identification) against ground truth."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from thumper_tui.cli.runtime import EXIT_USAGE, fail, settings_from
from thumper_tui.progress import ProgressBar


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
    from thumper_tui.detector.evaluate import evaluate_detector
    from thumper_tui.detector.model import (
        DetectorError,
        default_imgsz,
        load_detector,
        trained_imgsz,
    )

    model = model or settings_from(ctx).model_path()
    if not (data / "truth.json").is_file():
        fail(f"{data} has no truth.json: make one with `thumper synth`", EXIT_USAGE)
    try:
        detector = load_detector(model)
    except DetectorError as exc:
        fail(str(exc), EXIT_USAGE)
    if imgsz is None:  # the size the weights were trained at: other sizes score far worse
        imgsz = default_imgsz(None) if model is None else (trained_imgsz(detector) or 640)
    bar = ProgressBar("Evaluating", sys.stderr, unit="photos", enabled=sys.stderr.isatty())
    report = evaluate_detector(
        detector, data, imgsz=imgsz, on_start=bar.start, on_progress=bar.advance
    )
    bar.finish()
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(f"{report['images']} photos in {report['seconds']}s at imgsz {imgsz}")
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
