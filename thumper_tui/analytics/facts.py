"""The recorded facts the advisor and the reports decide from, read in one place.

Runs with their typed recipes and measured pace, the photos by status, and what the
configuration would run now (the model file's hash as it is on disk, the join threshold, the
embedder and pipeline versions), so every answer names the facts behind it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from thumper_tui.config import Settings
from thumper_tui.detector.model import DEMO_WEIGHTS
from thumper_tui.engine.provenance import real_photos_with_deer
from thumper_tui.engine.recipe import PIPELINE_VERSION, RunRecipe, recipe_columns
from thumper_tui.reid.embedder import REID_VERSION, REID_WEIGHTS
from thumper_tui.reid.gallery import DEFAULT_THRESHOLD
from thumper_tui.store.models import Image, Run
from thumper_tui.vocabulary.states import ACTIVE_RUN_STATUSES, ImageStatus, RunKind, RunStatus

MIN_TIMED = 20  # photos a run must have handled for its pace to count


@dataclass(frozen=True)
class RecordedRun:
    """A finished run as the advisor and the report read it."""

    id: int
    kind: str
    clear_mode: str
    trigger: str
    status: str
    recipe: RunRecipe
    images_done: int
    images_failed: int
    new_profiles: int
    profiles_shift: int | None
    schedule_slot: str | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def images_per_min(self) -> float | None:
        """The run's measured pace over its whole length."""
        if self.started_at is None or self.finished_at is None:
            return None
        seconds = (self.finished_at - self.started_at).total_seconds()
        handled = self.images_done + self.images_failed
        return handled / seconds * 60 if seconds > 0 and handled else None


@dataclass(frozen=True)
class Current:
    """What a run queued now would be made with."""

    model_path: Path
    model_sha256: str | None  # None: the file is missing or unreadable
    model_problem: str | None
    reid_threshold: float
    threshold_source: str
    embedder: str
    pipeline_version: str
    detection: DetectionSettings | None = None


@dataclass(frozen=True)
class DetectionSettings:
    """The detector settings a run queued now would record: ``imgsz`` None is the weights' own
    size, ``classifier_sha256`` None is no classifier."""

    confidence: float
    iou: float
    imgsz: int | None
    category_map: Mapping[str, str]
    classifier_sha256: str | None

    def changes(self, recipe: RunRecipe) -> list[tuple[str, Any, Any]]:
        """(setting, recorded, now) for each that differs from what ``recipe`` recorded; a
        setting an older run did not record is not a change."""
        out: list[tuple[str, Any, Any]] = []
        for name, before, after in (
            ("confidence", recipe.confidence, self.confidence),
            ("iou", recipe.iou, self.iou),
            ("imgsz", recipe.imgsz, self.imgsz),
        ):
            if before is not None and after is not None and before != after:
                out.append((name, before, after))
        if recipe.category_map and dict(recipe.category_map) != dict(self.category_map):
            moved = sorted(
                k
                for k in {*recipe.category_map, *self.category_map}
                if recipe.category_map.get(k) != self.category_map.get(k)
            )
            out.append(("category_map", ", ".join(moved), "changed"))
        if recipe.model_sha256 is not None and recipe.classifier_sha256 != self.classifier_sha256:
            out.append(
                ("classifier", short(recipe.classifier_sha256), short(self.classifier_sha256))
            )
        return out


def short(sha: str | None) -> str:
    """The first eight hex digits of a hash, as people compare them."""
    return f"{sha[:8]}…" if sha else "none"


