"""Counts as people read them: ``1 image``, ``2 images``, ``1,234 sightings``."""

from __future__ import annotations

IRREGULAR = {"deer": "deer", "child": "children"}


def plural(word: str) -> str:
    """The plural of an English count noun as Thumper uses them."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def counted(count: int, word: str) -> str:
    """``count`` with ``word`` in the right number: ``1 file``, ``0 files``, ``1,234 files``."""
    return f"{count:,} {word if count == 1 else plural(word)}"
