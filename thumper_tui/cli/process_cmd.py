"""``thumper process``, ``reprocess`` and the run controls: run the engine in the foreground."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import (
    EXIT_FAILURE,
    EXIT_USAGE,
    fail,
    run_with_database,
    settings_from,
)
from thumper_tui.cli.tables import print_line
from thumper_tui.config import Settings
from thumper_tui.vocabulary.states import ClearMode, RunKind, RunStatus, RunTrigger

if TYPE_CHECKING:  # the engine and the models load when a command runs, not for help
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.detector.inference import Detector
    from thumper_tui.engine.runs import RunInfo
    from thumper_tui.engine.worker import WorkerOptions


def worker_options(settings: Settings, **kwargs: Any) -> WorkerOptions:
    """The worker's options from the settings (and ``kwargs``)."""
    from thumper_tui.engine.worker import WorkerOptions

    return WorkerOptions(
        batch_size=settings.batch_size,
        lease=timedelta(seconds=settings.lease_seconds),
        telemetry_keep=timedelta(days=settings.telemetry_days),
        zone=settings.zone(),
        reid_threshold=settings.reid_threshold,
        **kwargs,
    )


def detector_for(settings: Settings, model: Path | None = None) -> Detector:
    """The settings' detector, or the end of the command: weights that cannot be used are a
    usage error with one message whichever command named them."""
    from thumper_tui.detector.model import DetectorError
    from thumper_tui.detector.setup import detector_from

    try:
        return detector_from(settings, model)
    except DetectorError as exc:
        fail(str(exc), EXIT_USAGE)


def allow_demo_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--allow-demo-model``: let the shipped demo detector run over photos not from synth."""
    return click.option(
        "--allow-demo-model",
        is_flag=True,
        help="Run the shipped demo detector even over real photos (it learnt only synthetic "
        "deer; recorded in the run).",
    )(command)


def detector_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The detector settings a run may take from the command line."""
    for option in (
        click.option(
            "--confidence",
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            default=None,
            help="Confidence a box needs (default: config, 0.25).",
        ),
        click.option(
            "--imgsz",
            default=None,
            help="Detector input size in pixels, or auto (default: config, auto).",
        ),
    ):
        command = option(command)
    return command


async def demo_refusal(
    engine: AsyncEngine, kind: str, clear_mode: str, weights: Path | None, allowed: bool
) -> None:
    """Raise :class:`RunError` before a run of ``kind`` is queued or joined when the demo
    detector would run over real photos without leave."""
    from thumper_tui.detector.model import weights_are_demo
    from thumper_tui.engine.provenance import refuses, unmarked_covered
    from thumper_tui.engine.runs import RunError

    if allowed or not weights_are_demo(weights):
        return
    refusal = refuses(kind, True, False, await unmarked_covered(engine, kind, clear_mode))
    if refusal is not None:
        raise RunError(refusal)


