"""Name pools and suggestions: a fitting, unused name for every profile, never nothing.

Pools ship with the package (``naming/names.toml``): bucks get classic Disney characters, does
princesses and heroines, fawns sidekicks, deer of unknown sex and age nature names. A file of
the same shape in the config folder (``$XDG_CONFIG_HOME/thumper/names.toml``) adds names to
them, or replaces them with ``replace = true``. A suggestion follows the profile's category and
never repeats a live profile's name nor, by default, a retired one (a merged profile's), in any
case; a pool that runs dry suggests numbered variants (``Bambi II``, ``Bambi III``, …).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from thumper_tui import paths
from thumper_tui.naming.names import NamingError, validate_name

SHIPPED = Path(__file__).resolve().parent / "names.toml"
USER_FILE = "names.toml"
POOL_OF = {"buck": "buck", "doe": "doe", "fawn": "fawn"}  # any other category: nature names
NATURE = "unknown"
NUMERALS = ("II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def user_pool_file() -> Path:
    """Where a user's own names live."""
    return paths.config_dir() / USER_FILE


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise NamingError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise NamingError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _names(path: Path, category: str, raw: object) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise NamingError(f"{path}: {category} must be a list of names")
    out = []
    for name in raw:
        try:
            out.append(validate_name(name))
        except NamingError as exc:
            raise NamingError(f"{path}: {category}: {exc}") from None
    return out


def load_pools(user_file: Path | None = None) -> dict[str, list[str]]:
    """The pools by category: the shipped ones, extended (or replaced) by the user's file."""
    shipped = _read(SHIPPED)
    pools = {c: _names(SHIPPED, c, shipped[c]) for c in (*POOL_OF, NATURE)}
    path = user_file or user_pool_file()
    if not path.is_file():
        return pools
    user = _read(path)
    unknown = set(user) - {*pools, "replace"}
    if unknown:
        raise NamingError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    replace = user.get("replace", False)
    if not isinstance(replace, bool):
        raise NamingError(f"{path}: replace must be true or false")
    for category in pools:
        if category in user:
            names = _names(path, category, user[category])
            pools[category] = names if replace else [*pools[category], *names]
    return pools


def pool_for(category: str, pools: Mapping[str, list[str]]) -> list[str]:
    """The pool a profile of ``category`` draws from."""
    return pools[POOL_OF.get(category, NATURE)]


def _candidates(pool: list[str]) -> Iterator[str]:
    yield from pool
    for numeral in NUMERALS:
        for name in pool:
            yield f"{name} {numeral}"
    n = len(NUMERALS) + 2
    while True:  # past X the numbers are plain, so a pool can never run dry
        for name in pool:
            yield f"{name} {n}"
        n += 1


def suggest(
    category: str,
    pools: Mapping[str, list[str]],
    taken: Iterable[str],
    count: int = 5,
) -> list[str]:
    """``count`` names for a profile of ``category`` that none of ``taken`` (live names, and
    retired ones unless they may be reused) already is, whatever the case."""
    used = {t.casefold() for t in taken}
    pool = pool_for(category, pools) or pools[NATURE] or ["Deer"]
    out: list[str] = []
    for name in _candidates(pool):
        if name.casefold() not in used:
            out.append(name)
            used.add(name.casefold())
            if len(out) == count:
                return out
    return out  # not reached: the candidates never end
