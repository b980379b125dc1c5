"""Schema migrations with alembic, run from code: on start and by ``thumper db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every Thumper process.
_PG_LOCK_KEY = 0x7468756D70  # "thump"


class SchemaTooNew(Exception):
    """The database was migrated by a newer Thumper than this one."""


def alembic_config() -> Config:
    """An alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this version of Thumper."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every migration revision shipped with this version of Thumper."""
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str]:
    """Bring the schema to the head revision; a no-op when it is there already.

    On PostgreSQL an advisory lock serialises processes that start at the same moment.
    Returns the revisions before and after.
    """
    head = head_revision()
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
