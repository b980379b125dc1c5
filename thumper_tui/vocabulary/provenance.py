"""The mark of a synthetic photo: an EXIF Software tag that only ``thumper synth`` writes.

The shipped demo detector and identity embedder learnt the synthetic ranch alone; the mark is
how the engine knows whether a photo is one they were made for.
"""

from __future__ import annotations

from collections.abc import Mapping

TAG_SOFTWARE = 0x0131  # IFD0
SYNTH_SOFTWARE = "thumper synth (synthetic ranch; not a camera photo)"


def is_marked(ifd0: Mapping[int, object]) -> bool:
    """Whether an IFD0 (tag number to value) carries the synthetic ranch's mark."""
    value = ifd0.get(TAG_SOFTWARE)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return isinstance(value, str) and value.rstrip("\x00").strip() == SYNTH_SOFTWARE
