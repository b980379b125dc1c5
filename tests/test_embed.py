"""The backbone embedder: fixed weights, deterministic across processes, normalised."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from thumper_tui.detector.model import load_detector
from thumper_tui.engine.embed import BackboneEmbedder, from_bytes, letterbox, to_bytes

PHOTO = Path(__file__).parent / "data" / "real" / "zamba-ena24" / "2480.jpg"
SCRIPT = """
import sys
import numpy as np
from PIL import Image
from thumper_tui.detector.model import load_detector
from thumper_tui.engine.embed import BackboneEmbedder, to_bytes
img = np.asarray(Image.open(sys.argv[1]).convert("RGB"))[:, :, ::-1]
crop = np.ascontiguousarray(img[300:700, 500:1100])
sys.stdout.buffer.write(to_bytes(BackboneEmbedder(load_detector()).embed([crop])[0]))
"""


def crop() -> np.ndarray:
    img = np.asarray(Image.open(PHOTO).convert("RGB"))[:, :, ::-1]
    return np.ascontiguousarray(img[300:700, 500:1100])


def test_same_crop_same_vector_in_another_process() -> None:
    here = to_bytes(BackboneEmbedder(load_detector()).embed([crop()])[0])
    there = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(PHOTO)], capture_output=True, check=True
    ).stdout
    assert here == there
    vector = from_bytes(here)
    assert vector.shape == (448,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-2


def test_batch_rows_are_independent_and_normalised() -> None:
    embedder = BackboneEmbedder(load_detector())
    a, b = crop(), np.ascontiguousarray(crop()[::-1])
    together = embedder.embed([a, b])
    assert np.allclose(together[0], embedder.embed([a])[0], atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert abs(float(together[:, :].mean(axis=1)[0])) < 1e-6  # centred
    assert embedder.embed([]).shape[0] == 0


def test_letterbox_keeps_aspect_on_grey() -> None:
    tall = np.zeros((100, 20, 3), dtype=np.uint8)
    boxed = letterbox(tall, 64)
    assert boxed.shape == (64, 64, 3)
    assert (boxed[:, :20] == 114).all() and (boxed[:, 32] == 0).all()
