"""How each setting's raw value (a TOML value, an environment string or a flag) is read.

Each parser returns the value as the settings hold it, or raises ``ValueError`` with a message
for the user; :func:`thumper_tui.config.load_settings` adds the key and where it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def as_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected an integer, got {value!r}")


def as_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def positive(value: int) -> int:
    return at_least(1, value)


def at_least(low: int, value: int) -> int:
    if value < low:
        raise ValueError(f"must be at least {low}, got {value}")
    return value


def timezone(value: str) -> str:
    if value == "local":
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name like 'America/Chicago' or 'local')"
        ) from None
    return value


def device(value: str) -> str:
    text = value.strip().lower()
    if text in ("auto", "cpu", "cuda") or (text.startswith("cuda:") and text[5:].isdigit()):
        return text
    raise ValueError(f"expected auto, cpu, cuda or cuda:N, got {value!r}")


def as_float(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a number, got {value!r}")


def share(value: object) -> float:
    number = as_float(value)
    if not 0 <= number <= 1:
        raise ValueError(f"must be between 0 and 1, got {number}")
    return number


def optional_threshold(value: object) -> float | None:
    if isinstance(value, str) and not value.strip():
        return None
    number = as_float(value)
    if not 0 < number < 1:
        raise ValueError(f"must be between 0 and 1 (exclusive), got {number}")
    return number


def cron(value: str) -> str:
    text = " ".join(value.split())
    if text in ("", "off"):
        return "off"
    from croniter import croniter  # imported here: only the schedule needs it

    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise ValueError(f"expected a cron expression like '0 2 * * 0' or 'off', got {value!r}")
    return text


def choice(*choices: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = as_str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"expected {' or '.join(choices)}, got {value!r}")
        return text

    return parse


def database_url(value: str) -> str:
    # Imported here so that loading settings stays cheap for commands that never touch a database.
    from thumper_tui.store.url import normalise_url, sqlite_file

    if sqlite_file(value) is None:  # an SQLite file needs no SQLAlchemy to be checked
        normalise_url(value)
    return value


def confidence(value: object) -> float:
    number = as_float(value)
    if not 0 < number < 1:
        raise ValueError(f"must be between 0 and 1 (exclusive), got {number}")
    return number


def iou(value: object) -> float:
    number = as_float(value)
    if not 0 < number <= 1:
        raise ValueError(f"must be above 0 and at most 1, got {number}")
    return number


def image_size(value: object) -> int | None:
    """``auto`` (or 0, or empty): the model's own training size; else pixels, a multiple of 32."""
    if isinstance(value, str) and value.strip().lower() in ("", "auto", "0"):
        return None
    size = as_int(value)
    if size == 0:
        return None
    if size < 32 or size % 32:
        raise ValueError(f"expected 'auto' or a multiple of 32 from 32 up, got {size}")
    return size


def category_map(value: object) -> dict[str, str]:
    """A table of class name to category (TOML), or ``Name=category,...`` from the environment.

    The table is laid over the default map: a user names only what differs. Keys are compared
    case-insensitively, so they are kept lower-case.
    """
    from thumper_tui.vocabulary.categories import CATEGORIES, DEFAULT_CATEGORY_MAP

    if isinstance(value, str):
        entries: dict[Any, object] = {}
        for part in value.split(","):
            if not part.strip():
                continue
            name, sep, category = part.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"expected Name=category pairs separated by commas, got {part!r}")
            entries[name.strip()] = category.strip()
    elif isinstance(value, dict):
        entries = dict(value)
    else:
        raise ValueError(f"expected a table of class name = category, got {value!r}")
    merged = {k.lower(): v for k, v in DEFAULT_CATEGORY_MAP.items()}
    for class_name, wanted in entries.items():
        text = wanted.strip().lower() if isinstance(wanted, str) else ""
        if text not in CATEGORIES:
            raise ValueError(
                f"class {class_name!r}: expected one of {', '.join(CATEGORIES)}, got {wanted!r}"
            )
        merged[str(class_name).strip().lower()] = text
    return merged


def weights_path(value: object) -> str:
    """A weights file's path, ``~`` expanded; empty for none."""
    text = as_str(value).strip()
    return str(Path(text).expanduser()) if text else ""
