"""``thumper import`` on real camera-trap photos and on every kind of bad file, on both
databases."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.conftest import DATA
from tests.helpers import make_jpeg, run_cli, run_json
from thumper_tui.ingest.probe import MAX_FILE_BYTES, is_truncated, probe
from thumper_tui.ingest.scan import Candidate, scan
from thumper_tui.paths import RAW_PREFIX, os_path

REAL = DATA / "real"


@pytest.fixture
def ranch(tmp_path: Path) -> Path:
    """The real photos of tests/data/real, one folder per camera, with their licences."""
    root = tmp_path / "ranch"
    shutil.copytree(REAL, root)
    return root


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {Path(r["path"]).name: r for r in rows}


def test_real_photos_cameras_exif_and_dimensions(ranch: Path, database_url: str) -> None:
    summary = run_json(
        "import", str(ranch), "--timezone", "America/New_York", database_url=database_url
    )
    assert (summary["found"], summary["imported"], summary["failed"]) == (5, 5, [])
    assert sorted(summary["cameras_created"]) == ["ecoassist", "pytorchwildlife", "zamba-ena24"]

    rows = by_name(run_json("images", database_url=database_url))
    reconyx = rows["49.jpg"]
    # The Reconyx clock read 2016-03-24 10:30:12, New York summer time (UTC-4).
    assert reconyx["taken_at"] == "2016-03-24T14:30:12Z"
    assert reconyx["timestamp_source"] == "exif"
    assert (reconyx["camera"], reconyx["width"], reconyx["height"]) == ("zamba-ena24", 2048, 1536)
    assert (rows["4451.jpg"]["width"], rows["4451.jpg"]["height"]) == (2592, 1944)
    assert (rows["empty.jpg"]["camera"], rows["empty.jpg"]["width"]) == ("ecoassist", 1920)
    squirrel = next(r for name, r in rows.items() if name.startswith("alka_squirrels"))
    assert (squirrel["width"], squirrel["height"], squirrel["camera"]) == (
        640,
        640,
        "pytorchwildlife",
    )
    # No EXIF and no date in the name: the file's mtime, exactly.
    mtime = datetime.fromtimestamp((ranch / "zamba-ena24" / "2480.jpg").stat().st_mtime, UTC)
    assert rows["2480.jpg"]["timestamp_source"] == "mtime"
    assert rows["2480.jpg"]["taken_at"] == mtime.isoformat().replace("+00:00", "Z")
    assert {r["status"] for r in rows.values()} == {"pending"}


def test_reimport_is_a_no_op_and_copies_are_duplicates(ranch: Path, database_url: str) -> None:
    run_json("import", str(ranch), database_url=database_url)
    again = run_json("import", str(ranch), database_url=database_url)
    assert (again["imported"], again["already_known"], again["duplicates"]) == (0, 5, [])

    copy = ranch / "Hayfield" / "HAYFIELD_00001.jpg"
    copy.parent.mkdir()
    shutil.copy(ranch / "zamba-ena24" / "49.jpg", copy)
    third = run_json("import", str(ranch), database_url=database_url)
    assert third["imported"] == 0
    assert third["duplicates"] == [
        {"path": str(copy), "original": str(ranch / "zamba-ena24" / "49.jpg")}
    ]
    status = run_json("status", database_url=database_url)
    assert status["images"]["total"] == 5
    assert "Hayfield" not in {c["name"] for c in status["cameras"]}


def test_copies_inside_one_import_are_reported(tmp_path: Path, database_url: str) -> None:
    one = make_jpeg(tmp_path / "r" / "A" / "one.jpg")
    shutil.copy(one, tmp_path / "r" / "A" / "two.jpg")
    shutil.copy(one, tmp_path / "r" / "A" / "three.jpg")
    summary = run_json("import", str(tmp_path / "r"), database_url=database_url)
    assert summary["imported"] == 1
    original = str(tmp_path / "r" / "A" / "one.jpg")
    assert sorted(d["path"] for d in summary["duplicates"]) == [
        str(tmp_path / "r" / "A" / "three.jpg"),
        str(tmp_path / "r" / "A" / "two.jpg"),
    ]
    assert {d["original"] for d in summary["duplicates"]} == {original}


def _corrupt_exif_jpeg(path: Path) -> None:
    good = make_jpeg(path.with_suffix(".tmp.jpg"), color=(1, 2, 3)).read_bytes()
    path.with_suffix(".tmp.jpg").unlink()
    garbage = b"Exif\x00\x00MM\x00\x2a\xff\xff\xff\xf0" + b"\x07" * 40
    segment = b"\xff\xe1" + struct.pack(">H", len(garbage) + 2) + garbage
    path.write_bytes(good[:2] + segment + good[2:])


def make_bad_files(root: Path) -> dict[str, str]:
    """Every kind of bad file next to good ones; returns name -> expected reason."""
    cam = root / "Sanctuary2"
    make_jpeg(cam / "Sanctuary2_20251102_130319_001.jpg")
    (cam / "zero.jpg").write_bytes(b"")
    whole = make_jpeg(cam / "whole.jpg", size=(320, 240), color=(10, 200, 30)).read_bytes()
    (cam / "whole.jpg").unlink()
    (cam / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    (cam / "notes.JPG").write_text("not a photo")
    (cam / "png.jpeg").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (cam / "broken.jpg").symlink_to(cam / "gone.jpg")
    (cam / "loop.jpg").symlink_to(cam / "loop.jpg")
    (cam / "back").symlink_to(root)
    with (cam / "huge.jpg").open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    _corrupt_exif_jpeg(cam / "Sanctuary2_20250101_060000_002.jpg")
    make_jpeg(root / "loose.jpg")
    return {
        "zero.jpg": "zero-byte file",
        "truncated.jpg": "truncated JPEG (no end-of-image marker)",
        "notes.JPG": "not a JPEG",
        "png.jpeg": "not a JPEG",
        "broken.jpg": "broken symlink",
        "loop.jpg": "symlink loop",
        "back": "symlink loop",
        "huge.jpg": "file too large",
        "loose.jpg": "photo directly in the import path",
    }


def test_bad_files_fail_alone_with_reasons(tmp_path: Path, database_url: str) -> None:
    root = tmp_path / "sd"
    expected = make_bad_files(root)
    result = run_cli("import", str(root), "--json", "--timezone", "UTC", database_url=database_url)
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    reasons = {Path(f["path"]).name: f["reason"] for f in summary["failed"]}
    assert set(reasons) == set(expected)
    for name, reason in expected.items():
        assert reasons[name].startswith(reason), (name, reasons[name])
    assert summary["imported"] == 2
    rows = by_name(run_json("images", database_url=database_url))
    assert rows["Sanctuary2_20251102_130319_001.jpg"]["taken_at"] == "2025-11-02T13:03:19Z"
    # A broken EXIF block does not lose the photo; its time comes from the file name.
    corrupt = rows["Sanctuary2_20250101_060000_002.jpg"]
    assert (corrupt["timestamp_source"], corrupt["taken_at"]) == (
        "filename",
        "2025-01-01T06:00:00Z",
    )


def test_human_summary_lists_failures(tmp_path: Path, database_url: str) -> None:
    make_bad_files(tmp_path / "sd")
    result = run_cli("import", str(tmp_path / "sd"), database_url=database_url)
    assert result.exit_code == 1
    assert "2 imported, 0 already known, 0 duplicates, 9 failed" in result.stdout
    assert f"{tmp_path / 'sd' / 'Sanctuary2' / 'zero.jpg'}: zero-byte file" in result.stdout
    assert "Traceback" not in result.output


def test_camera_flag_single_files_and_missing_paths(tmp_path: Path, database_url: str) -> None:
    loose = make_jpeg(tmp_path / "card" / "HAYFIELD_02548.jpg")
    nested = make_jpeg(
        tmp_path / "card" / "DCIM" / "100MEDIA" / "HAYFIELD_02549.jpg", color=(9, 9, 9)
    )
    alone = make_jpeg(tmp_path / "single.jpg", color=(50, 50, 50))
    result = run_cli(
        "import",
        str(tmp_path / "card"),
        str(alone),
        str(tmp_path / "nope"),
        "--camera",
        "Hayfield",
        "--json",
        database_url=database_url,
    )
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["imported"] == 3
    assert summary["failed"] == [
        {"path": str(tmp_path / "nope"), "reason": "no such file or directory"}
    ]
    rows = by_name(run_json("images", "--camera", "Hayfield", database_url=database_url))
    assert set(rows) == {loose.name, nested.name, alone.name}
    lone = run_cli(
        "import", str(make_jpeg(tmp_path / "x.jpg", color=(1, 1, 1))), database_url=database_url
    )
    assert lone.exit_code == 1
    assert "a single photo needs its camera" in lone.stdout


def test_configured_timezone_and_orientation(
    tmp_path: Path, database_url: str, isolated_home: Path
) -> None:
    cfg = isolated_home / "config" / "thumper" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('timezone = "Australia/Sydney"\n')
    make_jpeg(tmp_path / "r" / "Gate" / "Gate_20250115_120000.jpg", size=(60, 40), orientation=6)
    run_json("import", str(tmp_path / "r"), database_url=database_url)
    row = run_json("images", database_url=database_url)[0]
    assert row["taken_at"] == "2025-01-15T01:00:00Z"  # AEDT, UTC+11
    assert (row["width"], row["height"]) == (40, 60)  # stored rotated: seen upright


def _as_unprivileged(fn: Callable[[], Any]) -> Any:
    """Call ``fn`` as an ordinary user: root reads every file, so permissions only bite after
    dropping to ``nobody`` in a forked child."""
    if os.geteuid() != 0:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            payload = pickle.dumps(fn())
        except BaseException as exc:
            payload = pickle.dumps(exc)
        with os.fdopen(write, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    result = pickle.loads(data)
    if isinstance(result, BaseException):
        raise result
    return result


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's own tmp tree is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="thumper-perm-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_permission_denied_file_and_folder(public_tmp: Path) -> None:
    root = public_tmp / "perm"
    secret = make_jpeg(root / "Cam" / "secret.jpg")
    make_jpeg(root / "Cam" / "open.jpg", color=(3, 3, 3))
    locked = root / "Locked"
    make_jpeg(locked / "inside.jpg")
    secret.chmod(0o000)
    locked.chmod(0o000)
    for p in (root, root / "Cam"):
        p.chmod(0o755)
    (root / "Cam" / "open.jpg").chmod(0o644)
    try:
        scanned = _as_unprivileged(lambda: scan([root]))
        outcome = _as_unprivileged(lambda: probe(Candidate(str(secret), "Cam"), ZoneInfo("UTC")))
        readable = _as_unprivileged(
            lambda: probe(Candidate(str(root / "Cam" / "open.jpg"), "Cam"), ZoneInfo("UTC"))
        )
    finally:
        locked.chmod(0o755)
        secret.chmod(0o644)
    assert [(f.path, f.reason) for f in scanned.failures] == [(str(locked), "permission denied")]
    assert outcome.reason == "permission denied"
    assert readable.width == 64


def test_truncation_is_found_at_every_cut_even_behind_a_thumbnail() -> None:
    main = (REAL / "zamba-ena24" / "49.jpg").read_bytes()
    thumb = make_jpeg_bytes()
    # An EXIF-style APP1 segment carrying a complete JPEG, as cameras embed thumbnails.
    app1 = b"Exif\x00\x00" + thumb
    photo = main[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + main[2:]
    assert not is_truncated(photo)
    assert not is_truncated(photo + b"\x00" * 64)  # padding after the end marker is harmless
    for fraction in (0.05, 0.3, 0.6, 0.99):
        assert is_truncated(photo[: int(len(photo) * fraction)]), fraction
    assert is_truncated(photo[:-2])


def make_jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 10, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_names_that_are_not_utf8_are_imported_losslessly(tmp_path: Path, database_url: str) -> None:
    """A Latin-1 photo name and camera folder (an old card reader's): imported with the others,
    stored so they read back to the same bytes, shown readably, and a zero-byte one fails alone."""
    root = tmp_path / "sd"
    latin_camera = os.path.join(os.fsencode(root), b"Cam\xe9ra")
    os.makedirs(latin_camera)
    make_jpeg(root / "Feeder" / "good.jpg")
    odd = os.path.join(latin_camera, b"caf\xe9 \\x41.jpg")  # a backslash too, kept as it is
    make_jpeg(Path(os.fsdecode(odd)), color=(9, 9, 9))
    with open(os.path.join(latin_camera, b"vide\xff.jpg"), "wb"):
        pass
    result = run_cli("import", str(root), "--json", database_url=database_url)
    assert result.exit_code == 1  # the empty one failed, alone
    summary = json.loads(result.stdout)
    assert summary["imported"] == 2
    [failed] = summary["failed"]
    assert failed["path"].startswith(f"{RAW_PREFIX}{root}/Cam\\xe9ra/vide\\xff.jpg")
    assert failed["reason"] == "zero-byte file"
    rows = {r["camera"]: r for r in run_json("images", database_url=database_url)}
    assert set(rows) == {"Feeder", "Cam\\xe9ra"}
    stored = rows["Cam\\xe9ra"]["path"]
    assert stored == f"{RAW_PREFIX}{root}/Cam\\xe9ra/caf\\xe9 \\\\x41.jpg"
    assert os.fsencode(os_path(stored)) == odd  # the very same bytes
    listed = run_cli("images", database_url=database_url)
    assert (
        listed.exit_code == 0 and "caf\\xe9" in listed.stdout and "Traceback" not in listed.output
    )
    again = json.loads(run_cli("import", str(root), "--json", database_url=database_url).stdout)
    assert again["imported"] == 0 and again["already_known"] == 2  # known, not new


def test_a_stored_path_that_is_not_utf8_opens_for_the_detector(tmp_path: Path) -> None:
    from thumper_tui.detector.decode import decode_for_model
    from thumper_tui.paths import stored_path

    odd = os.path.join(os.fsencode(tmp_path), b"Cam\xe9ra", b"\xe9t\xe9.jpg")
    make_jpeg(Path(os.fsdecode(odd)), size=(96, 64))
    stored = stored_path(os.fsdecode(odd))
    stored.encode("utf-8")  # any database and terminal takes it
    decoded = decode_for_model(os_path(stored), 64)
    assert (decoded.width, decoded.height) == (96, 64)
