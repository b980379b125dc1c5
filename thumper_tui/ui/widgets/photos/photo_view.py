"""One photo drawn in the terminal, fitted to its pane, with a caption under it.

The renderer is the ``photos`` setting: ``auto`` picks Kitty or Sixel graphics where the
terminal answers for them and half-blocks elsewhere (so a plain SSH session works), or one is
named. textual-image asks the terminal when it is first imported: the app lends it the
terminal for that moment (``ThumperApp._lend_terminal_to_photos``).
"""

from __future__ import annotations

from PIL import Image as PILImage
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Static
from textual_image._terminal import get_cell_size
from textual_image.widget import HalfcellImage, SixelImage, TGPImage, UnicodeImage
from textual_image.widget import Image as AutoImage

RENDERERS: dict[str, type[Widget]] = {
    "auto": AutoImage,
    "kitty": TGPImage,
    "sixel": SixelImage,
    "halfblock": HalfcellImage,
    "unicode": UnicodeImage,
}


def fitted(image: tuple[int, int], room: tuple[int, int], cell: tuple[int, int]) -> tuple[int, int]:
    """The largest (columns, rows) within ``room`` that keeps ``image``'s (pixels) shape, for
    terminal cells of ``cell`` pixels."""
    (width, height), (columns, rows), (cell_w, cell_h) = image, room, cell
    if not (width and height and columns > 0 and rows > 0):
        return 0, 0
    fit_rows = round(columns * cell_w * height / width / cell_h)
    if fit_rows <= rows:
        return columns, max(1, fit_rows)
    return max(1, min(columns, round(rows * cell_h * width / height / cell_w))), rows


class PhotoView(Vertical):
    """A picture (or the reason there is none) and its caption."""

    DEFAULT_CSS = """
    PhotoView { height: 1fr; align-horizontal: center; }
    PhotoView > #photo-frame { height: 1fr; width: 100%; align: center middle; }
    PhotoView > Static.photo-caption { height: auto; width: 100%; }
    """

    def __init__(self, renderer: str, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._renderer = RENDERERS[renderer]
        self._picture: PILImage.Image | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="photo-frame"):
            yield self._renderer()
        yield Static("", classes="photo-caption", markup=False)

    def show(self, picture: PILImage.Image | None, caption: str | Text) -> None:
        """Draw ``picture`` (None: nothing) and the caption (a plain string, never markup)."""
        self._picture = picture
        image = self.query_one("#photo-frame").children[0]
        image.image = picture  # type: ignore[attr-defined]
        self.query_one(".photo-caption", Static).update(caption)
        self._fit()

    def on_resize(self, event: Resize) -> None:
        self._fit()

    def _fit(self) -> None:
        frame = self.query_one("#photo-frame")
        image = frame.children[0]
        if self._picture is None:
            image.styles.width, image.styles.height = 0, 0
            return
        cell = get_cell_size()
        columns, rows = fitted(
            self._picture.size, (frame.size.width, frame.size.height), (cell.width, cell.height)
        )
        image.styles.width, image.styles.height = columns, rows
