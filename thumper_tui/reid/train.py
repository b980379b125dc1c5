"""Training the identity embedder on synthetic herds, reproducibly and offline.

Crops of the true deer of several generated ranches (each a different herd) are the classes of
a cosine-margin softmax (CosFace); the classifier is thrown away and the embedding ships. The
same options give the same weights on the same machine (seeded generation, sampling and
initialisation; CPU).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from thumper_tui.reid.augment import plain_view, training_view
from thumper_tui.reid.dataset import TruthCrop
from thumper_tui.reid.net import EMBEDDING_DIM, IdentityNet

SCALE = 24.0
MARGIN = 0.25


@dataclass(frozen=True)
class FitOptions:
    """How the network is fitted."""

    epochs: int = 22
    batch: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 5e-4
    seed: int = 0
    threads: int = 2


def fit(
    crops: Sequence[TruthCrop],
    labels: Sequence[int],
    options: FitOptions,
    on_epoch: Callable[[int, float, float], None] | None = None,
) -> IdentityNet:
    """Train an :class:`IdentityNet` on ``crops`` whose classes are ``labels``."""
    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    rng = np.random.default_rng(options.seed)
    classes = max(labels) + 1
    net = IdentityNet()
    centres = nn.Parameter(torch.randn(classes, EMBEDDING_DIM) * 0.01)
    params = [*net.parameters(), centres]
    optimiser = torch.optim.AdamW(
        params, lr=options.learning_rate, weight_decay=options.weight_decay
    )
    steps_per_epoch = math.ceil(len(crops) / options.batch)
    total = options.epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=options.learning_rate, total_steps=total, pct_start=0.15
    )
    target = torch.tensor(labels)
    for epoch in range(options.epochs):
        net.train()
        order = rng.permutation(len(crops))
        started, seen, loss_sum, right = time.perf_counter(), 0, 0.0, 0
        for step in range(steps_per_epoch):
            picked = order[step * options.batch : (step + 1) * options.batch]
            if len(picked) < 2:
                continue
            views = np.stack([training_view(crops[i], rng) for i in picked])
            vectors = net(torch.from_numpy(views))
            cosines = vectors @ nn.functional.normalize(centres, dim=1).T
            y = target[picked]
            margin = nn.functional.one_hot(y, classes).float() * MARGIN
            loss = nn.functional.cross_entropy(SCALE * (cosines - margin), y)
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            schedule.step()
            seen += len(picked)
            loss_sum += float(loss.detach()) * len(picked)
            right += int((cosines.argmax(dim=1) == y).sum())
        if on_epoch:
            on_epoch(epoch + 1, loss_sum / max(seen, 1), right / max(seen, 1))
        del started
    net.eval()
    return net


def embed_crops(
    net: IdentityNet, crops: Sequence[TruthCrop], batch: int = 256
) -> np.ndarray[Any, Any]:
    """Embeddings of the plain views of ``crops`` (float32 rows)."""
    net.eval()
    rows = []
    with torch.inference_mode():
        for start in range(0, len(crops), batch):
            views = np.stack([plain_view(c) for c in crops[start : start + batch]])
            rows.append(net(torch.from_numpy(views)).numpy())
    return np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)


def cross_burst_accuracy(vectors: np.ndarray[Any, Any], crops: Sequence[TruthCrop]) -> float:
    """How often the nearest crop from another burst (same category) is the same deer."""
    sims = vectors @ vectors.T
    bursts = np.array([c.burst for c in crops])
    cats = np.array([c.category for c in crops])
    ids = np.array([c.individual for c in crops])
    sims[bursts[:, None] == bursts[None, :]] = -2
    sims[cats[:, None] != cats[None, :]] = -2
    best = sims.argmax(axis=1)
    valid = sims.max(axis=1) > -2
    return float((ids[best] == ids)[valid].mean())
