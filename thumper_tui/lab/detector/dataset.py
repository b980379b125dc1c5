"""Export a synthetic ranch to the ultralytics YOLO dataset layout for training."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image

from thumper_tui.detector.model import DEMO_CLASSES
from thumper_tui.synth.ranch import load_truth

CLASS_INDEX = {name: i for i, name in enumerate(DEMO_CLASSES)}


def label_of(animal: dict[str, Any]) -> str:
    """The demo detector's class for a truth animal: the deer's category or the species."""
    return str(animal["category"] if animal["species"] == "deer" else animal["species"])


def _export_one(job: tuple[Path, Path, Path, dict[str, Any], int]) -> None:
    source, image_dir, label_dir, record, width = job
    img = Image.open(source / record["file"])
    w, h = img.size
    scale = width / w
    small = img.convert("RGB").resize((width, round(h * scale)), Image.Resampling.BILINEAR)
    stem = record["file"].replace("/", "__").rsplit(".", 1)[0]
    small.save(image_dir / f"{stem}.jpg", quality=92)
    lines = []
    for animal in record["animals"]:
        x1, y1, x2, y2 = animal["box"]
        cx, cy = (x1 + x2) / 2 / w, (y1 + y2) / 2 / h
        bw, bh = (x2 - x1) / w, (y2 - y1) / h
        lines.append(f"{CLASS_INDEX[label_of(animal)]} {cx:.6f} {cy:.6f} {bw:.6f} {bh:.6f}")
    (label_dir / f"{stem}.txt").write_text("\n".join(lines) + ("\n" if lines else ""))


def export_yolo(source: Path, out: Path, *, val_share: float = 0.1, width: int = 640) -> Path:
    """Write ``out/images/{train,val}``, ``out/labels/{train,val}`` and ``out/data.yaml``.

    Photos are shrunk to ``width`` pixels, the size training looks at anyway. Every tenth
    burst goes to validation, so frames of one burst never straddle the split.
    """
    truth = load_truth(source)
    jobs = []
    for record in truth["images"]:
        burst = int(record["burst"].lstrip("b"))
        split = "val" if val_share > 0 and burst % round(1 / val_share) == 0 else "train"
        image_dir, label_dir = out / "images" / split, out / "labels" / split
        image_dir.mkdir(parents=True, exist_ok=True)
        label_dir.mkdir(parents=True, exist_ok=True)
        jobs.append((source, image_dir, label_dir, record, width))
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(_export_one, jobs, chunksize=16))
    names = "\n".join(f"  {i}: {n}" for i, n in enumerate(DEMO_CLASSES))
    data = out / "data.yaml"
    data.write_text(
        f"path: {out.resolve()}\ntrain: images/train\nval: images/val\nnames:\n{names}\n"
    )
    return data
