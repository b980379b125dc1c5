"""Help: every key, what it does, and the fallbacks for chords a terminal may swallow."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Thumper

The dashboard watches the database. Runs are done by workers in the background:
quitting the dashboard never stops a run, and opening it again shows the run where it is.

| Key | Does |
|---|---|
| `r` | start a run (Enter, Enter: an incremental run of new and failed images) |
| `p` | pause or resume the active run |
| `c` | cancel the active run (asks first) |
| `w` | start a background worker (`thumper worker --detach`) |
| `1` | the dashboard |
| `2` | readiness: is the herd ready to name? (`g` reads again) |
| `3` | runs and reports: run history, the advisor, the weekly report |
| `a` | on screen 3: start the advised run (asks first, says how long) |
| `e` | on screen 3: this week's report |
| `4` | profiles: name the herd, see each deer's photos |
| `n` | on screen 4: name the profile (a suggestion filled in; Tab: the next one) |
| `N` | on screen 4: the next unnamed profile |
| `e` | on screen 4: notes (how to tell this deer apart) |
| `←`, `→` | on screen 4: the profile's best crops |
| `p` | on screen 4: the shown crop becomes the profile's photo |
| `c` | on screen 4: correct the category (buck, doe, fawn; outranks the detector) |
| `m` | on screen 4: merge into another profile (a picker with search) |
| `space`, `s` | on screen 4: choose crops, split them into a new profile |
| `x` | on screen 4: take the shown detection out of the profile |
| `u` | on screens 4 to 6: undo the latest decision |
| `/`, `f` | on screen 4: search; filter (unnamed, each category) |
| `5` | duplicates: `y` merge, `n` not the same deer, `s` skip |
| `6` | unplaced: `p` place in the nearest profile, `o` another, `f` found a new one |
| `j`, `k` | down, up in lists |
| `F1`, `?` | this help |
| `Ctrl+P`, `:` | command palette: every action, themes |
| `q`, `Ctrl+Q` | quit (runs go on) |
| `Escape` | close a dialog |

Every chord has a plain key beside it, since many terminals over SSH swallow chords.
"""


CLOSE_HINT = "Esc closes · ↑ ↓ PgUp PgDn scroll"


class HelpScreen(ModalScreen[None]):
    """Shows :data:`HELP`, scrolled by keys (it is taller than an 80x24 terminal)."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; max-width: 95%; height: auto; max-height: 90%; }
    """
    BINDINGS = [
        Binding("escape,q,f1,question_mark", "dismiss", "Close"),
        Binding("j", "scroll(1)", "Down", show=False),
        Binding("k", "scroll(-1)", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog") as scroll:
            scroll.border_title = "Help"
            scroll.border_subtitle = CLOSE_HINT
            yield Markdown(HELP)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()  # so the arrow and page keys scroll it

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
