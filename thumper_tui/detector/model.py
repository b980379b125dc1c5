"""Loading detector weights: the user's, or the demo detector shipped in the package."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from thumper_tui.detector.offline import prepare

MODELS = Path(__file__).resolve().parent.parent / "models"
DEMO_WEIGHTS = MODELS / "thumper-demo-yolov8n.pt"
DEMO_CARD = MODELS / "thumper-demo-yolov8n.json"
# Classes of the demo detector, in index order (user weights bring their own model.names).
DEMO_CLASSES = ("buck", "doe", "fawn", "raccoon", "hog", "coyote")


class DetectorError(Exception):
    """Weights that cannot be used; the message is one line for the user."""


def unloadable(weights: Path, exc: BaseException) -> str:
    """One sentence of ours for weights ultralytics cannot load (not its advice to download
    another model), naming the first cause."""
    root = exc
    while root.__cause__ is not None or root.__context__ is not None:
        root = root.__cause__ or root.__context__  # type: ignore[assignment]
    size = weights.stat().st_size if weights.is_file() else 0
    what = "the file is empty" if size == 0 else f"{type(root).__name__}: {root}".splitlines()[0]
    return (
        f"cannot load model weights {weights}: not a readable ultralytics checkpoint ({what}); "
        "copy or export the weights again, or use other weights"
    )


@functools.cache
def demo_sha256() -> str:
    """The shipped demo detector's sha256 (a copy of it elsewhere is still the demo detector)."""
    return hashlib.sha256(DEMO_WEIGHTS.read_bytes()).hexdigest()


def is_demo_weights(sha256: str) -> bool:
    """Whether weights of this hash are the shipped demo detector."""
    return sha256 == demo_sha256()


def weights_are_demo(path: Path | None) -> bool:
    """Whether the weights at ``path`` (``None``: the shipped ones) are the demo detector."""
    weights = (path or DEMO_WEIGHTS).expanduser()
    try:
        return is_demo_weights(hashlib.sha256(weights.read_bytes()).hexdigest())
    except OSError:
        return False


def load_detector(path: Path | None = None) -> Any:
    """An ultralytics ``YOLO`` for ``path`` (default: the shipped demo weights).

    Only an existing local file is accepted: ultralytics would otherwise try to download a
    missing ``yolov8n.pt`` from the internet.
    """
    weights = (path or DEMO_WEIGHTS).expanduser()
    if not weights.is_file():
        raise DetectorError(f"model weights not found: {weights}")
    prepare()
    from ultralytics import YOLO

    try:
        model = YOLO(str(weights), task="detect")
    except Exception as exc:  # ultralytics raises many types for a bad file
        raise DetectorError(unloadable(weights, exc)) from None
    if getattr(model, "task", "detect") != "detect":
        raise DetectorError(
            f"model weights {weights} are a {model.task} model, not a detection model "
            "(a classification model belongs in the `classifier` setting)"
        )
    return model


def default_imgsz(weights: Path | None) -> int:
    """Inference size: the demo detector's training size from its card, else 640."""
    if weights is None and DEMO_CARD.is_file():
        try:
            return int(json.loads(DEMO_CARD.read_text())["training"]["imgsz"])
        except (ValueError, KeyError, TypeError):
            pass
    return 640


def trained_imgsz(model: Any) -> int | None:
    """The image size ``model`` was trained at, from its checkpoint's training arguments."""
    args = (getattr(model, "ckpt", None) or {}).get("train_args") or {}
    size = args.get("imgsz") if isinstance(args, dict) else None
    return size if isinstance(size, int) and size > 0 else None


def class_names(model: Any) -> dict[int, str]:
    """The model's class names by index, as ``model.names`` gives them."""
    return {int(k): str(v) for k, v in dict(model.names).items()}
