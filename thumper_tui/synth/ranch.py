"""``thumper synth``: a whole synthetic ranch on disk, with its ground truth.

Layout: one folder per camera holding JPEGs with EXIF (DateTimeOriginal, Make, Model, and the
Software tag that marks them synthetic), and ``truth.json`` beside them (format in
docs/synthetic-ranch.md).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from thumper_tui.synth.herd import Individual, make_herd
from thumper_tui.synth.render import render_frame
from thumper_tui.synth.scene import SceneSpec, make_scene
from thumper_tui.synth.schedule import FramePlan, plan_ranch
from thumper_tui.vocabulary.provenance import SYNTH_SOFTWARE, TAG_SOFTWARE

TRUTH_FILE = "truth.json"
TRUTH_VERSION = 1
START = datetime(2025, 10, 20)
JPEG_QUALITY = 88


@dataclass(frozen=True)
class RanchOptions:
    """What to generate; the same options and seed always give the same photos and truth."""

    cameras: int = 6
    deer: int = 30
    days: int = 21
    images: int = 500
    size: tuple[int, int] = (1920, 1080)
    seed: int = 0


@dataclass(frozen=True)
class RanchResult:
    """What was written and how fast."""

    out: Path
    images: int
    animals: int
    seconds: float

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


# Set in each worker process by _init_worker: the scenes and herd every frame needs.
_WORKER: dict[str, Any] = {}


def _init_worker(
    scenes: list[SceneSpec], herd: list[Individual], size: tuple[int, int], out: str
) -> None:
    _WORKER.update(scenes=scenes, herd={d.id: d for d in herd}, size=size, out=out)


def _exif(plan: FramePlan, spec: SceneSpec) -> Image.Exif:
    exif = Image.Exif()
    stamp = plan.taken_at.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x010F] = spec.make
    exif[0x0110] = spec.model
    exif[0x0132] = stamp
    exif[TAG_SOFTWARE] = SYNTH_SOFTWARE
    exif.get_ifd(0x8769)[0x9003] = stamp
    return exif


def _draw_and_write(plan: FramePlan) -> dict[str, Any]:
    spec: SceneSpec = _WORKER["scenes"][plan.camera]
    image, animals = render_frame(plan, spec, _WORKER["herd"], _WORKER["size"])
    path = Path(_WORKER["out"]) / plan.file
    image.save(path, "JPEG", quality=JPEG_QUALITY, exif=_exif(plan, spec))
    return {
        "file": plan.file,
        "camera": spec.name,
        "taken_at": plan.taken_at.isoformat(),
        "night": plan.night,
        "burst": plan.burst,
        "animals": [
            {
                "box": list(a.box),
                "species": a.species,
                "category": a.category,
                "individual": a.individual,
            }
            for a in animals
        ],
    }


def generate(
    out: Path,
    options: RanchOptions,
    *,
    workers: int | None = None,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> RanchResult:
    """Write the ranch described by ``options`` under ``out`` and return what was made."""
    started = time.perf_counter()
    rng = np.random.default_rng(options.seed)
    scenes = [make_scene(rng, i) for i in range(options.cameras)]
    herd = make_herd(rng, options.deer, options.cameras)
    plan = plan_ranch(rng, herd, scenes, days=options.days, images=options.images, start=START)
    for spec in scenes:
        (out / spec.name).mkdir(parents=True, exist_ok=True)
    if on_start:
        on_start(len(plan))
    workers = workers or os.cpu_count() or 1
    ctx = multiprocessing.get_context("spawn")
    records: list[dict[str, Any]] = []
    with ctx.Pool(workers, _init_worker, (scenes, herd, options.size, str(out))) as pool:
        for record in pool.imap(_draw_and_write, plan, chunksize=4):
            records.append(record)
            if on_progress:
                on_progress(1)
        pool.close()  # let the workers exit on their own: no leaked semaphores at shutdown
        pool.join()
    truth = {
        "version": TRUTH_VERSION,
        "generator": "thumper synth",
        "options": {**options.__dict__, "size": list(options.size)},
        "clock": "camera local time, no zone (EXIF DateTimeOriginal holds the same)",
        "cameras": [s.as_json() for s in scenes],
        "individuals": [d.as_json() for d in herd],
        "images": records,
    }
    (out / TRUTH_FILE).write_text(json.dumps(truth, indent=1))
    return RanchResult(
        out, len(records), sum(len(r["animals"]) for r in records), time.perf_counter() - started
    )


def load_truth(folder: Path) -> dict[str, Any]:
    """Read ``truth.json`` of a generated ranch."""
    data: dict[str, Any] = json.loads((folder / TRUTH_FILE).read_text())
    return data
