"""Database URLs: the forms users write, turned into the async drivers Thumper uses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLAlchemy loads where a URL is parsed, not where a command only starts
    from sqlalchemy.engine import URL

# sqlite:///relative.db, sqlite:////abs/thumper.db, with an optional driver and query string:
# everything between the third slash and the query is the file, as SQLAlchemy reads it.
SQLITE_FILE = re.compile(r"^sqlite(?:\+aiosqlite|\+pysqlite)?:///([^?]*)(?:\?.*)?$")

_POSTGRES_SCHEMES = {
    "postgres",
    "postgresql",
    "postgresql+asyncpg",
    "postgresql+psycopg2",
    "postgresql+psycopg",
}
_SQLITE_SCHEMES = {"sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"}


def normalise_url(raw: str) -> URL:
    """Parse ``raw`` and return it with the async driver (aiosqlite or asyncpg).

    Raises ``ValueError`` with a user-facing reason for anything Thumper cannot use.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = raw.strip()
    if text.startswith("postgres://"):
        text = "postgresql://" + text[len("postgres://") :]
    try:
        url = make_url(text)
    except ArgumentError:
        raise ValueError(f"not a database URL: {raw!r}") from None
    if url.drivername in _SQLITE_SCHEMES:
        database = url.database or ""
        if database in ("", ":memory:"):
            raise ValueError("an SQLite URL needs a file path (sqlite:////abs/path/thumper.db)")
        return url.set(drivername="sqlite+aiosqlite", database=str(Path(database).expanduser()))
    if url.drivername in _POSTGRES_SCHEMES:
        if not url.database:
            raise ValueError("a PostgreSQL URL needs a database name (postgresql://host/thumper)")
        return url.set(drivername="postgresql+asyncpg")
    raise ValueError(f"unsupported database {url.drivername!r}: use sqlite:/// or postgresql://")


def mask_url(raw: str) -> str:
    """``raw`` with any password replaced by ``***``; unparseable input is returned masked whole."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw.strip())
    except ArgumentError:
        return "***"
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    """True for an SQLite URL."""
    return url.get_backend_name() == "sqlite"


def sqlite_file(raw: str) -> Path | None:
    """The file an SQLite URL names (as :func:`normalise_url` reads it), or None for any other
    URL; read without loading SQLAlchemy, for commands that only check the file is there."""
    found = SQLITE_FILE.match(raw.strip())
    if found is None or found.group(1) in ("", ":memory:"):
        return None
    return Path(found.group(1)).expanduser()
