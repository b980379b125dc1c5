"""A real ranch on day one: real photos refused by the demo detector until the user says so,
the caution that profiles over real photos carry, timestamps that say where they came from,
``thumper doctor``, and ``thumper forget``."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update
from textual.widgets import Static

from tests.dashboard_app import make_app, until
from tests.fake_nvml import FakeGpu, FakeNvml
from tests.helpers import make_jpeg, ok, query, run_cli, run_json
from tests.user_models import CROP_MAP, FOREIGN_MAP, UserModels
from thumper_tui.config import load_settings
from thumper_tui.engine.lifecycle import fail_run
from thumper_tui.engine.provenance import demo_refusal, unmarked_covered
from thumper_tui.engine.runs import get_run, queue_run
from thumper_tui.monitor.doctor import examine
from thumper_tui.naming.names import set_name
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Deer, Detection, Image
from thumper_tui.synth.ranch import RanchOptions
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.ui.screens.dashboard import DashboardScreen
from thumper_tui.ui.screens.profiles import ProfilesScreen
from thumper_tui.ui.screens.run_dialog import RunDialog
from thumper_tui.ui.widgets.fleet.alerts_panel import AlertsPanel
from thumper_tui.vocabulary.states import RunKind

REAL = Path(__file__).parent / "data" / "real"
REAL_PHOTOS = 5
RANCH = RanchOptions(cameras=2, deer=6, days=3, images=24, size=(640, 360), seed=81)


def _real_copy(tmp_path: Path) -> Path:
    out = tmp_path / "real"
    shutil.copytree(REAL, out)
    return out


def _db(tmp_path: Path, name: str = "thumper.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def test_the_first_command_that_would_mislead_says_what_to_do(tmp_path: Path) -> None:
    url = _db(tmp_path)
    ok("import", str(_real_copy(tmp_path)), url=url)
    for args in (("process",), ("reprocess",), ("reprocess", "--queue-only")):
        refused = run_cli(*args, database_url=url)
        assert refused.exit_code == 1, args
        (line,) = refused.stderr.strip().splitlines()
        assert f"{REAL_PHOTOS} photos are not from `thumper synth`" in line
        assert "Set `model`" in line and "--allow-demo-model" in line
    assert run_json("runs", database_url=url) == [], "a refusal leaves no failed run behind"
    images = run_json("images", database_url=url)
    assert len({i["id"] for i in images}) == REAL_PHOTOS
    assert {i["synthetic"] for i in images} == {False}


@pytest.mark.slow
def test_a_worker_fails_a_queued_run_over_real_photos_and_the_dashboard_says_why(
    tmp_path: Path,
) -> None:
    url = _db(tmp_path)
    ok("import", str(_real_copy(tmp_path)), url=url)

    async def queue() -> int:  # as the scheduler or another host would queue it
        engine = make_engine(url)
        try:
            return await queue_run(engine, RunKind.FULL, clear_mode="detections")
        finally:
            await engine.dispose()

    run_id = asyncio.run(queue())
    assert run_cli("worker", "--exit-when-idle", database_url=url).exit_code == 0
    (run,) = run_json("runs", database_url=url)
    assert run["id"] == run_id and run["status"] == "failed"
    assert run["error"] == demo_refusal(REAL_PHOTOS)
    assert query(url, select(Detection.id)) == []

    async def look() -> str:
        app = make_app(url)
        async with app.run_test(size=(120, 40)) as pilot:
            panel = app.screen.query_one(AlertsPanel)
            await until(pilot, lambda: "failed" in str(panel.render()))
            return str(panel.render())

    shown = asyncio.run(look())
    assert f"run {run_id} failed: the shipped demo detector" in shown


@pytest.mark.slow
def test_leave_to_run_the_demo_model_is_recorded_and_every_view_cautions(
    tmp_path: Path,
) -> None:
    url = _db(tmp_path)
    ok("import", str(_real_copy(tmp_path)), url=url)
    done = run_cli("process", "--allow-demo-model", database_url=url)
    assert done.exit_code == 0, done.output
    (run,) = run_json("runs", database_url=url)
    assert run["status"] == "done" and run["settings"]["allow_demo_model"] is True
    assert run["settings"]["demo_model_allowed"] is True
    assert run["settings"]["unmarked_images"] == REAL_PHOTOS
    listed = run_cli("profiles", database_url=url)
    assert "caution: re-identification ran the shipped identity embedder" in listed.stderr
    readiness = run_json("readiness", database_url=url)
    (caution,) = readiness["cautions"]
    assert "real photos: the profile count needs the duplicates review" in caution
    assert caution in readiness["verdict"]

    async def look() -> tuple[str, str]:
        app = make_app(url)
        async with app.run_test(size=(120, 40)) as pilot:
            panel = app.screen.query_one(AlertsPanel)
            await until(pilot, lambda: "re-identification" in str(panel.render()))
            await pilot.press("4")
            await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
            banner = app.screen.query_one("#not-ready", Static)
            await until(pilot, lambda: "re-identification" in str(banner.render()))
            return str(panel.render()), str(banner.render())

    alerts, banner = asyncio.run(look())
    assert "needs the duplicates review" in alerts and "needs the duplicates review" in banner


async def test_the_dashboard_refuses_to_queue_the_demo_model_over_real_photos(
    tmp_path: Path,
) -> None:
    url = _db(tmp_path)
    await asyncio.to_thread(ok, "import", str(_real_copy(tmp_path)), url=url)
    app = make_app(url)
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        await until(pilot, lambda: dashboard.overview is not None)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RunDialog))
        await pilot.press("enter")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: any("--allow-demo-model" in str(n.message) for n in app._notifications),
        )
    assert await asyncio.to_thread(run_json, "runs", database_url=url) == []


async def test_synthetic_photos_carry_the_mark_and_old_imports_have_it_read(
    ranch: Path, tmp_path: Path
) -> None:
    url = _db(tmp_path)
    await asyncio.to_thread(ok, "import", str(ranch), url=url)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            assert set(await conn.scalars(select(Image.synthetic))) == {True}
            await conn.execute(update(Image).values(synthetic=None))  # imported before 0007
        assert await unmarked_covered(engine, RunKind.FULL, "detections") == 0
        async with engine.connect() as conn:
            assert set(await conn.scalars(select(Image.synthetic))) == {True}
    finally:
        await engine.dispose()


def test_the_import_says_where_times_came_from_and_flags_collapsed_ones(tmp_path: Path) -> None:
    photos = tmp_path / "card"
    make_jpeg(photos / "Pond" / "IMG_0001.JPG", datetime_original="2025:11:02 06:00:00")
    for n in range(7):  # a copy without -p: every file has the copy's time
        make_jpeg(photos / "Creek" / f"PICT{n:04d}.JPG", color=(n * 30, 90, 60))
    copied = 1_764_000_000
    for path in (photos / "Creek").iterdir():
        os.utime(path, (copied, copied))
    url = _db(tmp_path)
    summary = run_json("import", str(photos), database_url=url)
    assert summary["timestamp_sources"] == {"exif": 1, "filename": 0, "mtime": 7}
    (collapsed,) = summary["collapsed_times"]
    assert collapsed["camera"] == "Creek" and collapsed["photos"] == 7
    assert collapsed["taken_at"].startswith("2025-11-24T")
    again = tmp_path / "again"
    shutil.copytree(photos, again)
    text = run_cli("import", str(again), database_url=_db(tmp_path, "two.db")).output
    assert "times: 1 from the camera (EXIF), 7 from file modification times" in text
    assert "warning: 7 photos had no camera time" in text and "`cp -p`" in text
    assert "warning: 7 photos from Creek share one time" in text


def test_doctor_on_a_healthy_set_up_and_with_a_missing_model(
    ranch: Path, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = database_url
    ok("import", str(ranch), url=url)
    monkeypatch.setenv("THUMPER_TIMEZONE", "America/Chicago")
    healthy = run_cli("doctor", "--json", database_url=url)
    assert healthy.exit_code == 0, healthy.output
    report = json.loads(healthy.stdout)
    by_name = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is True
    assert by_name["database"]["status"] == "pass" and "schema" in by_name["database"]["detail"]
    assert by_name["model"]["status"] == "warn"  # the demo detector: fine for synthetic photos
    assert {"class": "raccoon", "category": "other"} in by_name["model"]["classes"]
    assert by_name["timezone"]["detail"].startswith("camera clocks are read as America/Chicago")
    cameras = [c for c in report["checks"] if c["name"].startswith("camera ")]
    assert len(cameras) == RANCH.cameras and {c["status"] for c in cameras} == {"pass"}
    assert by_name["gpu"]["status"] == "warn" and "CPU" in by_name["gpu"]["detail"]
    # Free disk is a fact of the SQLite file's folder; PostgreSQL's disk is its server's.
    assert ("disk" in by_name) == url.startswith("sqlite")

    monkeypatch.setenv("THUMPER_MODEL", str(tmp_path / "ranch-yolov8s.pt"))
    missing = run_cli("doctor", database_url=url)
    assert missing.exit_code == 1
    assert (
        f"FAIL  model: model weights not found: {tmp_path / 'ranch-yolov8s.pt'}" in missing.stdout
    )
    assert "what to do: point `model`" in missing.stdout
    assert "ok    database:" in missing.stdout, "one failing check hides no other"


def test_doctor_says_a_stopped_database_and_a_moved_camera_folder(
    ranch: Path, tmp_path: Path
) -> None:
    stopped = run_cli("doctor", database_url="postgresql://postgres@127.0.0.1:1/thumper")
    assert stopped.exit_code == 1
    assert "FAIL  database: postgresql://postgres@127.0.0.1:1/thumper: not reachable" in (
        stopped.stdout
    )
    copy = tmp_path / "ranch"
    shutil.copytree(ranch, copy)
    url = _db(tmp_path)
    ok("import", str(copy), url=url)
    camera = sorted(p.name for p in copy.iterdir() if p.is_dir())[0]
    shutil.rmtree(copy / camera)
    moved = run_cli("doctor", database_url=url)
    assert moved.exit_code == 1
    assert f"FAIL  camera {camera}: folder {copy / camera} is missing or unreadable" in (
        moved.stdout
    )


async def test_doctor_reports_the_gpu_a_worker_will_use(tmp_path: Path) -> None:
    settings = load_settings({"database_url": _db(tmp_path)})
    found = await examine(
        settings, gpus=GpuSampler(FakeNvml([FakeGpu()])).sample, cuda_available=lambda: True
    )
    gpu = next(f for f in found if f.name == "gpu")
    assert gpu.status == "pass" and "cuda:0" in gpu.detail
    assert "(0: NVIDIA H200, driver 570.86.15)" in gpu.detail
    wrong = load_settings({"database_url": _db(tmp_path), "device": "cuda:1"})
    found = await examine(
        wrong,
        gpus=GpuSampler(FakeNvml(init_error="NVML Shared Library Not Found")).sample,
        cuda_available=lambda: False,
    )
    gpu = next(f for f in found if f.name == "gpu")
    assert gpu.status == "fail" and "`device` is cuda:1 but torch sees no GPU" in gpu.detail


@pytest.mark.slow
def test_doctor_lists_how_foreign_classes_will_be_treated(
    user_models: UserModels, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THUMPER_MODEL", str(user_models.foreign))
    unmapped = run_cli("doctor", database_url=_db(tmp_path))
    assert unmapped.exit_code == 1
    assert "none of its classes maps to a deer category" in unmapped.stdout
    monkeypatch.setenv("THUMPER_CATEGORY_MAP", FOREIGN_MAP)
    mapped = run_cli("doctor", "--json", database_url=_db(tmp_path))
    model = next(c for c in json.loads(mapped.stdout)["checks"] if c["name"] == "model")
    assert model["status"] == "pass"
    assert model["classes"] == [
        {"class": "Antlered", "category": "buck"},
        {"class": "Antlerless", "category": "doe"},
        {"class": "Spotted", "category": "fawn"},
        {"class": "Person", "category": "other"},
        {"class": "Hog", "category": "other"},
        {"class": "Coyote", "category": "other"},
    ]
    monkeypatch.setenv("THUMPER_CLASSIFIER", str(tmp_path / "sex-age-cls.pt"))
    absent = run_cli("doctor", database_url=_db(tmp_path))
    assert absent.exit_code == 1
    assert f"FAIL  classifier: classifier weights not found: {tmp_path}" in absent.stdout
    assert "what to do: point `classifier`" in absent.stdout
    monkeypatch.setenv("THUMPER_CLASSIFIER", str(user_models.classifier))
    monkeypatch.setenv("THUMPER_CATEGORY_MAP", f"{FOREIGN_MAP},{CROP_MAP}")
    both = run_cli("doctor", "--json", database_url=_db(tmp_path))
    checks = {c["name"]: c for c in json.loads(both.stdout)["checks"]}
    assert checks["classifier"]["status"] == "pass"
    assert {"class": "spotted", "category": "fawn"} in checks["classifier"]["classes"]


@pytest.mark.slow
def test_forget_a_camera_keeps_what_a_person_decided(
    ranch: Path, tmp_path: Path, database_url: str
) -> None:
    url = database_url
    ok("import", str(ranch), url=url)
    ok("process", url=url)
    camera = sorted(p.name for p in ranch.iterdir() if p.is_dir())[0]
    plan = run_json("forget", "--camera", camera, "--dry-run", database_url=url)
    assert plan["images"] > 0 and plan["kept_profiles"] == []
    images = len(query(url, select(Image.id)))
    assert images == RANCH.images, "a dry run removes nothing"
    if not plan["deleted_profiles"]:
        pytest.fail("the camera's own deer should leave profiles empty")
    named = plan["deleted_profiles"][0]

    async def name_it() -> None:
        engine = make_engine(url)
        try:
            await set_name(engine, named, "Bambi")
        finally:
            await engine.dispose()

    asyncio.run(name_it())
    refused = run_cli("forget", "--camera", camera, database_url=url)
    assert refused.exit_code == 2 and "--yes" in refused.stderr  # no terminal to confirm on
    done = run_json("forget", "--camera", camera, "--yes", database_url=url)
    assert done["images"] == plan["images"] and done["detections"] == plan["detections"]
    assert named in done["kept_profiles"] and named not in done["deleted_profiles"]
    assert len(query(url, select(Image.id))) == images - plan["images"]
    (kept,) = query(url, select(Deer.name, Deer.sightings).where(Deer.id == named))
    assert kept == ("Bambi", 0)
    assert query(url, select(Deer.id).where(Deer.id.in_(done["deleted_profiles"]))) == []
    (row, *_) = run_json("history", database_url=url)
    assert row["action"] == "forget" and row["before"]["camera"] == camera
    assert (
        "no imported photo matches"
        in run_cli("forget", "--camera", camera, "--yes", database_url=url).stderr
    )


async def test_forget_is_refused_while_a_run_is_active(ranch: Path, tmp_path: Path) -> None:
    url = _db(tmp_path)
    await asyncio.to_thread(ok, "import", str(ranch), url=url)
    engine = make_engine(url)
    try:
        await upgrade(engine)
        run_id = await queue_run(engine, RunKind.INCREMENTAL)
        refused = await asyncio.to_thread(run_cli, "forget", str(ranch), "--yes", database_url=url)
        assert refused.exit_code == 1
        assert f"run {run_id} is queued and holds or will take these photos" in refused.stderr
        await fail_run(engine, run_id, "test over")
        assert (await get_run(engine, run_id)).status == "failed"  # type: ignore[union-attr]
        gone = await asyncio.to_thread(run_json, "forget", str(ranch), "--yes", database_url=url)
        assert gone["images"] == RANCH.images
    finally:
        await engine.dispose()
