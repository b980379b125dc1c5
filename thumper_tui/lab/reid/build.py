"""``thumper train-reid``: build the shipped identity embedder, reproducibly and offline.

Generate several synthetic ranches, each with its own herd (seeds never used by the demo
detector or by the evaluation ranches), cut every true deer, train
:class:`~thumper_tui.reid.net.IdentityNet`, then on a validation ranch of another seed replay
the engine's re-ID (online joins, then the consolidation a run ends with) over a grid of join and
merge thresholds and keep the pair with the best B-cubed F1. The weights, the version and the
chosen thresholds ship together in one checkpoint with its card.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from thumper_tui.lab.progress import Progress, silent
from thumper_tui.lab.reid.dataset import TruthCrop, truth_crops
from thumper_tui.lab.reid.replay import choose_thresholds
from thumper_tui.lab.reid.train import FitOptions, cross_burst_accuracy, embed_crops, fit
from thumper_tui.reid.embedder import REID_VERSION, REID_WEIGHTS
from thumper_tui.reid.net import IdentityNet, load_state, net_for
from thumper_tui.reid.sex import SexHead, fit_sex_head
from thumper_tui.synth.ranch import RanchOptions, generate
from thumper_tui.vocabulary.categories import SEXES

JOIN_GRID = (0.7, 0.8, 0.9)
MERGE_GRID = (0.3, 0.35, 0.4, 0.45, 0.5)
SMALL_GRID = (None, 0.1, 0.15, 0.2, 0.25, 0.3)


@dataclass(frozen=True)
class ReidTrainOptions:
    """Everything that shapes the identity embedder; recorded in its card."""

    seeds: tuple[int, ...] = tuple(range(5001, 5011))
    images: int = 1200
    deer: int = 50
    validation_seed: int = 4500
    validation_images: int = 1500
    validation_deer: int = 30
    # The sex head's own herds, which the network never sees: on its training deer the
    # embedding tells the sexes apart too easily, and a head fitted there does not carry over.
    sex_head_seeds: tuple[int, ...] = tuple(range(6001, 6005))
    fit: FitOptions = field(default_factory=FitOptions)


def _ranch(work: Path, seed: int, images: int, deer: int) -> list[TruthCrop]:
    ranch = work / f"ranch-{seed}"
    if not (ranch / "truth.json").exists():
        generate(ranch, RanchOptions(images=images, deer=deer, seed=seed))
    return truth_crops(ranch, workers=os.cpu_count() or 1)


def train_reid(
    work: Path,
    options: ReidTrainOptions,
    *,
    install: bool = True,
    say: Callable[[str], None] = lambda _: None,
    progress: Progress = silent,
) -> dict[str, Any]:
    """Generate, train, choose the thresholds and (with ``install``) ship; returns the card."""
    net, trained_on, seconds, machine = fit_on_herds(work, options, say, progress)
    return validate_and_ship(
        net, work, options, trained_on, seconds, install=install, fitted_on=machine
    )


def fit_on_herds(
    work: Path,
    options: ReidTrainOptions,
    say: Callable[[str], None] = lambda _: None,
    progress: Progress = silent,
) -> tuple[IdentityNet, tuple[int, int], dict[str, float], str]:
    """Generate the training herds (kept in ``work``) and fit the network on their true deer;
    returns it with ``(crops, individuals)``, the seconds each half took and the machine."""
    started = time.perf_counter()
    crops: list[TruthCrop] = []
    labels: list[int] = []
    classes: dict[tuple[int, str], int] = {}
    for seed in options.seeds:
        for crop in _ranch(work, seed, options.images, options.deer):
            labels.append(classes.setdefault((seed, crop.individual), len(classes)))
            crops.append(crop)
    say(f"{len(crops)} crops of {len(classes)} deer from {len(options.seeds)} herds")
    generated = time.perf_counter()

    trained = progress("Training", "epochs", options.fit.epochs)

    def epoch(n: int, loss: float, accuracy: float) -> None:
        say(f"epoch {n}/{options.fit.epochs}: loss {loss:.3f}, train accuracy {accuracy:.3f}")
        trained(1)

    net = fit(crops, labels, options.fit, epoch)
    seconds = {"data": generated - started, "train": time.perf_counter() - generated}
    return net, (len(crops), len(classes)), seconds, machine_facts(options.fit.device)


def sex_head_on_herds(
    net: IdentityNet, work: Path, options: ReidTrainOptions, validation: list[TruthCrop]
) -> dict[str, Any]:
    """Fit the sex head on the bucks and does of its own herds (``sex_head_seeds``, generated
    where ``work`` lacks them) as ``net`` embeds them; returns its card entry: the head
    (:meth:`SexHead.as_json`) and its accuracy on those crops and on the ``validation`` ranch's."""
    import numpy as np

    vectors, is_buck = [], []
    for seed in options.sex_head_seeds:
        crops = [c for c in _ranch(work, seed, options.images, options.deer) if c.category in SEXES]
        vectors.append(embed_crops(net, crops))
        is_buck.append(np.array([c.category == "buck" for c in crops]))
    x, y = np.concatenate(vectors), np.concatenate(is_buck)
    head = fit_sex_head(x, y)
    seen = [c for c in validation if c.category in SEXES]
    truth = np.array([c.category == "buck" for c in seen])
    read = head.buck_probability(embed_crops(net, seen), np.ones(len(seen))) > 0.5
    fitted = head.buck_probability(x, np.ones(len(x))) > 0.5
    entry = {
        **head.as_json(),
        "fitted_on": f"bucks and does of herds {list(options.sex_head_seeds)} ({len(y)} crops)",
        "training_accuracy": round(float((fitted == y).mean()), 4),
        "validation_accuracy": round(float((read == truth).mean()), 4),
    }
    return entry


