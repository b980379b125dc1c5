"""The identity embedder the engine runs: shipped weights, fixed, versioned.

Loads ``thumper_tui/models/thumper-reid-v2.pt`` (written by ``thumper train-reid``). Inference
is in eval mode, on the CPU in float32 (the network is small; a crop costs well under a
millisecond), so the same crop gives the same vector in any process and on any machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from thumper_tui.reid.crops import prepare
from thumper_tui.reid.gallery import DEFAULT_MERGE_THRESHOLD, DEFAULT_THRESHOLD
from thumper_tui.reid.sex import SexHead, card_sex_head
from thumper_tui.vocabulary.boxes import Box

REID_WEIGHTS = Path(__file__).resolve().parent.parent / "models" / "thumper-reid-v2.pt"
REID_VERSION = "thumper-reid-v2"


def shipped_sex_head(version: str) -> SexHead | None:
    """The sex head shipped in the card of embedder ``version`` (None for another version)."""
    return card_sex_head(REID_WEIGHTS.with_suffix(".json"), version)


class EmbedderError(Exception):
    """The identity embedder's weights cannot be loaded; the message is one line."""


class IdentityEmbedder:
    """Embeds deer boxes of a decoded (BGR) photo as L2-normalised float32 rows."""

    def __init__(self, weights: Path | None = None) -> None:
        import torch

        from thumper_tui.reid.net import load_state, net_for

        weights = weights or REID_WEIGHTS
        try:
            checkpoint = load_state(weights)
            net = net_for(checkpoint)
        except Exception as exc:  # missing, truncated, or made for another network
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EmbedderError(f"cannot load the identity embedder {weights}: {reason}") from exc
        self.net = net
        self.version = str(checkpoint.get("version", REID_VERSION))
        # The threshold chosen with these weights on the validation ranch.
        card = checkpoint.get("card", {})
        self.threshold = float(card.get("threshold", DEFAULT_THRESHOLD))
        self.merge_threshold = float(card.get("merge_threshold", DEFAULT_MERGE_THRESHOLD))
        small = card.get("small_threshold")
        self.small_threshold = None if small is None else float(small)
        self.net.eval()
        self._torch = torch

    def embed(self, array: np.ndarray[Any, Any], boxes: Sequence[Box]) -> np.ndarray[Any, Any]:
        """One row per box (normalised x1, y1, x2, y2) of ``array``."""
        return self.embed_prepared(prepare(array, boxes))

    def embed_prepared(self, crops: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """One row per letterboxed crop (see :func:`thumper_tui.reid.crops.prepare`)."""
        if not len(crops):
            return np.zeros((0, self.net.head[0].out_features), dtype=np.float32)
        with self._torch.inference_mode():
            vectors = self.net(self._torch.from_numpy(np.ascontiguousarray(crops)))
        return np.asarray(vectors.numpy(), dtype=np.float32)
