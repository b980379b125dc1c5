"""The identity network: a small CNN that maps a deer crop to a unit vector.

Trained with a cosine-margin softmax over the individuals of many synthetic herds
(:mod:`thumper_tui.lab.reid.train`); only the embedding part ships, so inference has no classifier
and no randomly initialised layer. Both average- and max-pooled features are kept: a mark is
small, and averaging alone washes it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

EMBEDDING_DIM = 128
Layers = tuple[tuple[int, int], ...]
# (output channels, stride) of each 3x3 convolution; the first halves the crop at once, since
# on a CPU the full-resolution layers are where the time goes.
LAYERS: Layers = ((24, 2), (32, 1), (48, 2), (64, 1), (96, 2), (128, 1), (128, 1))
# Half as wide again: about twice the arithmetic, for when training can afford it (a GPU).
WIDE_LAYERS: Layers = ((32, 2), (48, 1), (64, 2), (96, 1), (144, 2), (192, 1), (192, 1))
NETS: dict[str, Layers] = {"small": LAYERS, "wide": WIDE_LAYERS}


class IdentityNet(nn.Module):
    """BGR uint8 crops (N x H x W x 3) in, L2-normalised ``EMBEDDING_DIM`` vectors out."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, layers: Sequence[Sequence[int]] = LAYERS, dim: int = EMBEDDING_DIM) -> None:
        super().__init__()
        self.layers = tuple((int(c), int(s)) for c, s in layers)
        modules: list[nn.Module] = []
        c_in = 3
        for c_out, stride in self.layers:
            modules += [
                nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
            ]
            c_in = c_out
        self.features = nn.Sequential(*modules)
        self.head = nn.Sequential(nn.Linear(2 * c_in, dim), nn.BatchNorm1d(dim))
        self.register_buffer("mean", torch.tensor([0.45, 0.45, 0.45]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1))

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        x = crops.permute(0, 3, 1, 2).float() / 255.0
        x = self.features((x - self.mean) / self.std)
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        vectors: torch.Tensor = nn.functional.normalize(self.head(pooled), dim=1)
        return vectors


def load_state(path: Any) -> dict[str, Any]:
    """The saved checkpoint: ``{"state": state_dict, "version": str, "card": dict}``; the card's
    ``layers`` (absent in the first checkpoints) says how the network is built."""
    checkpoint: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    return checkpoint


def net_for(checkpoint: dict[str, Any]) -> IdentityNet:
    """An :class:`IdentityNet` built as ``checkpoint``'s card says, with its weights loaded."""
    net = IdentityNet(checkpoint.get("card", {}).get("layers") or LAYERS)
    net.load_state_dict(checkpoint["state"])
    net.eval()
    return net
