"""Training the identity embedder on synthetic herds, reproducibly and offline.

Crops of the true deer of several generated ranches (each a different herd) are the classes of
a cosine-margin softmax (CosFace); the classifier is thrown away and the embedding ships. The
same options give the same weights on the same machine (seeded generation, sampling and
initialisation; CPU).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from thumper_tui.lab.reid.augment import plain_view, training_view
from thumper_tui.lab.reid.dataset import TruthCrop
from thumper_tui.reid.net import EMBEDDING_DIM, NETS, IdentityNet

SCALE = 24.0
MARGIN = 0.25


@dataclass(frozen=True)
class FitOptions:
    """How the network is fitted. ``net`` names its layers (``net.NETS``); ``device`` is where the
    arithmetic runs and ``loader_workers`` how many processes cut the training views (neither
    changes which views are cut: each is seeded by its epoch and crop)."""

    epochs: int = 60
    batch: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 5e-4
    seed: int = 0
    threads: int = 2
    net: str = "small"
    device: str = "cpu"
    loader_workers: int = 0


class _Views(torch.utils.data.Dataset[tuple[np.ndarray[Any, Any], int]]):
    """Training views by ``(epoch, crop index)``: the same view whichever process cuts it."""

    def __init__(self, crops: Sequence[TruthCrop], labels: Sequence[int], seed: int) -> None:
        self.crops, self.labels, self.seed = crops, labels, seed

    def __len__(self) -> int:
        return len(self.crops)

    def __getitem__(self, key: tuple[int, int]) -> tuple[np.ndarray[Any, Any], int]:
        epoch, index = key
        rng = np.random.default_rng((self.seed, epoch, index))
        return training_view(self.crops[index], rng), self.labels[index]


def _batches(count: int, options: FitOptions) -> list[list[tuple[int, int]]]:
    batches = []
    for epoch in range(options.epochs):
        order = np.random.default_rng((options.seed, epoch)).permutation(count)
        for start in range(0, count, options.batch):
            picked = order[start : start + options.batch]
            if len(picked) >= 2:  # batch norm needs two
                batches.append([(epoch, int(i)) for i in picked])
    return batches


def fit(
    crops: Sequence[TruthCrop],
    labels: Sequence[int],
    options: FitOptions,
    on_epoch: Callable[[int, float, float], None] | None = None,
) -> IdentityNet:
    """Train an :class:`IdentityNet` on ``crops`` whose classes are ``labels``; returned on the
    CPU in eval mode."""
    torch.manual_seed(options.seed)
    torch.set_num_threads(options.threads)
    device = torch.device(options.device)
    if device.type == "cuda":
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    classes = max(labels) + 1
    net = IdentityNet(NETS[options.net])
    centres = nn.Parameter((torch.randn(classes, EMBEDDING_DIM) * 0.01).to(device))
    net.to(device)
    optimiser = torch.optim.AdamW(
        [*net.parameters(), centres], lr=options.learning_rate, weight_decay=options.weight_decay
    )
    batches = _batches(len(crops), options)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=options.learning_rate, total_steps=len(batches), pct_start=0.15
    )
    loader = torch.utils.data.DataLoader(
        _Views(crops, labels, options.seed),
        batch_sampler=batches,
        num_workers=options.loader_workers,
        pin_memory=device.type == "cuda",
    )
    net.train()
    epoch, seen, loss_sum, right = 0, 0, 0.0, 0
    for batch, (views, y) in zip(batches, loader, strict=True):
        if batch[0][0] != epoch:
            if on_epoch:
                on_epoch(epoch + 1, loss_sum / max(seen, 1), right / max(seen, 1))
            epoch, seen, loss_sum, right = batch[0][0], 0, 0.0, 0
        views, y = views.to(device, non_blocking=True), y.to(device, non_blocking=True)
        cosines = net(views) @ nn.functional.normalize(centres, dim=1).T
        margin = nn.functional.one_hot(y, classes).float() * MARGIN
        loss = nn.functional.cross_entropy(SCALE * (cosines - margin), y)
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        schedule.step()
        seen += len(y)
        loss_sum += float(loss.detach()) * len(y)
        right += int((cosines.argmax(dim=1) == y).sum())
    if on_epoch and seen:
        on_epoch(epoch + 1, loss_sum / seen, right / seen)
    net.to("cpu")
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