@click.command(
    "process",
    epilog="""\b
Examples:
  thumper process                     # the new photos, with a progress bar
  thumper process --confidence 0.4    # boxes need 0.4 this run
  thumper process --json | jq .images
""",
)
@allow_demo_option
@detector_options
@json_option
@click.pass_context
def process_command(
    ctx: click.Context,
    allow_demo_model: bool = False,
    confidence: float | None = None,
    imgsz: str | None = None,
    model: Path | None = None,
    as_json: bool = False,
) -> None:
    """Process new and failed images now, in the foreground, until done.

    Joins the active run if there is one; otherwise queues an incremental run. When another
    worker already serves the run, follows it to its end. Ctrl+C stops; the run stays
    resumable.
    """
    from thumper_tui.cli.follow import ServedRun
    from thumper_tui.cli.progress import ProgressBar
    from thumper_tui.engine.recipe import RunRequest
    from thumper_tui.engine.runs import RunError, active_run, get_run, queue_run
    from thumper_tui.engine.worker import serve
    from thumper_tui.engine.workers import WorkerRefused
    from thumper_tui.reid.embedder import EmbedderError

    settings = settings_from(ctx, confidence=confidence, imgsz=imgsz)
    detector = detector_for(settings, model)
    bar = ProgressBar("Processing", sys.stderr, unit="images", per_minute=True)
    served = ServedRun(bar)

    async def work(engine: AsyncEngine) -> RunInfo | None:
        current = await active_run(engine)
        if current is not None and current.status == "paused":
            raise RunError(f"run {current.id} is paused: `thumper resume` it first")
        if current is None or current.status == RunStatus.QUEUED:
            kind = current.kind if current else RunKind.INCREMENTAL
            clear = current.clear_mode if current else ClearMode.NONE
            allowed = allow_demo_model or bool(current and current.request.allow_demo_model)
            asked = current.request.model if current else None  # reprocess --model's weights
            weights = Path(asked) if asked else detector.weights
            await demo_refusal(engine, kind, clear, weights, allowed)
        run_id = (
            current.id
            if current
            else await queue_run(
                engine,
                RunKind.INCREMENTAL,
                trigger=RunTrigger.CLI,
                request=RunRequest(allow_demo_model=allow_demo_model),
            )
        )
        served.begin(await get_run(engine, run_id))
        options = worker_options(settings, run_id=run_id, allow_demo_model=allow_demo_model)
        while True:
            try:
                await serve(engine, detector, options, on_batch=served.show)
                break
            except WorkerRefused as exc:
                if await served.follow(engine, run_id, str(exc)):
                    break
        return await get_run(engine, run_id)

    try:
        run = run_with_database(settings, work, create=True, interrupted=served.interrupted)
    except (WorkerRefused, RunError, EmbedderError) as exc:
        bar.finish()
        fail(str(exc))
    bar.finish()
    if run is None:
        fail("the run disappeared")
    report = served.report(run)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        print_line(served.summary(run))
    if run.status == RunStatus.FAILED:
        fail(f"run {run.id} failed: {run.error}" if run.error else f"run {run.id} failed")
    if run.images_failed:
        ctx.exit(EXIT_FAILURE)


@click.command(
    "reprocess",
    epilog="""\b
Examples:
  thumper reprocess --model ~/models/ranch-yolov8s.pt   # new weights, every photo
  thumper reprocess --reid-only --threshold 0.62        # regroup, no detection
  thumper reprocess --if-advised --queue-only           # from cron: what the advisor says
""",
)
@click.option(
    "--clear-mode",
    type=click.Choice(["none", "detections", "all"]),
    default="detections",
    show_default=True,
    help="none: new and failed images only; detections: redo every image; all: "
    "redo every image and rebuild profiles.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(-1.0, 1.0),
    default=None,
    help="Re-ID similarity a detection needs to join a profile "
    "(default: the one chosen with the identity embedder).",
)
@click.option(
    "--model",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Detect with these ultralytics weights for this run.",
)
@click.option(
    "--reid-only",
    is_flag=True,
    help="Re-identify the stored detections again without detecting (after a threshold change).",
)
@click.option(
    "--queue-only", is_flag=True, help="Queue the run for a worker instead of running it."
)
@allow_demo_option
@detector_options
@click.option(
    "--if-advised",
    is_flag=True,
    help="Run what `thumper advise` recommends now (a full or an incremental run), else "
    "say why not and do nothing; the other options are the advisor's to choose.",
)
@json_option
@click.pass_context
def reprocess_command(
    ctx: click.Context,
    clear_mode: str,
    threshold: float | None,
    model: Path | None,
    reid_only: bool,
    queue_only: bool,
    allow_demo_model: bool,
    confidence: float | None,
    imgsz: str | None,
    if_advised: bool,
    as_json: bool,
) -> None:
    """Queue a run that redoes photos (full unless --clear-mode none); process it now unless
    --queue-only."""
    from thumper_tui.detector.model import DetectorError
    from thumper_tui.engine.recipe import RunRequest
    from thumper_tui.engine.runs import RunError, queue_run

    settings = settings_from(ctx, confidence=confidence, imgsz=imgsz)
    if if_advised:
        if threshold is not None or model is not None or reid_only:
            fail("--if-advised lets the advisor choose: drop the other options", EXIT_USAGE)
        _reprocess_if_advised(ctx, settings, queue_only, as_json)
        return
    if reid_only and (clear_mode == ClearMode.NONE or model is not None):
        fail("--reid-only needs --clear-mode detections or all, and no --model", EXIT_USAGE)
    kind = (
        RunKind.REID_ONLY
        if reid_only
        else RunKind.INCREMENTAL
        if clear_mode == ClearMode.NONE
        else RunKind.FULL
    )
    if model is not None:
        from thumper_tui.detector.model import load_detector

        try:
            load_detector(model)
        except DetectorError as exc:
            fail(str(exc), EXIT_USAGE)
    asked = RunRequest(
        model=str(model.expanduser().resolve()) if model is not None else None,
        reid_threshold=threshold,
        allow_demo_model=allow_demo_model,
    )

    async def enqueue(engine: AsyncEngine) -> int:
        weights = model or settings.model_path()
        await demo_refusal(engine, kind, clear_mode, weights, allow_demo_model)
        return await queue_run(
            engine, kind, clear_mode=clear_mode, trigger=RunTrigger.CLI, request=asked
        )

    try:
        run_id = run_with_database(settings, enqueue, create=True)
    except RunError as exc:
        fail(str(exc))
    if queue_only:
        if as_json:
            queued = {"run": run_id, "kind": kind, "clear_mode": clear_mode, "status": "queued"}
            click.echo(json.dumps(queued, indent=2))
        else:
            click.echo(f"run {run_id} queued ({kind}, clear mode {clear_mode})")
        return
    ctx.invoke(
        process_command,
        allow_demo_model=allow_demo_model,
        confidence=confidence,
        imgsz=imgsz,
        model=model,
        as_json=as_json,
    )