def revalidate(
    work: Path, options: ReidTrainOptions, *, install: bool = True, weights: Path | None = None
) -> dict[str, Any]:
    """Validate the shipped network again as this code would (thresholds, sex head), its
    weights unchanged; the card keeps how and where the network was fitted."""
    checkpoint = load_state(weights or REID_WEIGHTS)
    old = checkpoint["card"]
    training = old["training"]
    fitted = replace(options, fit=FitOptions(**training["fit"]))  # as the card says it was
    return validate_and_ship(
        net_for(checkpoint),
        work,
        fitted,
        (int(training["crops"]), int(training["individuals"])),
        {k: float(v) for k, v in old["seconds"].items() if k != "validate"},
        install=install,
        fitted_on=old.get("fitted_on"),
    )


def machine_facts(device: str) -> str:
    """This machine as a card records it: processor, cores, device, Python and torch."""
    import torch

    where = device
    if device.startswith("cuda") and torch.cuda.is_available():
        where = torch.cuda.get_device_name(torch.device(device))
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {where}; "
        f"Python {platform.python_version()}, torch {torch.__version__}"
    )


def validate_and_ship(
    net: IdentityNet,
    work: Path,
    options: ReidTrainOptions,
    trained_on: tuple[int, int],
    seconds: dict[str, float],
    *,
    install: bool,
    fitted_on: str | None = None,
) -> dict[str, Any]:
    """Choose the thresholds on the validation ranch, write the checkpoint with its card and
    (with ``install``) copy both into the package; returns the card."""
    import torch

    started = time.perf_counter()
    validation = _ranch(
        work, options.validation_seed, options.validation_images, options.validation_deer
    )
    vectors = embed_crops(net, validation)
    sex_head = sex_head_on_herds(net, work, options, validation)
    # Chosen as the engine will run: with the head as the card ships it (rounded).
    best, replays = choose_thresholds(
        validation, vectors, JOIN_GRID, MERGE_GRID, SMALL_GRID, SexHead.from_json(sex_head)
    )
    card = {
        "name": REID_VERSION,
        "architecture": "IdentityNet (thumper_tui/reid/net.py), cosine-margin softmax training",
        "trained_on": f"crops of painted deer from {len(options.seeds)} synthetic ranches "
        f"(`thumper synth` seeds {options.seeds[0]}-{options.seeds[-1]}, {options.deer} deer "
        f"each) and a buck/doe head on {len(options.sex_head_seeds)} more",
        "not_for": REID_NOT_FOR,
        "layers": [list(layer) for layer in net.layers],
        "training": {**asdict(options), "crops": trained_on[0], "individuals": trained_on[1]},
        "validation": {
            "seed": options.validation_seed,
            "crops": len(validation),
            "cross_burst_nearest_same_deer": round(cross_burst_accuracy(vectors, validation), 3),
            "threshold": best.threshold,
            "merge_threshold": best.merge_threshold,
            "small_threshold": best.small_threshold,
            "profiles": best.profiles,
            "individuals": best.individuals,
            "bcubed_precision": round(best.score.precision, 3),
            "bcubed_recall": round(best.score.recall, 3),
            "bcubed_f1": round(best.score.f1, 3),
            "mixed_category_profiles": best.mixed_category_profiles,
            "held_back_crops": best.unplaced,
            "by_thresholds": {
                f"{r.threshold}/{r.merge_threshold}/{r.small_threshold}": [
                    r.profiles,
                    round(r.score.f1, 3),
                ]
                for r in replays
            },
            "boxes": "true boxes (the engine's come from the detector)",
        },
        "threshold": best.threshold,
        "merge_threshold": best.merge_threshold,
        "small_threshold": best.small_threshold,
        "sex_head": sex_head,
        "seconds": {
            **{k: round(v, 1) for k, v in seconds.items()},
            "validate": round(time.perf_counter() - started, 1),
        },
        "fitted_on": fitted_on or machine_facts(options.fit.device),
        "validated_on": machine_facts("cpu"),
    }
    checkpoint = {"state": net.state_dict(), "version": REID_VERSION, "card": card}
    out = work / REID_WEIGHTS.name
    torch.save(checkpoint, out)
    if install:
        install_reid(out, card)
    return card


REID_NOT_FOR = (
    "telling real deer apart: on real photos its likeness is a guess, so profiles built from "
    "them need the duplicates review before their count is trusted (Thumper says so wherever "
    "profiles are shown). It is the only identity embedder Thumper ships."
)


def install_reid(weights: Path, card: dict[str, Any]) -> None:
    """Copy the checkpoint and its card into the package."""
    import shutil

    REID_WEIGHTS.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(weights, REID_WEIGHTS)
    REID_WEIGHTS.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")


__all__ = [
    "ReidTrainOptions",
    "fit_on_herds",
    "install_reid",
    "revalidate",
    "train_reid",
    "validate_and_ship",
]
