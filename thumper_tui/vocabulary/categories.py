"""The categories a detection is sorted into, and the default map from a model's class names.

Deer are ``buck``, ``doe``, ``fawn`` or ``unknown`` (a deer of no known sex or age); anything
else a model finds is ``other``: another species, stored but never re-identified.
"""

from __future__ import annotations

from collections.abc import Mapping

# The deer categories a detector can tell apart; with ``unknown``, every deer category.
DEER_CLASSES = ("buck", "doe", "fawn")
DEER_CATEGORIES = (*DEER_CLASSES, "unknown")
SEXES = ("buck", "doe")
OTHER = "other"
# Every category a class name can be mapped to.
CATEGORIES = (*DEER_CATEGORIES, OTHER)

# Class names (case-insensitive) to categories; a user's weights may name their classes so.
DEFAULT_CATEGORY_MAP: Mapping[str, str] = {
    "buck": "buck",
    "mature": "buck",
    "mid": "buck",
    "young": "buck",
    "doe": "doe",
    "fawn": "fawn",
    "deer": "unknown",
}


def category_for(class_name: str, category_map: Mapping[str, str]) -> str:
    """The category of a model class: from the map (lower-case keys), else ``other``."""
    return category_map.get(class_name.lower(), OTHER)


def compatible(a: str, b: str) -> bool:
    """Whether a detection of category ``a`` may join a profile of category ``b``: the same
    category, or either unknown."""
    return a == b or a == "unknown" or b == "unknown"
