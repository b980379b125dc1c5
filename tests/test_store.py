"""The data layer on both databases: migrations, engine settings, portable types."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from tests.conftest import create_pg_database, drop_pg_database
from tests.helpers import run_cli
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import SchemaTooNew, head_revision, upgrade
from thumper_tui.store.models import Base, Camera, Deer, Image
from thumper_tui.vocabulary.states import ProfileStatus


# The live-name index is on lower(name): SQLAlchemy cannot reflect an expression index on SQLite,
# so that one index is left out of the comparison (test_live_profile_names_are_unique checks it).
@pytest.mark.filterwarnings("ignore:.*expression-based index")
async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert diff == []


async def test_upgrade_from_empty_then_again_is_a_no_op(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("postgresql"):
        url = create_pg_database("thumper_migrate")
    else:
        url = f"sqlite:///{tmp_path / 'fresh' / 'new.db'}"
    engine = make_engine(url)
    try:
        assert await upgrade(engine) == (None, head_revision())
        assert await upgrade(engine) == (head_revision(), head_revision())
        async with engine.connect() as conn:
            count = await conn.scalar(text("SELECT count(*) FROM alembic_version"))
        assert count == 1
    finally:
        await engine.dispose()
        if url.startswith("postgresql"):
            drop_pg_database(url)


@pytest.mark.postgres
async def test_concurrent_upgrades_on_postgres_serialise(pg_server: str) -> None:
    url = create_pg_database("thumper_race")
    engines = [make_engine(url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(upgrade(e) for e in engines))
        assert sorted(r[0] or "" for r in results) == ["", head_revision(), head_revision()]
    finally:
        for e in engines:
            await e.dispose()
        drop_pg_database(url)


async def test_schema_newer_than_code_is_refused(engine: AsyncEngine, database_url: str) -> None:
    async def set_version(version: str) -> None:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})

    await set_version("f00dfeed")
    try:
        with pytest.raises(SchemaTooNew, match="f00dfeed is newer"):
            await upgrade(engine)
        result = await asyncio.to_thread(run_cli, "status", database_url=database_url)
        assert result.exit_code == 1
        assert "newer than this Thumper knows" in result.stderr
    finally:
        await set_version(head_revision())


async def test_sqlite_connection_settings(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'dir' / 't.db'}")
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
            assert await conn.scalar(text("PRAGMA busy_timeout")) == 30000
    finally:
        await engine.dispose()


async def test_timestamps_come_back_aware_utc(engine: AsyncEngine) -> None:
    chicago = timezone(timedelta(hours=-6))
    moment = datetime(2025, 11, 2, 7, 3, 19, 250000, tzinfo=chicago)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as s, s.begin():
        camera = Camera(name="Hayfield")
        s.add(camera)
        await s.flush()
        s.add(
            Image(
                path="/p.jpg",
                sha256="a" * 64,
                camera_id=camera.id,
                taken_at=moment,
                timestamp_source="exif",
                width=1,
                height=1,
                file_size=1,
            )
        )
    async with engine.connect() as conn:
        stored = await conn.scalar(select(Image.taken_at))
    assert stored == moment
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored.hour == 13


async def test_naive_timestamps_are_refused(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        with pytest.raises(StatementError, match="naive datetime"):
            await conn.execute(
                Camera.__table__.insert().values(
                    name="x", active=True, created_at=datetime(2025, 1, 1)
                )
            )


async def test_live_profile_names_are_unique(engine: AsyncEngine) -> None:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as s, s.begin():
        s.add(Deer(name="Bambi", category="fawn", status=ProfileStatus.MERGED.value))
        s.add(Deer(name="Bambi", category="fawn"))
        s.add(Deer(name=None, category="doe"))
        s.add(Deer(name=None, category="doe"))
    with pytest.raises(IntegrityError):
        async with sessions() as s, s.begin():
            s.add(Deer(name="Bambi", category="buck"))
    with pytest.raises(IntegrityError):  # whatever the case
        async with sessions() as s, s.begin():
            s.add(Deer(name="BAMBI", category="buck"))


def test_db_upgrade_command(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / 'cmd.db'}"
        first = run_cli("db", "upgrade", database_url=fresh)
        assert first.exit_code == 0
        assert f"schema upgraded from empty to revision {head_revision()}" in first.output
    run_cli("db", "upgrade", database_url=database_url)
    again = run_cli("db", "upgrade", database_url=database_url)
    assert again.exit_code == 0
    assert f"schema already at revision {head_revision()}" in again.output


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cases = {
        "postgresql://postgres:pw@127.0.0.1:1/thumper": "Connect call failed",
        f"sqlite:///{blocker}/sub/t.db": "cannot create",
    }
    for url, reason in cases.items():
        result = run_cli("db", "upgrade", database_url=url)  # a command that may create it
        assert result.exit_code == 1, url
        assert result.stderr.count("\n") == 1
        assert reason in result.stderr
        assert "pw@" not in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.postgres
def test_missing_postgres_database_is_named(pg_server: str) -> None:
    result = run_cli("status", database_url="postgresql://postgres@127.0.0.1/no_such_db_thumper")
    assert result.exit_code == 1
    assert 'database "no_such_db_thumper" does not exist' in result.stderr


def test_the_revisions_read_from_the_files_are_alembics_own() -> None:
    from alembic.script import ScriptDirectory

    from thumper_tui.store.migrate import alembic_config, shipped_revisions

    script = ScriptDirectory.from_config(alembic_config())
    assert shipped_revisions() == {r.revision: r.down_revision for r in script.walk_revisions()}
    assert head_revision() == script.get_current_head()


def test_the_light_sqlite_file_reading_agrees_with_sqlalchemys() -> None:
    from thumper_tui.store.url import normalise_url, sqlite_file

    for raw in (
        "sqlite:////srv/thumper/thumper.db",
        "sqlite:///relative/thumper.db",
        "sqlite+aiosqlite:////srv/a b/thumper.db",
        "sqlite:///~/ranch.db",
        "sqlite:////srv/thumper.db?timeout=30",
        " sqlite:////srv/padded.db ",
    ):
        assert sqlite_file(raw) == Path(normalise_url(raw).database or ""), raw
    assert sqlite_file("postgresql://postgres@localhost/thumper") is None
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite+nodriver:////srv/thumper.db") is None  # SQLAlchemy's to refuse
