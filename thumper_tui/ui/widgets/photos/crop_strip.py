"""A strip of a profile's best crops: the one shown is marked, chosen ones are ticked."""

from __future__ import annotations

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from thumper_tui.ui.widgets.photos.photo_view import RENDERERS

SLOTS = 5


class CropStrip(Horizontal):
    """Up to :data:`SLOTS` crops around the shown one, each captioned by its detection."""

    DEFAULT_CSS = """
    CropStrip { height: 9; }
    CropStrip > Vertical { width: 1fr; height: 100%; align-horizontal: center; }
    CropStrip > Vertical > .crop-image { width: auto; height: 1fr; }
    CropStrip > Vertical > Static { height: 1; width: 100%; content-align: center middle; }
    """

    def __init__(self, renderer: str) -> None:
        super().__init__(id="crop-strip")
        self._renderer = RENDERERS[renderer]

    def compose(self) -> ComposeResult:
        for slot in range(SLOTS):
            with Vertical(id=f"crop-{slot}"):
                yield self._renderer(classes="crop-image")
                yield Static("", markup=False)

    def show(
        self,
        crops: list[tuple[int, PILImage.Image | None]],
        shown: int,
        chosen: set[int],
    ) -> None:
        """``crops``: (detection id, picture) in order; ``shown`` is an index into them;
        ``chosen`` the detection ids picked for a split."""
        start = max(0, min(shown - SLOTS // 2, len(crops) - SLOTS))
        for slot in range(SLOTS):
            box = self.query_one(f"#crop-{slot}", Vertical)
            index = start + slot
            image, label = box.children
            if index >= len(crops):
                image.image = None  # type: ignore[attr-defined]
                label.update("")  # type: ignore[attr-defined]
                box.set_class(False, "-shown")
                continue
            detection, picture = crops[index]
            image.image = picture  # type: ignore[attr-defined]
            mark = "▶" if index == shown else " "
            tick = "✓" if detection in chosen else " "
            label.update(f"{mark}{tick}#{detection}")  # type: ignore[attr-defined]
            box.set_class(index == shown, "-shown")
