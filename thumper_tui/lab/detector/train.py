"""Train the shipped demo detector on a synthetic ranch, reproducibly and offline.

``thumper train-demo`` runs :func:`train_demo`: generate a ranch from a fixed seed, export it
in the YOLO layout, train a yolov8n built from its yaml (no downloaded weights), evaluate it on
a ranch from a seed it never saw, then copy the weights into the package with a model card.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from thumper_tui.detector.model import DEMO_CARD, DEMO_CLASSES, DEMO_WEIGHTS, load_detector
from thumper_tui.detector.offline import prepare
from thumper_tui.lab.detector.dataset import export_yolo
from thumper_tui.lab.detector.evaluate import evaluate_detector
from thumper_tui.lab.progress import Progress, silent
from thumper_tui.synth.ranch import RanchOptions, generate


@dataclass(frozen=True)
class TrainOptions:
    """Everything that shapes the demo detector; recorded in its model card."""

    seed: int = 1000
    images: int = 1500
    deer: int = 80
    epochs: int = 50
    imgsz: int = 512
    batch: int = 16
    export_width: int = 640
    eval_seed: int = 2000
    eval_images: int = 300


def _train(data: Path, runs: Path, options: TrainOptions, on_epoch: Callable[[int], None]) -> Path:
    import torch
    from ultralytics import YOLO

    torch.manual_seed(options.seed)
    model = YOLO("yolov8n.yaml", task="detect")  # architecture only: no weights to download
    # ultralytics trains on cpu_count - 1 threads, a single one on a 2-core box; take them all.
    threads = os.cpu_count() or 1
    model.add_callback("on_pretrain_routine_start", lambda _trainer: torch.set_num_threads(threads))
    model.add_callback("on_train_epoch_end", lambda _trainer: on_epoch(1))
    model.train(
        data=str(data),
        epochs=options.epochs,
        imgsz=options.imgsz,
        batch=options.batch,
        device="cpu",
        workers=2,
        seed=options.seed,
        deterministic=True,
        pretrained=False,
        amp=False,
        plots=False,
        val=True,
        cache="ram",
        rect=True,  # 16:9 frames at 512x288: 44% less work than square, and no mosaic
        project=str(runs),
        name="demo",
        exist_ok=True,
        verbose=False,
    )
    return runs / "demo" / "weights" / "best.pt"


def evaluate_unseen(weights: Path, work: Path, options: TrainOptions) -> dict[str, Any]:
    """The metrics of ``weights`` on a ranch drawn from ``options.eval_seed``."""
    ranch = work / f"eval-{options.eval_seed}"
    if not (ranch / "truth.json").exists():
        generate(ranch, RanchOptions(images=options.eval_images, seed=options.eval_seed))
    return evaluate_detector(load_detector(weights), ranch, imgsz=options.imgsz)


DEMO_NOT_FOR = (
    "real camera photos: it has never seen a real deer, and on real frames it finds 'deer' in "
    "empty scenes and in other animals. Thumper refuses to run it on photos without the "
    "synthetic mark unless --allow-demo-model is given; set `model` to your own ultralytics "
    "weights for a real ranch."
)


def model_card(
    options: TrainOptions, weights: Path, seconds: dict[str, float], metrics: dict[str, Any]
) -> dict[str, Any]:
    """The JSON that ships beside the weights."""
    import torch
    import ultralytics

    return {
        "name": "thumper-demo-yolov8n",
        "architecture": "yolov8n (from yolov8n.yaml, trained from scratch)",
        "trained_on": f"{options.images:,} synthetic photos from `thumper synth` (seed "
        f"{options.seed}, {options.deer} painted deer, with raccoons, hogs and coyotes on "
        f"generated backgrounds); evaluated on {options.eval_images} more "
        f"(seed {options.eval_seed})",
        "not_for": DEMO_NOT_FOR,
        "classes": list(DEMO_CLASSES),
        "training": asdict(options),
        "data": {
            "generator": "thumper synth",
            "seed": options.seed,
            "images": options.images,
            "deer": options.deer,
            "size": [1920, 1080],
        },
        "evaluation": {
            "seed": options.eval_seed,
            "images": options.eval_images,
            "size": [1920, 1080],
            **metrics,
        },
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "versions": {
            "ultralytics": ultralytics.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, cpu",
        "weights_bytes": weights.stat().st_size,
    }


def install_demo(weights: Path, card: dict[str, Any]) -> None:
    """Copy ``weights`` and ``card`` into the package as the demo detector."""
    DEMO_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(weights, DEMO_WEIGHTS)
    DEMO_CARD.write_text(json.dumps(card, indent=2) + "\n")


def train_demo(
    work: Path, options: TrainOptions, *, install: bool = True, progress: Progress = silent
) -> dict[str, Any]:
    """Generate data, train, evaluate on an unseen seed and (with ``install``) ship the result.

    Returns the model card. ``work`` keeps the ranches, the dataset and ultralytics' run folder;
    ``progress`` is told of the drawing and of every epoch.
    """
    prepare()
    started = time.perf_counter()
    ranch = work / "ranch"
    if not (ranch / "truth.json").exists():
        drawn = progress("Drawing", "photos", options.images)
        generate(
            ranch,
            RanchOptions(images=options.images, deer=options.deer, seed=options.seed),
            on_progress=drawn,
        )
    data = export_yolo(ranch, work / "yolo", width=options.export_width)
    generated = time.perf_counter()
    weights = _train(data, work / "runs", options, progress("Training", "epochs", options.epochs))
    trained = time.perf_counter()
    metrics = evaluate_unseen(weights, work, options)
    seconds = {
        "data": generated - started,
        "train": trained - generated,
        "evaluate": time.perf_counter() - trained,
    }
    card = model_card(options, weights, seconds, metrics)
    if install:
        install_demo(weights, card)
    return card
