"""Keep ultralytics offline and silent: call :func:`prepare` before importing it.

Ultralytics otherwise writes settings to ~/.config/Ultralytics, downloads a font from GitHub
the first time it plots, may try ``pip install`` for a missing package, and prints banners.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from thumper_tui import paths

_PREPARED = False


def yolo_config_dir() -> Path:
    """Where ultralytics keeps its settings for Thumper: inside Thumper's own data folder."""
    return paths.data_dir() / "ultralytics"


def prepare() -> None:
    """Set the environment ultralytics reads at import time; idempotent."""
    global _PREPARED
    if _PREPARED:
        return
    config = yolo_config_dir()
    (config / "Ultralytics").mkdir(parents=True, exist_ok=True)
    os.environ["YOLO_CONFIG_DIR"] = str(config)
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "0"
    os.environ["YOLO_VERBOSE"] = "0"
    os.environ.setdefault("MPLCONFIGDIR", str(config / "matplotlib"))
    font = config / "Ultralytics" / "Arial.ttf"
    if not font.exists():
        # ultralytics fetches Arial.ttf from the internet unless a file is already there.
        import matplotlib

        bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        if bundled.exists():
            shutil.copyfile(bundled, font)
    logging.getLogger("ultralytics").setLevel(logging.ERROR)
    _PREPARED = True
