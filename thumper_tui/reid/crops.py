"""Crops for the identity embedder, cut the same way in training and in the engine.

A detection's box is widened by a small margin (detector boxes are tight and a little unsure at
the antler tips and tail), cut from the photo as the detector decoded it, and letterboxed onto a
fixed ``CROP_HEIGHT`` x ``CROP_WIDTH`` grey canvas with its aspect ratio kept: the shape of the
animal (build, neck, antler spread) is part of who it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

from thumper_tui.vocabulary.boxes import Box

CROP_HEIGHT = 96
CROP_WIDTH = 144
MARGIN = 0.06  # of the box's size, on every side
PAD = 114


def cut(array: np.ndarray[Any, Any], box: Box, margin: float = MARGIN) -> np.ndarray[Any, Any]:
    """The pixels of ``box`` (normalised x1, y1, x2, y2) of ``array``, widened by ``margin``."""
    height, width = array.shape[:2]
    x1, y1, x2, y2 = box
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    left = int(np.clip((x1 - dx) * width, 0, width - 1))
    top = int(np.clip((y1 - dy) * height, 0, height - 1))
    right = int(np.clip(np.ceil((x2 + dx) * width), left + 1, width))
    bottom = int(np.clip(np.ceil((y2 + dy) * height), top + 1, height))
    return array[top:bottom, left:right]


def letterbox(
    crop: np.ndarray[Any, Any], height: int = CROP_HEIGHT, width: int = CROP_WIDTH
) -> np.ndarray[Any, Any]:
    """``crop`` (HxWx3 uint8) scaled to fit a ``height`` x ``width`` grey canvas, centred,
    aspect ratio kept."""
    crop_h, crop_w = crop.shape[:2]
    scale = min(height / max(crop_h, 1), width / max(crop_w, 1))
    new_w = int(np.clip(round(crop_w * scale), 1, width))
    new_h = int(np.clip(round(crop_h * scale), 1, height))
    resized = Image.fromarray(np.ascontiguousarray(crop)).resize(
        (new_w, new_h), Image.Resampling.BILINEAR
    )
    canvas = np.full((height, width, 3), PAD, dtype=np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = np.asarray(resized)
    return canvas


def prepare(array: np.ndarray[Any, Any], boxes: Sequence[Box]) -> np.ndarray[Any, Any]:
    """Letterboxed crops (N x H x W x 3, uint8, channel order as in ``array``) of ``boxes``."""
    if not boxes:
        return np.zeros((0, CROP_HEIGHT, CROP_WIDTH, 3), dtype=np.uint8)
    return np.stack([letterbox(cut(array, box)) for box in boxes])
