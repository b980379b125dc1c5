"""Exports written whole or not at all: into a temporary sibling, renamed at the end.

An interrupted export (Ctrl+C, a full disk, a crash) leaves the temporary file or folder
behind under a name that says so, never a half-written file under the name asked for; the
next export of the same name clears it first.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

PARTIAL = ".partial"


class ExportError(Exception):
    """An export that cannot be written; the message is one line for the user."""


def partial_of(target: Path) -> Path:
    """Where an export to ``target`` is written until it is complete."""
    return target.with_name(f".{target.name}{PARTIAL}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """A temporary path to write; renamed over ``target`` when the block ends without error,
    removed when it raises."""
    partial = partial_of(target)
    if target.is_dir():
        raise ExportError(f"{target} is a folder, not a file")
    _remove(partial)
    try:
        yield partial
        with open(partial, "rb") as done:
            os.fsync(done.fileno())
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(OSError):
            _remove(partial)
        raise


@contextlib.contextmanager
def atomic_folder(target: Path, marker: str) -> Iterator[Path]:
    """A temporary folder to fill; it takes ``target``'s place when the block ends without
    error, removed when it raises. An existing ``target`` is replaced only when it is empty or
    an earlier export (it holds ``marker``): never a folder of other files."""
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file():
        raise ExportError(
            f"{target} holds other files and no {marker}: not replacing it; name a new folder"
        )
    partial = partial_of(target)
    _remove(partial)
    partial.mkdir(parents=True)
    try:
        yield partial
        old = target.with_name(f".{target.name}.old")
        _remove(old)
        if target.exists():
            os.replace(target, old)
        os.replace(partial, target)
        _remove(old)
    except BaseException:
        with contextlib.suppress(OSError):
            _remove(partial)
        raise
