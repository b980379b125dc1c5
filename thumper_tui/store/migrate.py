"""Schema migrations with alembic, run from code: on start and by ``thumper db upgrade``.

Every command checks the schema on start, so that check is one query against the revision the
migration files name; alembic itself is loaded only when there is something to migrate.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every Thumper process.
_PG_LOCK_KEY = 0x7468756D70  # "thump"


class SchemaTooNew(Exception):
    """The database was migrated by a newer Thumper than this one."""


REVISION_LINE = re.compile(r'^revision(?:: str)? = "([^"]+)"$', re.MULTILINE)
DOWN_LINE = re.compile(r'^down_revision(?:: str \| None)? = (?:"([^"]+)"|None)$', re.MULTILINE)


def alembic_config() -> Config:
    """An alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def shipped_revisions() -> dict[str, str | None]:
    """Every migration shipped with this Thumper, as revision -> the revision it follows, read
    from the migration files' own ``revision`` lines (without loading alembic)."""
    chain: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = REVISION_LINE.search(source), DOWN_LINE.search(source)
        if revision is not None and down is not None:
            chain[revision.group(1)] = down.group(1)
    return chain


def head_revision() -> str:
    """The newest migration shipped with this version of Thumper (none follows it)."""
    chain = shipped_revisions()
    (head,) = set(chain) - {down for down in chain.values() if down is not None}
    return head


def known_revisions() -> set[str]:
    """Every migration revision shipped with this version of Thumper."""
    return set(shipped_revisions())


async def _stored_revision(engine: AsyncEngine) -> str | None:
    """The database's revision by one query; None where there is no schema yet."""
    try:
        async with engine.connect() as conn:
            stored = await conn.scalar(text("SELECT version_num FROM alembic_version"))
            return str(stored) if stored is not None else None
    except DBAPIError:
        return None  # no alembic_version table: an empty database


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> None:
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str]:
    """Bring the schema to the head revision; a no-op when it is there already.

    On PostgreSQL an advisory lock serialises processes that start at the same moment.
    Returns the revisions before and after.
    """
    head = head_revision()
    if await _stored_revision(engine) == head:
        return head, head
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        before = await conn.run_sync(_current)
        if before is not None and before not in known_revisions():
            raise SchemaTooNew(
                f"schema revision {before} is newer than this Thumper knows (newest {head}); "
                "upgrade Thumper"
            )
        if before != head:
            await conn.run_sync(_upgrade)
    return before, head
