"""The shipped identity embedder and how it is made: the same vectors in any process, the
threshold replay's scoring, the sex head, and training that the loader's processes do not
change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.helpers import unit

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it

EMBED_ONE = """
import numpy as np, sys
from thumper_tui.reid.embedder import IdentityEmbedder
photo = np.random.default_rng(5).integers(0, 255, (360, 640, 3), dtype=np.uint8)
v = IdentityEmbedder().embed(photo, [(0.2, 0.3, 0.5, 0.7), (0.6, 0.1, 0.9, 0.6)])
sys.stdout.write(v.astype('<f4').tobytes().hex())
"""


def test_the_shipped_embedder_is_deterministic_across_processes() -> None:
    from thumper_tui.reid.embedder import REID_WEIGHTS, IdentityEmbedder
    from thumper_tui.reid.net import EMBEDDING_DIM, IdentityNet, load_state

    checkpoint = load_state(REID_WEIGHTS)
    assert set(checkpoint["state"]) == set(IdentityNet().state_dict())  # every layer trained
    assert 0.0 < checkpoint["card"]["threshold"] < 1.0
    runs = [
        subprocess.run(
            [sys.executable, "-c", EMBED_ONE], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    vectors = np.frombuffer(bytes.fromhex(runs[0]), dtype="<f4").reshape(2, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    here = IdentityEmbedder().embed(
        np.random.default_rng(5).integers(0, 255, (360, 640, 3), dtype=np.uint8),
        [(0.2, 0.3, 0.5, 0.7), (0.6, 0.1, 0.9, 0.6)],
    )
    assert np.array_equal(here, vectors)


@pytest.mark.parametrize("threshold", [0.5, 0.99])
def test_the_replay_scores_a_clustering_against_the_truth(threshold: float) -> None:
    from thumper_tui.lab.reid.dataset import TruthCrop
    from thumper_tui.lab.reid.replay import replay

    def crop(file: str, who: str, box: tuple[float, float, float, float]) -> TruthCrop:
        return TruthCrop(
            pixels=np.zeros((4, 4, 3), dtype=np.uint8),
            box=(0, 0, 1, 1),
            photo_box=box,
            individual=who,
            category="doe",
            camera="A",
            burst=file,
            night=False,
            taken_at=f"2025-01-0{file[-1]}T06:00:00",
            file=file,
        )

    crops = [
        crop("f1", "x", (0.1, 0.1, 0.2, 0.2)),
        crop("f2", "x", (0.5, 0.5, 0.6, 0.6)),
        crop("f3", "y", (0.1, 0.1, 0.2, 0.2)),
    ]
    vectors = np.stack([unit(1, 0), unit(1, 0.2), unit(0, 1)])
    result = replay(crops, vectors, threshold)
    if threshold == 0.5:  # x with x (similarity 0.98), y alone (0.2)
        assert result.profiles == 2 and result.score.f1 == 1.0
    else:
        assert result.profiles == 3 and result.score.precision == 1.0 and result.score.recall < 1


def test_the_sex_head_fit_recovers_a_linear_rule_and_reads_profiles_from_sums() -> None:
    from thumper_tui.reid.sex import SexHead, fit_sex_head

    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(400, 8))
    is_buck = vectors[:, 0] - 0.5 * vectors[:, 3] > 0.2
    head = fit_sex_head(vectors, is_buck)
    single = head.buck_probability(vectors, np.ones(len(vectors)))
    assert ((single > 0.5) == is_buck).mean() > 0.97
    assert fit_sex_head(vectors, is_buck).as_json() == head.as_json()  # deterministic
    # A profile's reading is the head on its mean embedding, and 0.5 without embeddings.
    both = head.buck_probability(np.stack([vectors[:3].sum(0), np.zeros(8)]), np.array([3, 0]))
    mean_logit = (vectors[:3].mean(0) @ head.weights) + head.bias
    assert both[0] == pytest.approx(1 / (1 + np.exp(-mean_logit))) and both[1] == 0.5
    assert SexHead.from_json(head.as_json()).bias == pytest.approx(head.bias, abs=1e-6)
    with pytest.raises(ValueError, match="both"):
        fit_sex_head(vectors, np.ones(len(vectors), dtype=bool))


def test_the_shipped_card_holds_a_sex_head_of_its_embedder() -> None:
    from thumper_tui.reid.embedder import REID_VERSION, shipped_sex_head
    from thumper_tui.reid.net import EMBEDDING_DIM

    head = shipped_sex_head(REID_VERSION)
    assert head is not None and head.weights.shape == (EMBEDDING_DIM,)
    assert shipped_sex_head("thumper-reid-v1") is None  # another embedder's vectors


def _coloured_crops(count: int) -> tuple[list[Any], list[int]]:
    from thumper_tui.lab.reid.dataset import TruthCrop

    rng = np.random.default_rng(3)
    crops, labels = [], []
    for i in range(count):
        label = i % 4
        pixels = np.full((60, 90, 3), 40 + 50 * label, dtype=np.uint8)
        pixels[20:40, 30:60] = rng.integers(0, 255, 3)
        box = (0.1, 0.1, 0.9, 0.9)
        crops.append(
            TruthCrop(pixels, box, box, f"deer-{label}", "doe", "Cam", str(i), False, "", "")
        )
        labels.append(label)
    return crops, labels


def test_fitting_gives_the_same_weights_whichever_processes_cut_the_views() -> None:
    import torch

    from thumper_tui.lab.reid.train import FitOptions, fit

    crops, labels = _coloured_crops(24)
    seen: list[tuple[int, float, float]] = []
    options = FitOptions(epochs=2, batch=8, threads=1)
    alone = fit(crops, labels, options, lambda *epoch: seen.append(epoch))
    helped = fit(crops, labels, FitOptions(epochs=2, batch=8, threads=1, loader_workers=2))
    assert [e[0] for e in seen] == [1, 2]  # one report per epoch
    assert not alone.training and not helped.training
    for key, value in alone.state_dict().items():
        assert torch.equal(value, helped.state_dict()[key]), key


def test_a_checkpoint_builds_the_network_its_card_names(tmp_path: Path) -> None:
    import torch

    from thumper_tui.reid.net import LAYERS, WIDE_LAYERS, IdentityNet, load_state, net_for

    wide = IdentityNet(WIDE_LAYERS)
    path = tmp_path / "wide.pt"
    card = {"layers": [list(layer) for layer in WIDE_LAYERS]}
    torch.save({"state": wide.state_dict(), "version": "x", "card": card}, path)
    rebuilt = net_for(load_state(path))
    assert rebuilt.layers == WIDE_LAYERS
    crops = torch.zeros((1, 96, 144, 3), dtype=torch.uint8)
    wide.eval()
    assert torch.equal(rebuilt(crops), wide(crops))
    # The first checkpoints carried no layers: they are the small network.
    assert net_for({"state": IdentityNet().state_dict(), "card": {}}).layers == LAYERS


def test_revalidating_fits_a_sex_head_and_leaves_the_network_alone(tmp_path: Path) -> None:
    import torch

    from thumper_tui.lab.reid.build import ReidTrainOptions, revalidate
    from thumper_tui.reid.embedder import REID_WEIGHTS
    from thumper_tui.reid.net import EMBEDDING_DIM, load_state

    small = ReidTrainOptions(
        validation_seed=4600,
        validation_images=40,
        validation_deer=8,
        images=40,
        deer=8,
        sex_head_seeds=(6100,),
    )
    card = revalidate(tmp_path, small, install=False)
    head = card["sex_head"]
    assert len(head["weights"]) == EMBEDDING_DIM and "6100" in head["fitted_on"]
    assert 0.5 < head["training_accuracy"] <= 1 and 0 <= head["validation_accuracy"] <= 1
    shipped = load_state(REID_WEIGHTS)
    assert card["training"]["fit"] == shipped["card"]["training"]["fit"]  # as it was fitted
    written = load_state(tmp_path / REID_WEIGHTS.name)
    assert written["card"]["sex_head"] == head
    assert all(torch.equal(written["state"][k], v) for k, v in shipped["state"].items())
