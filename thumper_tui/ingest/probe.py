"""Read one photo: content hash, header dimensions and timestamp, without decoding pixels.

Every way a file can be bad ends in a :class:`~thumper_tui.ingest.scan.Failure` with a short
reason; nothing here raises for a bad file.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import warnings
from dataclasses import dataclass
from datetime import datetime, tzinfo

from PIL import Image, UnidentifiedImageError

from thumper_tui.ingest import timestamps
from thumper_tui.ingest.scan import Candidate, Failure, describe_os_error
from thumper_tui.paths import os_path
from thumper_tui.vocabulary.provenance import is_marked

# A trail-camera JPEG is a few MB; anything this large is not one, and reading it whole to hash
# it would only waste memory.
MAX_FILE_BYTES = 200 * 1024 * 1024
# Above this Pillow's decompression-bomb guard trips; such a "photo" is not a camera frame.
MAX_PIXELS = 200_000_000

_SOI = b"\xff\xd8\xff"
_SOS = b"\xff\xda"
_EOI = b"\xff\xd9"
_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ProbedImage:
    """What import stores for a readable photo."""

    path: str
    camera: str
    sha256: str
    width: int
    height: int
    file_size: int
    taken_at: datetime
    timestamp_source: str
    synthetic: bool = False  # marked by ``thumper synth`` (see thumper_tui.vocabulary.provenance)


def _stat(path: str) -> os.stat_result | Failure:
    """``os.stat`` of a stored path, or why it cannot be read."""
    try:
        return os.stat(os_path(path))
    except FileNotFoundError:
        if os.path.islink(os_path(path)):
            return Failure(path, "broken symlink")
        return Failure(path, "no such file (removed during import?)")
    except OSError as exc:
        return Failure(path, describe_os_error(exc))


def is_truncated(data: bytes) -> bool:
    """True when the main image's scan has no end-of-image marker after it.

    Entropy-coded data never contains ``FF D9`` or ``FF DA`` (0xFF is byte-stuffed), so the
    last end-of-image must have no start-of-scan after it; a thumbnail's markers come earlier.
    Searching from the end keeps this cheap: a whole photo is never scanned.
    """
    last_eoi = data.rfind(_EOI)
    return last_eoi < 0 or data.find(_SOS, last_eoi + 2) >= 0


def _exif(img: Image.Image) -> tuple[dict[int, object], dict[int, object]]:
    # A broken EXIF block is common on cheap cameras and says nothing about the pixels:
    # the photo imports, and its time comes from the next source.
    try:
        exif = img.getexif()
        return dict(exif), dict(exif.get_ifd(timestamps.EXIF_IFD))
    except Exception:
        return {}, {}


def probe(candidate: Candidate, zone: tzinfo, now: datetime | None = None) -> ProbedImage | Failure:
    """Hash and inspect ``candidate``; a :class:`Failure` says why it cannot be imported."""
    path, on_disk = candidate.path, os_path(candidate.path)
    st = _stat(path)
    if isinstance(st, Failure):
        return st
    if not stat.S_ISREG(st.st_mode):
        return Failure(path, "not a regular file")
    if st.st_size == 0:
        return Failure(path, "zero-byte file")
    if st.st_size > MAX_FILE_BYTES:
        return Failure(
            path,
            f"file too large ({st.st_size / 2**20:.0f} MiB; a photo is under "
            f"{MAX_FILE_BYTES // 2**20} MiB)",
        )
    try:
        with open(on_disk, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            return Failure(path, "not a regular file")
        return Failure(path, describe_os_error(exc))
    if not data.startswith(_SOI):
        return Failure(path, "not a JPEG (the file does not start with a JPEG marker)")
    if is_truncated(data):
        return Failure(path, "truncated JPEG (no end-of-image marker)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img = Image.open(io.BytesIO(data), formats=["JPEG"])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return Failure(path, f"unreadable JPEG header: {exc}")
    except Image.DecompressionBombError:
        return Failure(path, "image too large (over the decompression-bomb limit)")
    width, height = img.size
    ifd0, exif_ifd = _exif(img)
    if width * height > MAX_PIXELS:
        return Failure(path, f"image too large ({width}x{height} pixels)")
    if ifd0.get(_ORIENTATION) in (5, 6, 7, 8):
        # Stored rotated by 90 degrees: the photo as seen is the other way round.
        width, height = height, width
    stamp = timestamps.resolve(
        ifd0=ifd0,
        exif_ifd=exif_ifd,
        name=os.path.basename(on_disk),
        mtime=st.st_mtime,
        zone=zone,
        now=now,
    )
    return ProbedImage(
        path=path,
        camera=candidate.camera,
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        file_size=st.st_size,
        taken_at=stamp.taken_at,
        timestamp_source=stamp.source.value,
        synthetic=is_marked(ifd0),
    )


def read_mark(path: str) -> bool:
    """Whether the photo at a stored ``path`` carries the synthetic ranch's mark; False for a
    file that cannot be read (it cannot be a synthetic photo either)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(os_path(path), formats=["JPEG"]) as img:
                return is_marked(_exif(img)[0])
    except Exception:  # a broken or missing file is simply not marked
        return False
