"""User-like models the tests make for themselves: weights with other class names, and a tiny
crop classifier, trained for a few seconds on a small synthetic ranch.

A rancher's own weights name their classes as they like (``Mature``, ``Doe``, ``Coyote``...)
and often pair a generic deer detector with a sex / age classifier; these stand in for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from thumper_tui.detector.model import DEMO_WEIGHTS
from thumper_tui.detector.offline import prepare
from thumper_tui.lab.detector.dataset import export_yolo, label_of
from thumper_tui.synth.ranch import RanchOptions, load_truth

# The demo detector's classes as a ranch model might name them, index for index.
USER_CLASSES = ("Mature", "Doe", "Fawn", "Raccoon", "Hog", "Coyote")
USER_IMGSZ = 320  # not the demo detector's 512: the checkpoint's own size must be used
# The classifier's classes: names only a category map can place.
CROP_CLASSES = {"buck": "antlered", "doe": "antlerless", "fawn": "spotted"}


def _train(model: Any, runs: Path, name: str, **options: Any) -> Path:
    """Train ``model`` quietly on the CPU with every core; its last weights."""
    import torch

    threads = os.cpu_count() or 1
    model.add_callback("on_pretrain_routine_start", lambda _t: torch.set_num_threads(threads))
    model.train(
        device="cpu",
        workers=0,
        amp=False,
        plots=False,
        val=False,
        project=str(runs),
        name=name,
        exist_ok=True,
        verbose=False,
        **options,
    )
    return runs / name / "weights" / "last.pt"


def train_user_detector(ranch: Path, work: Path) -> Path:
    """Weights whose classes are :data:`USER_CLASSES`, trained at :data:`USER_IMGSZ`: one short
    epoch from the demo detector, so they find the synthetic deer from the first step."""
    prepare()
    from ultralytics import YOLO

    data = export_yolo(ranch, work / "data", val_share=0.25, width=USER_IMGSZ)
    names = "\n".join(f"  {i}: {n}" for i, n in enumerate(USER_CLASSES))
    text = data.read_text()
    data.write_text(text[: text.index("names:")] + f"names:\n{names}\n")
    model = YOLO(str(DEMO_WEIGHTS), task="detect")
    return _train(
        model,
        work / "runs",
        "user",
        data=str(data),
        epochs=1,
        imgsz=USER_IMGSZ,
        batch=8,
        lr0=1e-5,
        warmup_epochs=0,
    )


def renamed(weights: Path, names: dict[int, str], out: Path) -> Path:
    """A copy of ``weights`` whose classes are called ``names`` (same boxes, same sizes)."""
    import torch

    checkpoint = torch.load(weights, map_location="cpu", weights_only=False)
    checkpoint["model"].names = dict(names)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, out)
    return out


def crop_folders(ranch: Path, out: Path) -> Path:
    """The ranch's true deer as crops in ``out/{train,val}/CLASS/`` (the classify layout)."""
    truth = load_truth(ranch)
    count = 0
    for record in truth["images"]:
        animals = [a for a in record["animals"] if label_of(a) in CROP_CLASSES]
        if not animals:
            continue
        with Image.open(ranch / record["file"]) as photo:
            for animal in animals:
                split = "val" if count % 4 == 0 else "train"
                folder = out / split / CROP_CLASSES[label_of(animal)]
                folder.mkdir(parents=True, exist_ok=True)
                photo.crop(tuple(animal["box"])).convert("RGB").resize((48, 48)).save(
                    folder / f"{count}.jpg"
                )
                count += 1
    for split in ("train", "val"):
        for name in CROP_CLASSES.values():
            (out / split / name).mkdir(parents=True, exist_ok=True)
    return out


def train_crop_classifier(ranch: Path, work: Path) -> Path:
    """A tiny ultralytics classifier of deer crops, classes named by :data:`CROP_CLASSES`."""
    prepare()
    from ultralytics import YOLO

    folders = crop_folders(ranch, work / "crops")
    model = YOLO("yolov8n-cls.yaml", task="classify")  # architecture only: nothing to download
    return _train(
        model, work / "runs", "cls", data=str(folders), epochs=3, imgsz=32, batch=32,
        pretrained=False,
    )  # fmt: skip


# The same weights with names no default knows: only a category map places them.
FOREIGN_CLASSES = ("Antlered", "Antlerless", "Spotted", "Person", "Hog", "Coyote")
FOREIGN_MAP = "Antlered=buck,Antlerless=doe,Spotted=fawn"
# A generic deer detector (every deer class one "Deer"), for the two-stage set-up.
GENERIC_CLASSES = ("Deer", "Deer", "Deer", "Raccoon", "Hog", "Coyote")
CROP_MAP = ",".join(f"{name}={category}" for category, name in CROP_CLASSES.items())
# A small ranch of 640x360 frames the user models are trained on and tested with.
USER_RANCH = RanchOptions(cameras=2, deer=8, days=4, images=40, size=(640, 360), seed=77)


@dataclass(frozen=True)
class UserModels:
    """The weights a test session made: the user's detector, renamed copies, a classifier."""

    ranch: Path
    detector: Path  # classes USER_CLASSES, trained at USER_IMGSZ
    foreign: Path  # classes FOREIGN_CLASSES
    generic: Path  # classes GENERIC_CLASSES
    classifier: Path  # classes CROP_CLASSES' values


def make_user_models(ranch: Path, work: Path) -> UserModels:
    """Train and rename every user-like model (about half a minute on two cores)."""
    detector = train_user_detector(ranch, work / "detector")
    return UserModels(
        ranch=ranch,
        detector=detector,
        foreign=renamed(detector, dict(enumerate(FOREIGN_CLASSES)), work / "foreign.pt"),
        generic=renamed(detector, dict(enumerate(GENERIC_CLASSES)), work / "generic.pt"),
        classifier=train_crop_classifier(ranch, work / "classifier"),
    )
