"""A buck-or-doe reading of the identity embedding: a linear head fitted beside the embedder.

The detector's own sex calls are noisy where it matters (at night it reads a doe's ears as a
spike buck's antlers, and its calls flip within one burst), and its errors come in runs. The
identity embedding already separates the sexes, since every deer of the training herds is one
or the other; a logistic regression on it (:func:`fit_sex_head`) reads sex from a different
view of the crop than the detector's, so the two are often wrong on different deer.

The head is linear, so a profile's reading needs only its sum of embeddings: the mean logit of
its detections is the head applied to ``sum / count``. It ships in the embedder's card
(``sex_head``), fitted on the same training herds as the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# Ridge on the weights; 128 weights fitted on thousands of crops hardly need it, but it keeps
# the fit finite if the two sexes separate perfectly.
L2 = 1e-3


@dataclass(frozen=True)
class SexHead:
    """``P(buck) = sigmoid(weights . mean_embedding + bias)``."""

    weights: np.ndarray[Any, Any]
    bias: float

    def buck_probability(
        self, sums: np.ndarray[Any, Any], counts: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """Each profile's probability of being a buck, from its summed embeddings (rows) and
        detection counts; 0.5 for a profile without embeddings."""
        counts = np.asarray(counts, dtype=np.float64)
        logits = (np.asarray(sums, dtype=np.float64) @ self.weights) / np.maximum(counts, 1)
        return np.where(counts > 0, 1 / (1 + np.exp(-(logits + self.bias))), 0.5)

    def as_json(self) -> dict[str, Any]:
        return {"weights": [round(float(w), 6) for w in self.weights], "bias": round(self.bias, 6)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SexHead:
        return cls(np.asarray(data["weights"], dtype=np.float64), float(data["bias"]))


def fit_sex_head(
    vectors: np.ndarray[Any, Any], is_buck: np.ndarray[Any, Any], iterations: int = 50
) -> SexHead:
    """Logistic regression by Newton's method (deterministic: no random start, no batches).

    ``vectors``: one embedding per crop of a buck or a doe; ``is_buck``: its truth."""
    x = np.hstack([np.asarray(vectors, dtype=np.float64), np.ones((len(vectors), 1))])
    y = np.asarray(is_buck, dtype=np.float64)
    if not (0 < y.sum() < len(y)):
        raise ValueError("fitting a sex head needs crops of both bucks and does")
    ridge = np.eye(x.shape[1]) * L2 * len(y)
    ridge[-1, -1] = 0.0  # the bias is not shrunk
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (p - y) + ridge @ beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-9:
            break
    return SexHead(beta[:-1], float(beta[-1]))


def card_sex_head(card_path: Path, version: str) -> SexHead | None:
    """The sex head in the card at ``card_path`` when the card is of embedder ``version``; None
    when it is of another version, holds no head, or cannot be read."""
    try:
        card = json.loads(card_path.read_text())
    except (OSError, ValueError):
        return None
    if card.get("name") != version or "sex_head" not in card:
        return None
    return SexHead.from_json(card["sex_head"])
