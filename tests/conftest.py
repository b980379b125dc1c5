"""Fixtures: an isolated home for every test, and one database fixture over SQLite and
PostgreSQL. Each test session creates its own PostgreSQL database and drops it at the end.
With CI=true a missing PostgreSQL server is an error, elsewhere a skip with the reason."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.user_models import USER_RANCH, UserModels, make_user_models
from thumper_tui.engine import daemon
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Base
from thumper_tui.synth.ranch import RanchOptions, generate

PG_HOST = os.environ.get("THUMPER_TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_DSN = f"postgresql://postgres@{PG_HOST}:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DATA = Path(__file__).parent / "data"
T = TypeVar("T")


@pytest.fixture(scope="session")
def ranches(tmp_path_factory: pytest.TempPathFactory) -> Callable[[RanchOptions], Path]:
    """Draws a synthetic ranch for the options given, once per test session."""
    drawn: dict[RanchOptions, Path] = {}

    def ranch_for(options: RanchOptions) -> Path:
        if options not in drawn:
            out = tmp_path_factory.mktemp(f"ranch-{options.seed}")
            generate(out, options, workers=2)
            drawn[options] = out
        return drawn[options]

    return ranch_for


@pytest.fixture(scope="session")
def user_models(
    tmp_path_factory: pytest.TempPathFactory, ranches: Callable[[RanchOptions], Path]
) -> UserModels:
    """User-like weights and a crop classifier (tests/user_models.py), made once a session."""
    return make_user_models(ranches(USER_RANCH), tmp_path_factory.mktemp("user-models"))


@pytest.fixture(scope="module")
def ranch(request: pytest.FixtureRequest, ranches: Callable[[RanchOptions], Path]) -> Path:
    """The synthetic ranch the test module describes in its ``RANCH`` options."""
    options = getattr(request.module, "RANCH", None)
    assert isinstance(options, RanchOptions), f"{request.module.__name__} sets no RANCH"
    return ranches(options)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every XDG folder into the test's tmp dir and drop any THUMPER_* variable."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    for var in list(os.environ):
        if var.startswith("THUMPER_") and var != "THUMPER_TEST_PG_HOST":
            monkeypatch.delenv(var)
    return home


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop
    (async tests call the sync helpers below), by giving it a thread of its own."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _admin(sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    run_async(run)


def create_pg_database(prefix: str = "thumper_test", name: str | None = None) -> str:
    """Create a fresh PostgreSQL database (a new name, or ``name``) and return its URL."""
    name = name or f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@{PG_HOST}:5432/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database`, closing its connections."""
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin DSN when PostgreSQL answers; fails under CI, skips elsewhere."""
    try:
        _admin("SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        message = f"PostgreSQL at {PG_HOST}:5432 does not answer: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
        pytest.skip(message)
    return PG_ADMIN_DSN


@pytest.fixture(scope="session")
def pg_session_url(pg_server: str) -> Iterator[str]:
    """One migrated database for the whole test session, dropped at its end."""
    url = create_pg_database()

    async def migrate() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()

    run_async(migrate)
    yield url
    drop_pg_database(url)


def truncate_all(url: str) -> None:
    """Empty every Thumper table of the PostgreSQL database at ``url``."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)

    async def run() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    run_async(run)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty Thumper database: a fresh SQLite file (its schema made on first use), or the
    session's migrated PostgreSQL database emptied for this test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'thumper.db'}"
    url: str = request.getfixturevalue("pg_session_url")
    truncate_all(url)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An async engine on ``database_url`` with the schema at head."""
    eng = make_engine(database_url)
    await upgrade(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[list[str]]:
    """A private tmux server (its own socket), killed afterwards."""
    if shutil.which("tmux") is None:
        message = "tmux is not installed (make test installs it where it can)"
        if IN_CI:
            pytest.fail(message + "; CI=true: the terminal tests must run")
        pytest.skip(message)
    base = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    yield base
    subprocess.run([*base, "kill-server"], capture_output=True)
    daemon.stop()
