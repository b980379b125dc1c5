"""When and where animals walk past the cameras: bursts of frames with their animals.

The plan is made once, in one process, from the seed; frames are then drawn independently
(each from its own seed), so any number of worker processes gives the same photos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from thumper_tui.synth.critters import SPECIES
from thumper_tui.synth.herd import Individual
from thumper_tui.synth.scene import SceneSpec

EMPTY_SHARE = 0.10
OTHER_SPECIES_SHARE = 0.08


@dataclass(frozen=True)
class AnimalPlan:
    """One animal through a burst: where it starts, how it moves, which way it faces."""

    species: str  # "deer" or one of critters.SPECIES
    individual: str | None
    x: float  # foot position, fraction of the width, in the burst's first frame
    depth: float  # 0 = close to the camera, 1 = far
    step: float  # movement per frame, fraction of the width
    facing_left: bool


@dataclass(frozen=True)
class FramePlan:
    """One photo to draw."""

    index: int
    camera: int
    file: str
    taken_at: datetime  # the camera's local clock, no zone
    night: bool
    burst: str
    frame: int  # position in the burst
    animals: tuple[AnimalPlan, ...]
    temperature_f: int
    seed: int


def _hour(rng: np.random.Generator) -> float:
    # Deer move at dawn and dusk, and at night; midday is quiet.
    r = rng.random()
    if r < 0.4:
        return float(rng.normal(7.3, 0.9))
    if r < 0.8:
        return float(rng.normal(18.3, 1.1))
    return float(rng.uniform(0, 24))


def is_night(hour: float) -> bool:
    """Infrared frames: before first light and after dusk."""
    return hour < 6.5 or hour >= 19.2


def _group(rng: np.random.Generator, herd: list[Individual], camera: int) -> list[Individual]:
    # Does bring their fawns along, so bucks lead more often to keep the sexes balanced.
    lead_bias = {"buck": 1.8, "doe": 1.0, "fawn": 0.6}
    weights = np.array(
        [
            d.activity * lead_bias[d.category] * (3.0 if camera in d.home_cameras else 0.3)
            for d in herd
        ]
    )
    lead = herd[int(rng.choice(len(herd), p=weights / weights.sum()))]
    group = [lead]
    others = [d for d in herd if d is not lead]

    def add(category: str, chance: float) -> None:
        pool = [d for d in others if d.category == category and d not in group]
        if pool and rng.random() < chance and len(group) < 4:
            group.append(pool[int(rng.integers(len(pool)))])

    if lead.category == "doe":
        add("fawn", 0.55)
        add("fawn", 0.3)
        add("doe", 0.25)
    elif lead.category == "fawn":
        add("doe", 0.8)
        add("fawn", 0.3)
    else:
        add("buck", 0.25)
    return group


def _animals(rng: np.random.Generator, group: list[str]) -> tuple[AnimalPlan, ...]:
    plans: list[AnimalPlan] = []
    for i, who in enumerate(group):
        facing_left = bool(rng.random() < 0.5)
        speed = float(rng.uniform(0.004, 0.03))
        depth = float(
            np.clip(
                rng.uniform(0.0, 1.0) if i == 0 else plans[0].depth + rng.normal(0, 0.15), 0.0, 1.0
            )
        )
        plans.append(
            AnimalPlan(
                species="deer" if who.startswith("deer-") else who,
                individual=who if who.startswith("deer-") else None,
                x=float(rng.uniform(0.08, 0.92)),
                depth=depth,
                step=-speed if facing_left else speed,
                facing_left=facing_left,
            )
        )
    return tuple(plans)


def _temperature(when: datetime, rng: np.random.Generator) -> int:
    hour = when.hour + when.minute / 60
    daily = 12 * np.sin((hour - 9) / 24 * 2 * np.pi)
    return int(round(48 + daily - 0.4 * when.timetuple().tm_yday % 10 + rng.normal(0, 2)))


def plan_ranch(
    rng: np.random.Generator,
    herd: list[Individual],
    scenes: list[SceneSpec],
    *,
    days: int,
    images: int,
    start: datetime,
) -> list[FramePlan]:
    """Bursts of 2–5 frames until ``images`` frames exist, named as each camera would."""
    traffic = rng.uniform(0.5, 1.5, len(scenes))
    traffic /= traffic.sum()
    bursts: list[tuple[datetime, int, int, tuple[AnimalPlan, ...]]] = []
    total = 0
    while total < images:
        camera = int(rng.choice(len(scenes), p=traffic))
        when = start + timedelta(
            days=int(rng.integers(days)), hours=float(np.clip(_hour(rng), 0, 23.99))
        )
        when = when.replace(microsecond=0)
        length = int(rng.choice([2, 3, 3, 3, 3, 4, 5]))
        length = min(length, images - total)
        kind = rng.random()
        if kind < EMPTY_SHARE:
            animals: tuple[AnimalPlan, ...] = ()
        elif kind < EMPTY_SHARE + OTHER_SPECIES_SHARE:
            animals = _animals(rng, [str(rng.choice(SPECIES))])
        else:
            animals = _animals(rng, [d.id for d in _group(rng, herd, camera)])
        bursts.append((when, camera, length, animals))
        total += length
    bursts.sort(key=lambda b: (b[0], b[1]))

    frames: list[FramePlan] = []
    counters = [0] * len(scenes)
    used: set[str] = set()
    for burst_index, (when, camera, length, animals) in enumerate(bursts):
        spec = scenes[camera]
        clock = when
        for frame in range(length):
            counters[camera] += 1
            if spec.filename_style == "dated":
                name = f"{spec.name}_{clock:%Y%m%d_%H%M%S}_{frame + 1:03d}.jpg"
            else:
                name = f"{spec.name.upper()}_{counters[camera]:05d}.jpg"
            while f"{spec.name}/{name}" in used:  # two bursts in one second
                name = name.replace(".jpg", "b.jpg")
            used.add(f"{spec.name}/{name}")
            hour = clock.hour + clock.minute / 60
            frames.append(
                FramePlan(
                    index=len(frames),
                    camera=camera,
                    file=f"{spec.name}/{name}",
                    taken_at=clock,
                    night=is_night(hour),
                    burst=f"b{burst_index + 1:05d}",
                    frame=frame,
                    animals=animals,
                    temperature_f=_temperature(clock, rng),
                    seed=int(rng.integers(1, 2**31)),
                )
            )
            clock += timedelta(seconds=int(rng.integers(1, 4)))
    return frames
