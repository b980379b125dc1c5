"""How the lab tells of its long phases: a maker of progress counters the CLI draws as bars."""

from __future__ import annotations

from collections.abc import Callable

# (what, unit, total) -> advance(count): one call per phase (drawing, training epochs).
Progress = Callable[[str, str, int], Callable[[int], None]]


def silent(what: str, unit: str, total: int) -> Callable[[int], None]:
    """A :data:`Progress` that shows nothing (the default, and for tests)."""
    return lambda count: None
