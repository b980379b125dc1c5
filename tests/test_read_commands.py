"""``thumper status`` and ``thumper images``: the documented JSON shapes and filters."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_jpeg, ok, run_cli, run_json

STATUS_KEYS = {"database", "images", "cameras", "detections", "profiles", "runs", "active_run"}
IMAGE_KEYS = {
    "id",
    "path",
    "camera",
    "taken_at",
    "timestamp_source",
    "width",
    "height",
    "status",
    "error",
    "synthetic",
}


def test_status_on_an_empty_database(database_url: str) -> None:
    ok("db", "upgrade", url=database_url)
    data = run_json("status", database_url=database_url)
    assert set(data) == STATUS_KEYS
    assert data["images"] == {"total": 0, "pending": 0, "processing": 0, "done": 0, "failed": 0}
    assert data["cameras"] == []
    assert data["active_run"] is None
    assert (data["detections"], data["profiles"], data["runs"]) == (
        0,
        {"total": 0, "named": 0},
        {"total": 0, "active": 0},
    )
    assert run_json("images", database_url=database_url) == []
    human = run_cli("status", database_url=database_url)
    assert human.exit_code == 0
    assert "images      0 (0 pending, 0 processing, 0 done, 0 failed)" in human.stdout
    assert "cameras     none yet" in human.stdout


def test_status_and_images_after_import(tmp_path: Path, database_url: str) -> None:
    for i in range(3):
        make_jpeg(
            tmp_path / "r" / "Hayfield" / f"HAYFIELD_2025-06-0{i + 1}_05-00-00.jpg",
            color=(40 * i, 90, 20),
        )
    make_jpeg(
        tmp_path / "r" / "Sanctuary2" / "Sanctuary2_20250601_130319_001.jpg",
        datetime_original="2025:06:01 13:03:19",
        offset_original="-05:00",
    )
    run_json("import", str(tmp_path / "r"), "--timezone", "UTC", database_url=database_url)

    data = run_json("status", database_url=database_url)
    assert data["images"] == {"total": 4, "pending": 4, "processing": 0, "done": 0, "failed": 0}
    assert data["cameras"] == [
        {"name": "Hayfield", "images": 3},
        {"name": "Sanctuary2", "images": 1},
    ]

    rows = run_json("images", database_url=database_url)
    assert [set(r) for r in rows] == [IMAGE_KEYS] * 4
    assert [r["taken_at"] for r in rows] == [
        "2025-06-01T05:00:00Z",
        "2025-06-02T05:00:00Z",
        "2025-06-03T05:00:00Z",
        "2025-06-01T18:03:19Z",
    ]
    assert rows[3]["timestamp_source"] == "exif"
    assert rows[0]["error"] is None
    assert len(run_json("images", "--camera", "Sanctuary2", database_url=database_url)) == 1
    assert len(run_json("images", "--status", "pending", database_url=database_url)) == 4
    assert run_json("images", "--status", "failed", database_url=database_url) == []

    unknown = run_cli("images", "--camera", "Nowhere", database_url=database_url)
    assert unknown.exit_code == 2
    assert "no camera named 'Nowhere' (cameras: Hayfield, Sanctuary2)" in unknown.stderr
    bad_status = run_cli("images", "--status", "lost", database_url=database_url)
    assert bad_status.exit_code == 2
    listing = run_cli("images", "--camera", "Hayfield", database_url=database_url)
    header, *lines = listing.stdout.splitlines()
    assert header.split() == ["id", "status", "camera", "taken", "time", "from", "size", "path"]
    assert len(lines) == 3 and "HAYFIELD_2025-06-01_05-00-00.jpg" in listing.stdout
    assert all(" UTC " in line for line in lines)  # ranch-local time with its zone


def test_status_masks_the_password(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        ok("db", "upgrade", url=database_url)
        data = run_json("status", database_url=database_url)
        assert data["database"] == database_url
        return
    # trust auth accepts any password, so a real connection can carry one.
    with_password = database_url.replace("postgres@", "postgres:hunter2@")
    result = run_cli("status", "--json", database_url=with_password)
    assert result.exit_code == 0
    assert "hunter2" not in result.output
    assert '"database": "postgresql://postgres:***@' in result.output


def test_bare_thumper_without_a_terminal_points_to_the_commands() -> None:
    result = run_cli()
    assert result.exit_code == 2
    assert "the dashboard needs a terminal" in result.output
    listing = run_cli("--help")
    assert listing.exit_code == 0
    for command in ("config", "db", "import", "status", "images", "dashboard"):
        assert command in listing.stdout


def test_a_missing_sqlite_file_is_said_not_made_except_by_what_adds_to_the_ranch(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'thumpr.db'}"  # a typo
    for args in (
        ("status",),
        ("images",),
        ("profiles",),
        ("runs",),
        ("unplaced",),
        ("readiness",),
        ("history",),
        ("pause",),
        ("name", "1", "Bambi"),
    ):
        refused = run_cli(*args, database_url=url)
        assert refused.exit_code == 2, args
        assert f"no database at {tmp_path / 'thumpr.db'}: check `database_url`" in refused.stderr
    assert not (tmp_path / "thumpr.db").exists(), "a read never creates an empty ranch"
    ok("db", "upgrade", url=url)
    assert (tmp_path / "thumpr.db").exists()
    assert run_json("images", database_url=url) == []


def test_version_short_and_long() -> None:
    for flag in ("-V", "--version"):
        shown = run_cli(flag)
        assert shown.exit_code == 0 and shown.stdout.startswith("thumper, version ")
