"""Re-identification embeddings from the detector's own backbone.

A crop is letterboxed to a fixed square, run through the detector's backbone (layers 0-9 of a
YOLOv8, all with fixed trained weights: nothing randomly initialised), and the feature maps of
three depths are global-average-pooled, concatenated, centred and L2-normalised. The same crop
gives the same vector in any process (CPU inference in eval mode; stored as float16).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np

EMBEDDING_VERSION = "yolo-backbone-gap-v1"
CROP_SIZE = 128
TAPS = (4, 6, 9)  # C2f at stride 8, C2f at stride 16, SPPF at stride 32
PAD = 114  # ultralytics' letterbox grey


def letterbox(crop: np.ndarray[Any, Any], size: int = CROP_SIZE) -> np.ndarray[Any, Any]:
    """``crop`` (HxWx3) scaled to fit ``size``x``size`` and centred on grey, aspect kept."""
    from PIL import Image

    height, width = crop.shape[:2]
    scale = size / max(height, width, 1)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    resized = np.asarray(Image.fromarray(crop).resize((new_w, new_h), Image.Resampling.BILINEAR))
    canvas = np.full((size, size, 3), PAD, dtype=np.uint8)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = resized
    return canvas


class BackboneEmbedder:
    """Embeds BGR crops with the backbone of an ultralytics YOLO detection model."""

    version = EMBEDDING_VERSION

    def __init__(self, yolo: Any, device: str = "cpu") -> None:
        import torch

        net = yolo.model  # the DetectionModel
        # A copy: the detector fuses its own layers in place on first use, and the embedding
        # must not depend on whether that has happened yet.
        self.layers = [copy.deepcopy(net.model[i]) for i in range(max(TAPS) + 1)]
        for layer in self.layers:
            layer.eval()
        self.device = torch.device(device)
        self.dim = 0

    def embed(self, crops: Sequence[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        """One L2-normalised float32 row per BGR crop."""
        import torch

        if not crops:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = np.stack([letterbox(np.ascontiguousarray(c[:, :, ::-1])) for c in crops])
        x = torch.from_numpy(batch).to(self.device).permute(0, 3, 1, 2).float() / 255.0
        pooled = []
        with torch.inference_mode():
            for index, layer in enumerate(self.layers):
                x = layer(x)
                if index in TAPS:
                    pooled.append(x.mean(dim=(2, 3)))
        features = torch.cat(pooled, dim=1).float().cpu().numpy()
        features -= features.mean(axis=1, keepdims=True)
        norms = np.linalg.norm(features, axis=1, keepdims=True)
        vectors: np.ndarray[Any, Any] = (features / np.maximum(norms, 1e-12)).astype(np.float32)
        self.dim = vectors.shape[1]
        return vectors


def to_bytes(vector: np.ndarray[Any, Any]) -> bytes:
    """The stored form: float16, little-endian."""
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(blob: bytes) -> np.ndarray[Any, Any]:
    """A stored embedding back as float32."""
    return np.frombuffer(blob, dtype="<f2").astype(np.float32)
