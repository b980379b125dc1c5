"""Small builders the tests share: JPEGs with chosen EXIF, a CLI runner, unit vectors, and
:func:`eventually`, the one way a test waits for something another process or task does."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from click.testing import CliRunner, Result
from PIL import Image

from thumper_tui.cli import cli
from thumper_tui.store.engine import make_engine

EXIF_IFD = 0x8769
T = TypeVar("T")


def make_jpeg(
    path: Path,
    *,
    size: tuple[int, int] = (64, 48),
    color: tuple[int, int, int] = (120, 90, 60),
    datetime_original: str | None = None,
    offset_original: str | None = None,
    datetime: str | None = None,
    datetime_digitized: str | None = None,
    orientation: int | None = None,
) -> Path:
    """Write a small real JPEG with the EXIF fields given (and none of the others)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exif = Image.Exif()
    if datetime is not None:
        exif[0x0132] = datetime
    if orientation is not None:
        exif[0x0112] = orientation
    ifd = exif.get_ifd(EXIF_IFD)
    if datetime_original is not None:
        ifd[0x9003] = datetime_original
    if offset_original is not None:
        ifd[0x9011] = offset_original
    if datetime_digitized is not None:
        ifd[0x9004] = datetime_digitized
    Image.new("RGB", size, color).save(path, "JPEG", exif=exif)
    return path


def run_cli(*args: str, database_url: str | None = None) -> Result:
    """Run ``thumper ARGS`` in-process and return click's result."""
    prefix = ["--database-url", database_url] if database_url else []
    return CliRunner().invoke(cli, [*prefix, *args], catch_exceptions=False)


def ok(*args: str, url: str) -> str:
    """Run ``thumper ARGS`` on the database at ``url``; it must succeed. Its stdout."""
    result = run_cli(*args, database_url=url)
    assert result.exit_code == 0, result.output
    return result.stdout


def query(url: str, statement: Any) -> list[Any]:
    """Run one statement on the database at ``url`` in its own transaction; its rows."""

    async def go() -> list[Any]:
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(statement)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(go())


def run_json(*args: str, database_url: str | None = None) -> Any:
    """Run a ``--json`` command that must succeed and return the parsed output."""
    result = run_cli(*args, "--json", database_url=database_url)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def unit(*values: float) -> np.ndarray:
    """The unit vector along ``values``, as float32 like the engine's embeddings."""
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def eventually(
    probe: Callable[[], T], *, within: float = 30.0, every: float = 0.1, what: str = ""
) -> T:
    """Call ``probe`` until it returns something truthy, and return that; fail after
    ``within`` seconds, saying ``what`` was awaited and what ``probe`` last returned."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what or probe} (last: {value!r})")
        time.sleep(every)


async def eventually_async(
    probe: Callable[[], Awaitable[T]] | Callable[[], T],
    *,
    within: float = 30.0,
    every: float = 0.1,
    what: str = "",
    wait: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    """:func:`eventually` for async code: ``probe`` may be a coroutine function, and ``wait``
    lets the event loop (or a Textual pilot) run between probes."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what or probe} (last: {value!r})")
        await wait(every)
