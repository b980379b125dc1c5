"""Database URLs: the forms users write, turned into the async drivers Thumper uses."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

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
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        return "***"
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    """True for an SQLite URL."""
    return url.get_backend_name() == "sqlite"
