"""Find the JPEGs under the paths given to ``thumper import`` and the camera of each.

The camera is ``--camera`` when given, else the first folder under the import path (one folder
per camera). Directory symlinks are followed once; a link back to a folder being scanned is a
symlink loop and is reported, not followed forever.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from thumper_tui.paths import readable, stored_path

JPEG_SUFFIXES = frozenset({".jpg", ".jpeg"})


@dataclass(frozen=True)
class Candidate:
    """A file that looks like a JPEG by name, with the camera it belongs to. ``path`` is the
    stored text (:func:`thumper_tui.paths.stored_path`); open it through ``os_path``."""

    path: str
    camera: str


@dataclass(frozen=True)
class Failure:
    """A path (stored text, shown as is) that could not be imported, and why."""

    path: str
    reason: str


@dataclass
class ScanResult:
    """Everything a scan found: files to probe and paths that failed already."""

    candidates: list[Candidate] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def is_jpeg_name(name: str) -> bool:
    """True for ``.jpg`` / ``.jpeg`` in any case; hidden files (``._x.jpg``) are not photos."""
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in JPEG_SUFFIXES


def describe_os_error(exc: OSError) -> str:
    """A short reason for an OS error, in the words the import summary uses."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    return exc.strerror or str(exc)


def _walk(root: str, camera: str | None, result: ScanResult) -> None:
    try:
        root_stat = os.stat(root)
    except OSError as exc:
        result.failures.append(Failure(stored_path(root), describe_os_error(exc)))
        return
    # Each entry is a folder to scan and the (device, inode) of every folder above it.
    stack: list[tuple[str, str | None, frozenset[tuple[int, int]]]] = [
        (root, camera, frozenset({(root_stat.st_dev, root_stat.st_ino)}))
    ]
    while stack:
        folder, folder_camera, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            result.failures.append(Failure(stored_path(folder), describe_os_error(exc)))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                try:
                    st = os.stat(entry.path)
                except OSError as exc:
                    result.failures.append(Failure(stored_path(entry.path), describe_os_error(exc)))
                    continue
                key = (st.st_dev, st.st_ino)
                if key in ancestors:
                    result.failures.append(Failure(stored_path(entry.path), "symlink loop"))
                    continue
                camera_name = folder_camera or readable(entry.name)
                subfolders.append((entry.path, camera_name, ancestors | {key}))
            elif is_jpeg_name(entry.name):
                if folder_camera is None:
                    result.failures.append(
                        Failure(
                            stored_path(entry.path),
                            "photo directly in the import path: name its camera "
                            "with --camera, or import its folder",
                        )
                    )
                else:
                    result.candidates.append(Candidate(stored_path(entry.path), folder_camera))
        stack.extend(reversed(subfolders))


def scan(roots: list[Path], camera: str | None = None) -> ScanResult:
    """Scan ``roots`` (folders or single files) for JPEGs, in a stable order."""
    result = ScanResult()
    seen: set[str] = set()
    for root in roots:
        path = os.path.abspath(os.path.expanduser(root))
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except FileNotFoundError:
            reason = "broken symlink" if os.path.islink(path) else "no such file or directory"
            result.failures.append(Failure(stored_path(path), reason))
            continue
        except OSError as exc:
            result.failures.append(Failure(stored_path(path), describe_os_error(exc)))
            continue
        if is_dir:
            _walk(path, camera, result)
        elif camera is None:
            result.failures.append(
                Failure(stored_path(path), "a single photo needs its camera: pass --camera NAME")
            )
        else:
            result.candidates.append(Candidate(stored_path(path), camera))
    unique = []
    for candidate in result.candidates:
        if candidate.path not in seen:
            seen.add(candidate.path)
            unique.append(candidate)
    result.candidates = unique
    return result


def listed(root: str, paths: list[str]) -> ScanResult:
    """The files ``paths`` (OS paths under ``root``) as a scan would find them: each one's
    camera the first folder under ``root`` (``root``'s own name for a file directly in it)."""
    result = ScanResult()
    for path in paths:
        if not os.path.isfile(path):
            reason = "broken symlink" if os.path.islink(path) else "no such file or directory"
            result.failures.append(Failure(stored_path(path), reason))
            continue
        parts = os.path.relpath(path, root).split(os.sep)
        folder = parts[0] if len(parts) > 1 else os.path.basename(root)
        result.candidates.append(Candidate(stored_path(path), readable(folder)))
    return result