@dataclass(frozen=True)
class RanchFacts:
    """Everything the advisor needs, read at one moment."""

    runs: list[RecordedRun]  # oldest first; every status
    images: dict[str, int]  # by status
    current: Current
    real_photos_with_deer: int = 0  # re-identified by an embedder that learnt synthetic deer

    @property
    def done_runs(self) -> list[RecordedRun]:
        """Runs that finished their work."""
        return [r for r in self.runs if r.status == RunStatus.DONE]

    @property
    def active_run(self) -> RecordedRun | None:
        """The run that is queued, running or paused, if any."""
        active = {s.value for s in ACTIVE_RUN_STATUSES}
        return next((r for r in reversed(self.runs) if r.status in active), None)

    @property
    def baseline(self) -> RecordedRun | None:
        """The run the detections were last made on as a whole: the last full run, else the
        first run (which processed every photo there was)."""
        return self._last_of(RunKind.FULL)

    @property
    def reid_baseline(self) -> RecordedRun | None:
        """The run the profiles were last built on as a whole: the last full or reid-only run
        (a reid-only run re-identifies every stored detection), else the first run."""
        return self._last_of(RunKind.FULL, RunKind.REID_ONLY)

    def _last_of(self, *kinds: str) -> RecordedRun | None:
        done = self.done_runs
        whole = [r for r in done if r.kind in kinds]
        return whole[-1] if whole else (done[0] if done else None)

    @property
    def new_images(self) -> int:
        """Photos never processed, or whose processing failed."""
        return self.images.get(ImageStatus.PENDING, 0) + self.images.get(ImageStatus.FAILED, 0)

    @property
    def total_images(self) -> int:
        """Every imported photo."""
        return sum(self.images.values())

    def pace(self, kind: str | None = None) -> float | None:
        """Images per minute measured on this ranch: the median of the last five runs (of
        ``kind`` when given) that handled at least ``MIN_TIMED`` photos."""
        rates = [
            r.images_per_min
            for r in self.done_runs
            if (kind is None or r.kind == kind)
            and r.images_done + r.images_failed >= MIN_TIMED
            and r.images_per_min
        ]
        return median(rates[-5:]) if rates else None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks; remembered while its size and time stay."""
    stat = path.stat()
    return _sha256(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    del size, mtime_ns  # the cache key: a file rewritten in place is hashed again
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def current_facts(settings: Settings) -> Current:
    """What the configuration would run now."""
    model = (settings.model_path() or DEMO_WEIGHTS).expanduser().resolve()
    sha, problem = None, None
    try:
        sha = file_sha256(model)
    except OSError as exc:
        problem = f"the model file {model} cannot be read ({exc.strerror or exc})"
    if settings.reid_threshold is not None:
        threshold, source = settings.reid_threshold, "the reid_threshold setting"
    else:
        threshold, source = shipped_threshold(), "the shipped embedder's card"
    classifier, classifier_sha = settings.classifier_path(), None
    if classifier is not None:
        try:
            classifier_sha = file_sha256(classifier.expanduser().resolve())
        except OSError as exc:
            problem = problem or (
                f"the classifier file {classifier} cannot be read ({exc.strerror or exc})"
            )
    detection = DetectionSettings(
        settings.confidence,
        settings.iou,
        settings.imgsz,
        dict(settings.category_map),
        classifier_sha,
    )
    return Current(
        model, sha, problem, threshold, source, REID_VERSION, PIPELINE_VERSION, detection
    )


def shipped_threshold() -> float:
    """The join threshold chosen with the shipped embedder (its card, read without torch)."""
    try:
        card = json.loads(REID_WEIGHTS.with_suffix(".json").read_text())
        return float(card["threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_THRESHOLD


async def read_facts(conn: AsyncConnection, settings: Settings) -> RanchFacts:
    """The runs, the photos by status and the current recipe facts."""
    rows = await conn.execute(
        select(
            Run.id,
            Run.kind,
            Run.clear_mode,
            Run.trigger,
            Run.status,
            Run.settings,
            *(getattr(Run, c) for c in recipe_columns()),
            Run.images_done,
            Run.images_failed,
            Run.new_profiles,
            Run.profiles_shift,
            Run.schedule_slot,
            Run.requested_at,
            Run.started_at,
            Run.finished_at,
        ).order_by(Run.id)
    )
    runs = [
        RecordedRun(
            r.id,
            r.kind,
            r.clear_mode,
            r.trigger,
            r.status,
            RunRecipe.from_row(r),
            r.images_done,
            r.images_failed,
            r.new_profiles,
            r.profiles_shift,
            r.schedule_slot,
            r.requested_at,
            r.started_at,
            r.finished_at,
        )
        for r in rows
    ]
    images = {
        str(status): int(count)
        for status, count in await conn.execute(
            select(Image.status, func.count()).group_by(Image.status)
        )
    }
    real = await real_photos_with_deer(conn)
    return RanchFacts(runs, images, current_facts(settings), real)
