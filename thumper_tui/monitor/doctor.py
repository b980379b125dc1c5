"""``thumper doctor``: the facts a user checks before a season, each with what to do.

Each passes, warns or fails. The database and its schema, the detector and the classifier
(their classes and how each is mapped, their size, whether the detector is the demo one), the
GPU a worker will use, a live worker, the free disk beside the database, the zone of the
camera clocks, and each camera's folder. Every check stands alone: one failing never hides
the others.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.config import Settings
from thumper_tui.detector.classifier import ClassifierError
from thumper_tui.detector.inference import Detector
from thumper_tui.detector.model import DetectorError
from thumper_tui.detector.setup import detector_from
from thumper_tui.engine.workers import list_workers
from thumper_tui.paths import os_path, readable
from thumper_tui.store.engine import error_reason, make_engine
from thumper_tui.store.migrate import head_revision, known_revisions
from thumper_tui.store.models import Camera, Image
from thumper_tui.store.url import is_sqlite, mask_url, normalise_url
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.snapshots import GpuState
from thumper_tui.vocabulary.categories import DEER_CATEGORIES, DEER_CLASSES

PASS, WARN, FAIL = "pass", "warn", "fail"
LOW_DISK_BYTES = 5 * 2**30
FULL_DISK_BYTES = 1 * 2**30
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report; ``classes`` maps a model's classes to categories."""

    name: str
    status: str
    detail: str
    advice: str | None = None
    classes: Sequence[tuple[str, str]] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The finding as ``thumper doctor --json`` gives it."""
        out: dict[str, Any] = {
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
            "advice": self.advice,
        }
        if self.classes:
            out["classes"] = [{"class": c, "category": k} for c, k in self.classes]
        return out


def failed(findings: Sequence[Finding]) -> bool:
    """Whether any finding failed (the command's exit status is then 1)."""
    return any(f.status == FAIL for f in findings)


async def examine(
    settings: Settings,
    *,
    gpus: Callable[[], GpuState] | None = None,
    cuda_available: Callable[[], bool] | None = None,
) -> list[Finding]:
    """Every check, in the order a user reads them. ``gpus`` and ``cuda_available`` are the
    seams to NVML and torch (default: the real ones)."""
    findings = await _database_checks(settings)
    findings += await asyncio.to_thread(_model_checks, settings)
    findings.append(_gpu_check(settings, gpus or _sample_gpus, cuda_available or _cuda))
    findings.append(_timezone_check(settings))
    return findings


def _sample_gpus() -> GpuState:
    sampler = GpuSampler()
    try:
        return sampler.sample()
    finally:
        sampler.close()


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


async def _database_checks(settings: Settings) -> list[Finding]:
    label = mask_url(settings.database_url)
    url = normalise_url(settings.database_url)
    if is_sqlite(url) and not await asyncio.to_thread(Path(url.database or "").exists):
        return [
            Finding(
                "database",
                WARN,
                f"{label}: no database yet",
                "`thumper import PATH` creates it with the first photos",
            ),
            _disk_check(Path(url.database or "").parent),
        ]
    engine = make_engine(settings.database_url)
    try:
        return await asyncio.wait_for(_reachable_checks(engine, label), CONNECT_TIMEOUT_S)
    except Exception as exc:  # unreachable, refused, a broken file: all said the same way
        reason = "no answer in time" if isinstance(exc, TimeoutError) else error_reason(exc)
        return [
            Finding(
                "database",
                FAIL,
                f"{label}: not reachable ({reason})",
                "start the database server, or fix `database_url` (config or THUMPER_DATABASE_URL)",
            )
        ]
    finally:
        await engine.dispose()


async def _reachable_checks(engine: AsyncEngine, label: str) -> list[Finding]:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        revision = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    head = head_revision()
    if revision == head:
        schema = Finding("database", PASS, f"{label}: reachable, schema {revision} (current)")
    elif revision is None or revision in known_revisions():
        schema = Finding(
            "database",
            WARN,
            f"{label}: reachable, schema {revision or 'empty'}; this Thumper brings {head}",
            "any command that writes upgrades it (or `thumper db upgrade`)",
        )
    else:
        schema = Finding(
            "database",
            FAIL,
            f"{label}: schema {revision} is newer than this Thumper knows ({head})",
            "upgrade Thumper on this machine",
        )
    findings = [schema]
    if revision is None:
        return findings
    findings.append(await _worker_check(engine))
    url = engine.url
    if is_sqlite(url):
        findings.append(_disk_check(Path(url.database or "").parent))
    findings += await _camera_checks(engine)
    return findings


async def _worker_check(engine: AsyncEngine) -> Finding:
    live = [w for w in await list_workers(engine) if w.is_fresh() and w.state != "stopped"]
    if live:
        names = ", ".join(f"{w.host}:{w.pid} on {w.device} ({w.state})" for w in live)
        return Finding("worker", PASS, f"{len(live)} live: {names}")
    return Finding(
        "worker",
        WARN,
        "no worker is running: queued and scheduled runs wait",
        "`thumper worker --detach` (or a systemd unit) keeps one serving",
    )


def _disk_check(folder: Path) -> Finding:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError as exc:
        return Finding("disk", WARN, f"cannot read the free space at {folder}: {exc.strerror}")
    text = f"{free / 2**30:,.1f} GiB free beside the database ({folder})"
    if free < FULL_DISK_BYTES:
        return Finding("disk", FAIL, text, "free space there: runs and imports will stop")
    if free < LOW_DISK_BYTES:
        return Finding("disk", WARN, text, "a season's detections need a few GiB")
    return Finding("disk", PASS, text)


async def _camera_checks(engine: AsyncEngine) -> list[Finding]:
    async with engine.connect() as conn:
        # One photo a camera stands for its folder: a card is copied into one folder.
        rows = (
            await conn.execute(
                select(Camera.name, func.min(Image.path))
                .join(Image, Image.camera_id == Camera.id)
                .group_by(Camera.name)
                .order_by(Camera.name)
            )
        ).all()
    if not rows:
        return [Finding("cameras", WARN, "no photos imported yet", "`thumper import PATH`")]
    findings = []
    for camera, path in rows:
        shown = readable(os.path.dirname(path))
        if await asyncio.to_thread(_folder_readable, os.path.dirname(os_path(path))):
            findings.append(Finding(f"camera {camera}", PASS, f"folder {shown} readable"))
        else:
            findings.append(
                Finding(
                    f"camera {camera}",
                    FAIL,
                    f"folder {shown} is missing or unreadable",
                    "mount or restore it: its photos cannot be processed or shown",
                )
            )
    return findings


def _folder_readable(folder: str) -> bool:
    return os.path.isdir(folder) and os.access(folder, os.R_OK | os.X_OK)


def _mapping(detector: Detector, names: dict[int, str]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for index in sorted(names):
        name = names[index]
        seen.setdefault(name, detector.category_of(name)[0])
    return list(seen.items())


def _mapped(
    name: str, detail: str, classes: list[tuple[str, str]], wanted: Sequence[str], said: str
) -> Finding:
    """A model's finding: it passes when one of its classes maps to a ``wanted`` category."""
    if any(category in wanted for _, category in classes):
        return Finding(name, PASS, detail, None, classes)
    return Finding(
        name,
        FAIL,
        f"{detail}; none of its classes maps to {said}",
        'map them in `category_map` (for example Mature = "buck", Deer = "unknown")',
        classes,
    )


def _model_checks(settings: Settings) -> list[Finding]:
    try:
        detector = detector_from(settings)
    except DetectorError as exc:
        which = "classifier" if isinstance(exc, ClassifierError) else "model"
        return [
            Finding(
                which,
                FAIL,
                str(exc),
                f"point `{which}` (config or THUMPER_{which.upper()}) at a readable "
                "ultralytics .pt file",
            )
        ]
    except Exception as exc:  # a wrong device, torch failing: said, never a traceback
        return [Finding("model", FAIL, f"the detector cannot be set up: {exc}")]
    classes = _mapping(detector, detector.names)
    detail = (
        f"{detector.weights} loads: {len(detector.names)} classes, imgsz {detector.imgsz}, "
        f"confidence {detector.confidence:g}, iou {detector.iou:g}"
    )
    findings = []
    if detector.is_demo:
        findings.append(
            Finding(
                "model",
                WARN,
                f"the shipped demo detector ({detail}): it learnt synthetic deer only, and "
                "refuses photos not made by `thumper synth`",
                "set `model` to your own ultralytics weights for real photos",
                classes,
            )
        )
    else:
        findings.append(_mapped("model", detail, classes, DEER_CATEGORIES, "a deer category"))
    if detector.classifier is None:
        findings.append(Finding("classifier", PASS, "none: the detector's class decides"))
    else:
        c = detector.classifier
        detail = f"{c.weights} loads: {len(c.names)} classes, imgsz {c.imgsz}"
        verdicts = _mapping(detector, c.names)
        findings.append(_mapped("classifier", detail, verdicts, DEER_CLASSES, "buck, doe or fawn"))
    return findings


def _gpu_check(
    settings: Settings, gpus: Callable[[], GpuState], cuda_available: Callable[[], bool]
) -> Finding:
    state = gpus()
    torch_cuda = cuda_available()
    if state.available:
        names = ", ".join(f"{g.index}: {g.name}" for g in state.gpus)
        driver = f", driver {state.driver}" if state.driver else ""
        seen = f"NVML sees {len(state.gpus)} GPU(s) ({names}{driver})"
    else:
        seen = f"no GPU through NVML ({state.reason})"
    if settings.device.startswith("cuda") and not torch_cuda:
        return Finding(
            "gpu",
            FAIL,
            f"{seen}; `device` is {settings.device} but torch sees no GPU",
            "set `device` to auto or cpu, or install the CUDA build of torch",
        )
    device = {"auto": "cuda:0" if torch_cuda else "cpu", "cuda": "cuda:0"}.get(
        settings.device, settings.device
    )
    if device == "cpu" and (state.available or torch_cuda):
        return Finding(
            "gpu",
            WARN,
            f"{seen}; torch CUDA {'available' if torch_cuda else 'not available'}; a worker "
            "will use the CPU",
            "install the CUDA build of torch (see constraints.txt)"
            if not torch_cuda
            else "set `device` to auto or cuda",
        )
    if device == "cpu":
        return Finding(
            "gpu",
            WARN,
            f"{seen}; a worker will use the CPU",
            "a season's photos take hours on a CPU; an NVIDIA GPU takes minutes",
        )
    return Finding("gpu", PASS, f"{seen}; torch CUDA available; a worker will use {device}")


def _timezone_check(settings: Settings) -> Finding:
    zone = settings.zone()
    source = settings.sources.get("timezone")
    where = " (this machine's, as `timezone` is local)" if settings.timezone == "local" else ""
    detail = f"camera clocks are read as {zone.key}{where}"
    if settings.timezone == "local" and zone.key in ("UTC", "Etc/UTC"):
        return Finding(
            "timezone",
            WARN,
            detail,
            "camera clocks rarely keep UTC: set `timezone` to the ranch's zone, e.g. "
            "America/Chicago, before importing",
        )
    return Finding("timezone", PASS, f"{detail} [{source}]" if source else detail)
