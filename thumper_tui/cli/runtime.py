"""What every command shares: settings, async database work, and one-line errors.

Settings come from the click context; database work runs in one ``asyncio.run`` with clean,
one-line errors instead of tracebacks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from thumper_tui.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


@dataclass
class Obj:
    """Global options, stored on the click context."""

    config_file: Path | None = None
    flags: dict[str, object] = field(default_factory=dict)


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    """Print ``thumper: message`` to stderr (wrapped to a terminal's width) and exit with
    ``code``."""
    from thumper_tui.cli.tables import print_line

    print_line(f"thumper: {message}", err=True)
    raise SystemExit(code)


def settings_from(ctx: click.Context, **flags: Any) -> Settings:
    """Effective settings: global flags from the context plus this command's ``flags``."""
    obj = ctx.find_object(Obj) or Obj()
    try:
        return load_settings({**obj.flags, **flags}, config_file=obj.config_file)
    except ConfigError as exc:
        fail(f"config error: {exc}", EXIT_USAGE)


def missing_database(settings: Settings) -> str | None:
    """Why the database cannot be used without creating it: an SQLite file that does not
    exist (a typo must not look like an empty ranch); None when it exists or is a server's."""
    from thumper_tui.store.url import sqlite_file

    path = sqlite_file(settings.database_url)
    if path is None or path.exists():
        return None
    return (
        f"no database at {path}: check `database_url` (config, THUMPER_DATABASE_URL "
        "or --database-url) for a typo; `thumper import` creates it"
    )


def require_database(settings: Settings) -> None:
    """End a command that only reads (or decides on) the ranch when there is no database."""
    missing = missing_database(settings)
    if missing is not None:
        fail(missing, EXIT_USAGE)


def run_with_database(
    settings: Settings,
    work: Callable[[AsyncEngine], Awaitable[T]],
    *,
    migrate: bool = True,
    create: bool = False,
    interrupted: Callable[[], str] | None = None,
) -> T:
    """Open the database, upgrade its schema (unless told not to), run ``work``, close it.

    Only a command that adds to the ranch (``create``: import, process, the worker, db
    upgrade) makes a missing SQLite file; any other says there is none (exit 2). An
    unreachable or broken database ends the command with a one-line message; Ctrl+C with
    ``interrupted()``'s line, or a general one.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from thumper_tui.store.engine import DatabaseUnavailable, error_reason, make_engine
    from thumper_tui.store.migrate import SchemaTooNew, upgrade
    from thumper_tui.store.url import mask_url

    if not create:
        require_database(settings)
    label = mask_url(settings.database_url)

    async def runner() -> T:
        engine = make_engine(settings.database_url)
        try:
            if migrate:
                await upgrade(engine)
            return await work(engine)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(runner())
    except KeyboardInterrupt:
        general = "interrupted; everything written before now is kept"
        fail(interrupted() if interrupted else general, EXIT_INTERRUPTED)
    except (DatabaseUnavailable, SchemaTooNew) as exc:
        fail(f"database {label}: {exc}")
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        fail(f"cannot use the database {label}: {error_reason(exc)}")


def decide(
    ctx: click.Context,
    action: Callable[[AsyncEngine], Awaitable[T]],
    said: Callable[[T], str] | None = None,
    *,
    as_json: bool = False,
) -> T:
    """Run one human decision on the database and tell what changed: ``said(result)`` as a
    line, or with ``as_json`` the audit rows it wrote (``{"changes": [...]}``). A refusal
    (:class:`NamingError`) ends the command with its one-line message."""
    from thumper_tui.naming.audit import AuditRow, history, latest_audit_id
    from thumper_tui.naming.names import NamingError

    async def work(engine: AsyncEngine) -> tuple[T, list[AuditRow]]:
        newest = await latest_audit_id(engine)
        result = await action(engine)
        return result, await history(engine, after=newest)

    try:
        result, changes = run_with_database(settings_from(ctx), work)
    except NamingError as exc:
        fail(str(exc))
    if as_json:
        rows = [row.as_json() for row in reversed(changes)]
        click.echo(json.dumps({"changes": rows}, indent=2, ensure_ascii=False))
    elif said is not None:
        click.echo(said(result))
    return result
