"""How well an embedder tells individual deer apart on a synthetic ranch (a research probe,
not a benchmark): embeds the true deer boxes and reports

- the share of deer whose nearest neighbour from another burst, same category, is the same deer,
- mean cosine similarity of same-deer pairs and of different-deer pairs of one category,
- B-cubed precision / recall / F1 of a greedy threshold clustering at several thresholds.

    .venv/bin/python benchmarks/probe_embedder.py --data RANCH [--images 500]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from thumper_tui.detector.model import load_detector
from thumper_tui.reid.crops import letterbox
from thumper_tui.vocabulary.bcubed import bcubed

CROP_SIZE = 128
TAPS = (4, 6, 9)  # C2f at stride 8, C2f at stride 16, SPPF at stride 32


class BackboneEmbedder:
    """The design's default embedder, kept here to measure it: a BGR crop letterboxed to a
    square, run through the detector's backbone (layers 0-9 of a YOLOv8, fixed weights), the
    feature maps of three depths global-average-pooled, concatenated, centred and
    L2-normalised. Too weak for re-ID (docs/architecture.md, "Departures from the design")."""

    version = "yolo-backbone-gap-v1"

    def __init__(self, yolo: Any, device: str = "cpu") -> None:
        import torch

        net = yolo.model  # the DetectionModel
        # A copy: the detector fuses its own layers in place on first use.
        self.layers = [copy.deepcopy(net.model[i]) for i in range(max(TAPS) + 1)]
        for layer in self.layers:
            layer.eval()
        self.device = torch.device(device)

    def embed(self, crops: Sequence[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        """One L2-normalised float32 row per BGR crop."""
        import torch

        batch = np.stack(
            [letterbox(np.ascontiguousarray(c[:, :, ::-1]), CROP_SIZE, CROP_SIZE) for c in crops]
        )
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
        return (features / np.maximum(norms, 1e-12)).astype(np.float32)


def greedy_clusters(vectors: np.ndarray, categories: np.ndarray, threshold: float) -> list[int]:
    banks: list[tuple[np.ndarray, str]] = []
    labels = []
    for vector, category in zip(vectors, categories, strict=True):
        scores = [float(np.max(bank @ vector)) if cat == category else -1.0 for bank, cat in banks]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= threshold:
            banks[best] = (np.vstack([banks[best][0], vector])[-8:], category)
            labels.append(best)
        else:
            banks.append((vector[None], category))
            labels.append(len(banks) - 1)
    return labels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--images", type=int, default=500)
    args = parser.parse_args()
    truth = json.loads((args.data / "truth.json").read_text())
    embedder = BackboneEmbedder(load_detector())
    crops, ids, bursts, categories = [], [], [], []
    for record in truth["images"][: args.images]:
        deer = [a for a in record["animals"] if a["species"] == "deer"]
        if not deer:
            continue
        photo = np.asarray(Image.open(args.data / record["file"]).convert("RGB"))[:, :, ::-1]
        for animal in deer:
            x1, y1, x2, y2 = animal["box"]
            crops.append(np.ascontiguousarray(photo[y1:y2, x1:x2]))
            ids.append(animal["individual"])
            bursts.append(record["burst"])
            categories.append(animal["category"])
    vectors = np.concatenate([embedder.embed(crops[i : i + 32]) for i in range(0, len(crops), 32)])
    id_arr, burst_arr, cat_arr = np.array(ids), np.array(bursts), np.array(categories)
    sims = vectors @ vectors.T
    hits = total = 0
    for i in range(len(vectors)):
        mask = (burst_arr != burst_arr[i]) & (cat_arr == cat_arr[i])
        if mask.any():
            total += 1
            hits += id_arr[int(np.argmax(np.where(mask, sims[i], -9.0)))] == id_arr[i]
    same = sims[id_arr[:, None] == id_arr[None, :]].mean()
    other = sims[(id_arr[:, None] != id_arr[None, :]) & (cat_arr[:, None] == cat_arr[None, :])]
    print(f"{len(vectors)} deer crops, {len(set(ids))} individuals, {embedder.version}")
    print(f"nearest other-burst neighbour is the same deer: {hits / max(total, 1):.3f}")
    print(f"mean similarity: same deer {same:.3f}, different deer {other.mean():.3f}")
    for threshold in (0.7, 0.8, 0.85, 0.9, 0.93):
        labels = greedy_clusters(vectors, cat_arr, threshold)
        score = bcubed(labels, ids)
        print(
            f"threshold {threshold}: {len(set(labels))} profiles, B-cubed P {score.precision:.3f}"
            f" R {score.recall:.3f} F1 {score.f1:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
