"""Scientific names and observation types for the classes a ranch model names."""

from __future__ import annotations

WHITE_TAILED_DEER = "Odocoileus virginianus"
# Common ranch species by the class names detectors give them (lower case).
SCIENTIFIC_NAMES = {
    "raccoon": "Procyon lotor",
    "hog": "Sus scrofa",
    "feral hog": "Sus scrofa",
    "pig": "Sus scrofa",
    "coyote": "Canis latrans",
    "bobcat": "Lynx rufus",
    "turkey": "Meleagris gallopavo",
    "fox": "Vulpes vulpes",
    "opossum": "Didelphis virginiana",
    "armadillo": "Dasypus novemcinctus",
    "skunk": "Mephitis mephitis",
    "squirrel": "Sciurus niger",
    "black bear": "Ursus americanus",
    "bear": "Ursus americanus",
    "elk": "Cervus canadensis",
}
PEOPLE = frozenset({"person", "people", "human"})
VEHICLES = frozenset({"vehicle", "car", "truck", "atv", "utv"})
# A deer's category as Camtrap DP's sex and life stage.
SEX = {"buck": "male", "doe": "female"}
LIFE_STAGE = {"buck": "adult", "doe": "adult", "fawn": "juvenile"}


def observation_type(class_name: str) -> str:
    """``human``, ``vehicle`` or ``animal`` for a detector class."""
    lowered = class_name.lower()
    if lowered in PEOPLE:
        return "human"
    if lowered in VEHICLES:
        return "vehicle"
    return "animal"