def _reprocess_if_advised(
    ctx: click.Context, settings: Settings, queue_only: bool, as_json: bool
) -> None:
    """Queue the advisor's run (trigger ``advisor``) and serve it, or say why there is none."""
    from thumper_tui.analytics.advisor import Action
    from thumper_tui.analytics.answers import current_advice
    from thumper_tui.engine.runs import RunError, queue_run
    from thumper_tui.store.types import utcnow

    async def enqueue(engine: AsyncEngine) -> tuple[int | None, list[str], str]:
        advice = await current_advice(engine, settings, utcnow())
        if advice.action not in (Action.FULL, Action.INCREMENTAL) or advice.plan is None:
            return None, advice.reasons, advice.action.value
        run_id = await queue_run(
            engine,
            advice.plan.kind,
            clear_mode=advice.plan.clear_mode,
            trigger=RunTrigger.ADVISOR,
        )
        return run_id, advice.reasons, advice.action.value

    try:
        run_id, reasons, action = run_with_database(settings, enqueue)
    except RunError as exc:
        fail(str(exc))
    if as_json and (queue_only or run_id is None):
        advised = {"advice": action, "reasons": reasons, "run": run_id}
        click.echo(json.dumps({**advised, "status": "queued" if run_id else None}, indent=2))
        return
    said = click.echo if not as_json else lambda line: click.echo(line, err=True)
    said(f"advice: {action}: " + "; ".join(reasons))
    if run_id is None:
        said("nothing to run now")
        return
    said(f"run {run_id} queued")
    if not queue_only:
        ctx.invoke(process_command, as_json=as_json)


def _control(action: str) -> click.Command:
    @click.command(action, help=f"{action.capitalize()} a run (default: the active one).")
    @click.argument("run_id", type=int, required=False)
    @json_option
    @click.pass_context
    def command(ctx: click.Context, run_id: int | None, as_json: bool) -> None:
        from thumper_tui.engine.runs import RunError, active_run, get_run, request

        settings = settings_from(ctx)

        async def work(engine: AsyncEngine) -> tuple[RunInfo, str]:
            target = run_id
            if target is None:
                current = await active_run(engine)
                if current is None:
                    raise RunError("no active run")
                target = current.id
            before = await get_run(engine, target)
            if before is None:
                raise RunError(f"no run {target}")
            return before, await request(engine, target, action)

        try:
            before, new_status = run_with_database(settings, work)
        except RunError as exc:
            fail(str(exc))
        if as_json:
            change = {"run": before.id, "action": action, "before": before.status}
            click.echo(json.dumps({**change, "status": new_status}, indent=2))
        else:
            click.echo(f"run {before.id} {new_status}")

    return command


pause_command = _control("pause")
resume_command = _control("resume")
cancel_command = _control("cancel")
